#include "core/deprovision/policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/schema/json_schema_validator.hpp"

namespace daoctl::deprovision {

using nlohmann::json;

namespace {

std::string problem_at(const std::string& file, const schema::SourceMap& positions,
                       const std::string& pointer, const std::string& message) {
  return schema::format_problem({pointer, message}, file, positions);
}

// Civil-from-days and back (Howard Hinnant's algorithms), so dates need no time zone.
std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = std::atoi(std::string(s.substr(0, 4)).c_str());
  unsigned m = static_cast<unsigned>(std::atoi(std::string(s.substr(5, 2)).c_str()));
  unsigned d = static_cast<unsigned>(std::atoi(std::string(s.substr(8, 2)).c_str()));
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::string format_date(std::chrono::sys_days days) {
  std::chrono::year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace

const char* to_string(Step step) {
  switch (step) {
    case Step::Block: return "block";
    case Step::RevokeSessions: return "revoke_sessions";
    case Step::RevokeTokens: return "revoke_tokens";
    case Step::RemoveFromGroups: return "remove_from_groups";
    case Step::RemoveFromCommunities: return "remove_from_communities";
    case Step::TransferContent: return "transfer_content";
    case Step::Archive: return "archive";
    case Step::Delete: return "delete";
  }
  return "block";
}

std::optional<Step> step_from_string(std::string_view text) {
  for (auto s : {Step::Block, Step::RevokeSessions, Step::RevokeTokens, Step::RemoveFromGroups,
                 Step::RemoveFromCommunities, Step::TransferContent, Step::Archive, Step::Delete})
    if (text == to_string(s)) return s;
  return std::nullopt;
}

std::string TransferTarget::describe() const {
  switch (kind) {
    case Kind::Manager: return "the manager";
    case Kind::Keep: return "nobody (content kept)";
    case Kind::Account: return "account " + account;
  }
  return "";
}

TransferTarget TransferTarget::parse(std::string_view text) {
  if (text == "manager") return {Kind::Manager, ""};
  if (text == "keep") return {Kind::Keep, ""};
  return {Kind::Account, std::string(text)};
}

bool Policy::missing_from_sources() const {
  return std::any_of(rules.begin(), rules.end(), [](const Rule& r) { return r.kind == Rule::Kind::MissingFromSources; });
}
bool Policy::has_then(Step step) const { return std::find(then.begin(), then.end(), step) != then.end(); }
bool Policy::has_now(Step step) const { return std::find(now.begin(), now.end(), step) != now.end(); }

namespace {

// 1 when the scalar at `pos` of `text` starts with a quote, else 0.
int opening_quote(std::string_view text, const schema::SourcePosition& pos) {
  std::size_t at = 0;
  for (int l = 1; l < pos.line; ++l) {
    at = text.find('\n', at);
    if (at == std::string_view::npos) return 0;
    ++at;
  }
  at += static_cast<std::size_t>(pos.column > 0 ? pos.column - 1 : 0);
  return at < text.size() && (text[at] == '"' || text[at] == '\'') ? 1 : 0;
}

}  // namespace

Policy compile_policy(const json& block, const mapping::CompileOptions& options, const std::string& file,
                      const schema::SourceMap& positions, std::vector<std::string>& problems,
                      std::string_view text) {
  Policy p;
  if (!block.is_object() || block.empty()) return p;
  p.configured = true;
  if (block.contains("dismissed_when")) {
    const json& rules = block["dismissed_when"];
    for (std::size_t i = 0; i < rules.size(); ++i) {
      Rule r;
      r.text = rules[i].get<std::string>();
      std::string where = "/deprovision/dismissed_when/" + std::to_string(i);
      if (r.text == "missing_from_sources") {
        r.kind = Rule::Kind::MissingFromSources;
        p.rules.push_back(std::move(r));
        continue;
      }
      auto e = mapping::Expression::parse(r.text, options);
      if (!e) {
        auto pos = positions.find(where);
        problems.push_back(pos ? fmt::format("{}:{}:{}: {}: {}", file, pos->line,
                                             pos->column + opening_quote(text, *pos) +
                                                 static_cast<int>(e.error().column > 0 ? e.error().column - 1 : 0),
                                             where, e.error().message)
                               : problem_at(file, positions, where, e.error().message));
        continue;
      }
      r.uses_today = r.text.find("today") != std::string::npos;
      r.expression = std::move(*e);
      p.rules.push_back(std::move(r));
    }
  }
  if (block.contains("now")) {
    p.now.clear();
    for (const auto& s : block["now"]) p.now.push_back(*step_from_string(s.get<std::string>()));
    if (!p.has_now(Step::Block))
      problems.push_back(problem_at(file, positions, "/deprovision/now",
                                    "must include block: a dismissed employee's login is always disabled first"));
  }
  p.after_days = block.value("after_days", p.after_days);
  if (block.contains("then")) {
    const json& then = block["then"];
    for (std::size_t i = 0; i < then.size(); ++i) {
      std::string where = "/deprovision/then/" + std::to_string(i);
      Step step;
      if (then[i].is_object()) {
        step = Step::TransferContent;
        p.transfer = TransferTarget::parse(then[i]["transfer_content"].get<std::string>());
      } else {
        step = *step_from_string(then[i].get<std::string>());
      }
      if (p.has_then(step)) {
        problems.push_back(problem_at(file, positions, where, fmt::format("{} is listed twice", to_string(step))));
        continue;
      }
      if (p.has_then(Step::Archive) || p.has_then(Step::Delete)) {
        problems.push_back(problem_at(file, positions, where,
                                      fmt::format("{} comes after archive/delete, which end the pipeline; "
                                                  "put archive or delete last",
                                                  to_string(step))));
        continue;
      }
      p.then.push_back(step);
    }
  }
  // Checked by load_job with the caller's zone database (sync::LoadOptions).
  p.timezone = block.value("timezone", "");
  p.staging = block.value("mode", "active") == "staging";
  for (const std::string& d : {std::string("yyyy-MM-dd")}) p.date_patterns.push_back(*text::DatePattern::compile(d));
  for (const auto& d : options.comparison_date_patterns)
    if (d != "yyyy-MM-dd")
      if (auto compiled = text::DatePattern::compile(d)) p.date_patterns.push_back(std::move(*compiled));
  return p;
}

Verdict evaluate(const Policy& policy, const mapping::Scope& scope, std::string_view today) {
  Verdict v;
  for (std::size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& r = policy.rules[i];
    if (r.kind != Rule::Kind::Expression) continue;
    auto value = r.expression->evaluate(scope);
    if (!value) {
      v.problems.push_back(fmt::format("dismissed_when[{}] {}: {}", i, r.text, value.error().message));
      continue;
    }
    if (!mapping::truthy(*value)) continue;
    v.dismissed = true;
    v.reason = fmt::format("dismissed_when[{}] {}", i, r.text);
    if (r.uses_today) v.reason += fmt::format(" (today = {})", today);
    // The date the person left, when the rule reads one.
    for (const auto& ref : r.expression->references()) {
      if (!v.since.empty()) break;
      const auto* values = scope.find(ref.source, ref.field);
      if (!values || values->empty()) continue;
      for (const auto& pattern : policy.date_patterns) {
        auto date = pattern.parse_date(values->front());
        if (!date) continue;
        std::string iso = date->to_string();
        if (iso <= today) v.since = iso;
        break;
      }
    }
    // An LDAP lock says which signal fired: name it.
    for (const auto& ref : r.expression->references())
      if (ref.field == "disabled")
        if (const auto* why = scope.find(ref.source, "disabled_reason"); why && !why->empty())
          v.reason += " (" + why->front() + ")";
    return v;
  }
  return v;
}

std::optional<long> days_between(std::string_view from, std::string_view to) {
  auto a = parse_date(from), b = parse_date(to);
  if (!a || !b) return std::nullopt;
  return static_cast<long>((*b - *a).count());
}

std::string add_days(std::string_view date, long days) {
  auto d = parse_date(date);
  if (!d) return {};
  return format_date(*d + std::chrono::days{days});
}

}  // namespace daoctl::deprovision
