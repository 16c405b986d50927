#include "core/policy/policy.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

namespace daoctl::policy {

using nlohmann::json;

bool has_errors(const Findings& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::Error; });
}

namespace {

void error(Findings& out, std::string field, std::string message) {
  out.push_back({Severity::Error, std::move(field), std::move(message)});
}
void warning(Findings& out, std::string field, std::string message) {
  out.push_back({Severity::Warning, std::move(field), std::move(message)});
}

void reject_unknown(const json& object, std::initializer_list<const char*> known, Findings& out,
                    const std::string& prefix = {}) {
  for (const auto& [key, value] : object.items()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::vector<std::string> names(known.begin(), known.end());
      error(out, prefix + key,
            fmt::format("unknown setting \"{}\" (known: {})", key, fmt::join(names, ", ")));
    }
  }
}

struct Bound {
  const char* field;
  long long min;
  long long max;
  const char* meaning;
};

constexpr Bound kPasswordBounds[] = {
    {"min_length", 8, 128, "characters"},
    {"history", 0, 24, "remembered passwords (0 = no check)"},
    {"max_age_days", 0, 3650, "days (0 = never expire)"},
    {"lockout_threshold", 0, 100, "failed logins (0 = never lock)"},
    {"lockout_minutes", 1, 10080, "minutes"},
};
constexpr const char* kPasswordFlags[] = {"require_upper", "require_lower", "require_digit",
                                          "require_symbol"};

}  // namespace

Findings check_password_policy(const json& policy) {
  Findings out;
  if (!policy.is_object()) {
    error(out, "", fmt::format("a password policy must be a mapping, got {}", policy.dump()));
    return out;
  }
  reject_unknown(policy,
                 {"min_length", "require_upper", "require_lower", "require_digit", "require_symbol",
                  "history", "max_age_days", "lockout_threshold", "lockout_minutes"},
                 out);
  std::map<std::string, long long> numbers;
  for (const auto& b : kPasswordBounds) {
    if (!policy.contains(b.field)) continue;
    const auto& v = policy[b.field];
    if (!v.is_number_integer()) {
      error(out, b.field,
            fmt::format("{} must be a whole number of {}, got {}", b.field, b.meaning, v.dump()));
      continue;
    }
    auto n = v.get<long long>();
    numbers[b.field] = n;
    if (n < b.min || n > b.max)
      error(out, b.field,
            fmt::format("{} is {}; it must be between {} and {} {}", b.field, n, b.min, b.max,
                        b.meaning));
  }
  std::vector<std::string> composition;
  for (const char* flag : kPasswordFlags) {
    if (!policy.contains(flag)) continue;
    if (!policy[flag].is_boolean()) {
      error(out, flag, fmt::format("{} must be true or false, got {}", flag, policy[flag].dump()));
      continue;
    }
    if (policy[flag].get<bool>()) composition.emplace_back(flag);
  }
  const auto threshold = numbers.find("lockout_threshold");
  const bool no_threshold = threshold == numbers.end() || threshold->second == 0;
  if (policy.contains("lockout_minutes") && no_threshold)
    error(out, "lockout_minutes",
          "lockout_minutes is set but lockout_threshold is 0 or absent, so no account is ever "
          "locked; set "
          "lockout_threshold (failed logins before the lockout) too");

  // Guidance: NIST SP 800-63B (rev. 4, 2024), section 3.1.1.2.
  if (auto it = numbers.find("min_length");
      it != numbers.end() && it->second >= 8 && it->second < 15)
    warning(out, "min_length",
            fmt::format("min_length {} is below the 15 characters NIST SP 800-63B recommends for "
                        "passwords used "
                        "as the only factor; length protects better than complexity",
                        it->second));
  if (!composition.empty())
    warning(out, composition.front(),
            fmt::format("{} impose composition rules, which NIST SP 800-63B advises against (users "
                        "respond with "
                        "predictable patterns); prefer a longer min_length",
                        fmt::join(composition, ", ")));
  if (auto it = numbers.find("max_age_days"); it != numbers.end() && it->second > 0)
    warning(out, "max_age_days",
            fmt::format("max_age_days {} forces periodic changes, which NIST SP 800-63B advises "
                        "against; require "
                        "a change only on evidence of compromise (0 = never expire)",
                        it->second));
  if (threshold != numbers.end() && threshold->second == 0)
    warning(out, "lockout_threshold",
            "lockout_threshold 0 never limits failed logins; NIST SP 800-63B requires limiting "
            "consecutive failed "
            "attempts (at most 100)");
  return out;
}

namespace {

bool is_domain(const std::string& d) {
  static const std::regex pattern(
      R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$)");
  return d.size() <= 253 && std::regex_match(d, pattern);
}

}  // namespace

Findings check_registration(const json& settings) {
  Findings out;
  if (!settings.is_object()) {
    error(out, "", fmt::format("registration settings must be a mapping, got {}", settings.dump()));
    return out;
  }
  reject_unknown(settings, {"mode", "allowed_domains"}, out);
  std::string mode;
  if (settings.contains("mode")) {
    const auto& m = settings["mode"];
    mode = m.is_string() ? m.get<std::string>() : "";
    if (mode != "directory_only" && mode != "domains" && mode != "open")
      error(out, "mode",
            fmt::format("mode {} is not one of directory_only, domains, open", m.dump()));
  }
  std::size_t domain_count = 0;
  if (settings.contains("allowed_domains")) {
    const auto& domains = settings["allowed_domains"];
    if (!domains.is_array()) {
      error(out, "allowed_domains",
            fmt::format("allowed_domains must be a list of domains, got {}", domains.dump()));
    } else {
      domain_count = domains.size();
      std::set<std::string> seen;
      for (std::size_t i = 0; i < domains.size(); ++i) {
        const std::string field = fmt::format("allowed_domains/{}", i);
        if (!domains[i].is_string() || !is_domain(domains[i].get<std::string>())) {
          error(out, field,
                fmt::format("{} is not a domain name like corp.example", domains[i].dump()));
          continue;
        }
        if (!seen.insert(text::lower_ascii(domains[i].get<std::string>())).second)
          error(out, field, fmt::format("domain {} is listed twice", domains[i].dump()));
      }
      if (domains.size() > 1000) error(out, "allowed_domains", "at most 1000 allowed_domains");
    }
  }
  if (mode == "domains" && domain_count == 0)
    error(out, "allowed_domains", "mode domains needs at least one entry in allowed_domains");
  if ((mode == "directory_only" || mode == "open") && domain_count > 0)
    error(out, "allowed_domains",
          fmt::format(
              "allowed_domains are only used with mode domains; with mode {} they would be ignored",
              mode));
  if (mode == "open")
    warning(out, "mode",
            "mode open lets anyone with an e-mail address register, not just employees");
  return out;
}

std::optional<Rgb> parse_colour(std::string_view text) {
  if (text.size() != 4 && text.size() != 7) return std::nullopt;
  if (text[0] != '#') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int digits[6];
  const std::size_t n = text.size() - 1;
  for (std::size_t i = 0; i < n; ++i)
    if ((digits[i] = hex(text[i + 1])) < 0) return std::nullopt;
  if (n == 3) return Rgb{digits[0] * 17, digits[1] * 17, digits[2] * 17};
  return Rgb{digits[0] * 16 + digits[1], digits[2] * 16 + digits[3], digits[4] * 16 + digits[5]};
}

std::string canonical_colour(std::string_view text) {
  auto rgb = parse_colour(text);
  if (!rgb) return std::string(text);
  return fmt::format("#{:02x}{:02x}{:02x}", rgb->r, rgb->g, rgb->b);
}

nlohmann::json canonical_branding(nlohmann::json branding) {
  if (!branding.is_object()) return branding;
  for (const char* field : {"primary_color", "accent_color", "background_color"})
    if (branding.contains(field) && branding[field].is_string())
      branding[field] = canonical_colour(branding[field].get<std::string>());
  return branding;
}

double relative_luminance(const Rgb& c) {
  auto linear = [](int channel) {
    const double s = channel / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double contrast_ratio(const Rgb& a, const Rgb& b) {
  const double la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Findings check_branding(const json& branding) {
  Findings out;
  if (!branding.is_object()) {
    error(out, "", fmt::format("branding must be a mapping, got {}", branding.dump()));
    return out;
  }
  reject_unknown(branding,
                 {"primary_color", "accent_color", "background_color", "css", "logo", "favicon",
                  "logo_url", "favicon_url"},
                 out);
  std::map<std::string, Rgb> colours;
  for (const char* field : {"primary_color", "accent_color", "background_color"}) {
    if (!branding.contains(field)) continue;
    const auto& v = branding[field];
    auto rgb = v.is_string() ? parse_colour(v.get<std::string>()) : std::nullopt;
    if (!rgb) {
      error(out, field,
            fmt::format("{} {} is not a colour of the form #rgb or #rrggbb", field, v.dump()));
      continue;
    }
    colours[field] = *rgb;
  }
  if (branding.contains("css")) {
    const auto& css = branding["css"];
    if (!css.is_string()) {
      error(out, "css", "css must be text");
    } else {
      const auto text = css.get<std::string>();
      if (text.size() > 65536)
        error(out, "css", fmt::format("css is {} bytes; at most 65536 are accepted", text.size()));
      if (text::lower_ascii(text).find("</style") != std::string::npos)
        error(out, "css",
              "css contains \"</style\", which would end the platform's style element early");
    }
  }
  if (auto bg = colours.find("background_color"); bg != colours.end()) {
    for (const char* field : {"primary_color", "accent_color"}) {
      auto fg = colours.find(field);
      if (fg == colours.end()) continue;
      const double ratio = contrast_ratio(fg->second, bg->second);
      if (ratio < kWcagAaContrast)
        warning(
            out, field,
            fmt::format(
                "{} {} on background_color {} has a contrast ratio of {:.2f}:1, below the WCAG AA "
                "minimum of 4.5:1 for text",
                field, branding[field].get<std::string>(),
                branding["background_color"].get<std::string>(), std::floor(ratio * 100) / 100));
    }
  }
  return out;
}

std::string keyword_pattern_body(std::string_view pattern) {
  if (pattern.starts_with("(?i)")) pattern.remove_prefix(4);
  return std::string(pattern);
}

Findings check_keyword_rules(const json& rules) {
  Findings out;
  if (!rules.is_array()) {
    error(out, "", fmt::format("keyword rules must be a list, got {}", rules.dump()));
    return out;
  }
  if (rules.size() > 1000)
    error(out, "", fmt::format("{} keyword rules; at most 1000 are accepted", rules.size()));
  std::set<std::pair<std::string, std::string>> seen;  // (scope, pattern)
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string at = fmt::format("{}/", i);
    const auto& rule = rules[i];
    if (!rule.is_object()) {
      error(out, std::to_string(i),
            fmt::format("a keyword rule must be a mapping, got {}", rule.dump()));
      continue;
    }
    reject_unknown(rule, {"id", "pattern", "action", "scope"}, out, at);
    std::string pattern;
    if (!rule.contains("pattern") || !rule["pattern"].is_string() ||
        rule["pattern"].get<std::string>().empty()) {
      error(out, at + "pattern", "every keyword rule needs a non-empty pattern");
    } else {
      pattern = rule["pattern"].get<std::string>();
      if (pattern.size() > 500) {
        error(out, at + "pattern",
              fmt::format("pattern is {} characters; at most 500 are accepted", pattern.size()));
      } else {
        try {
          std::regex compiled(keyword_pattern_body(pattern),
                              std::regex::ECMAScript | std::regex::icase);
        } catch (const std::regex_error& e) {
          error(out, at + "pattern",
                fmt::format("pattern \"{}\" is not a valid regular expression: {}", pattern,
                            e.what()));
        }
      }
    }
    const std::string action = rule.contains("action") && rule["action"].is_string()
                                   ? rule["action"].get<std::string>()
                                   : "";
    if (action != "flag" && action != "hide")
      error(out, at + "action",
            fmt::format("action {} is not flag or hide",
                        rule.contains("action") ? rule["action"].dump() : "(missing)"));
    std::string scope = "all";
    if (rule.contains("scope")) {
      scope = rule["scope"].is_string() ? rule["scope"].get<std::string>() : "";
      if (scope != "all" && scope != "posts" && scope != "comments" && scope != "chats")
        error(out, at + "scope",
              fmt::format("scope {} is not one of all, posts, comments, chats",
                          rule["scope"].dump()));
    }
    if (!pattern.empty() && !seen.insert({scope, pattern}).second)
      error(out, at + "pattern",
            fmt::format("pattern \"{}\" appears twice in scope {}", pattern, scope));
  }
  return out;
}

}  // namespace daoctl::policy
