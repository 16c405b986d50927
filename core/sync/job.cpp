#include "core/sync/job.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "core/schema/json_schema_validator.hpp"
#include "schemas/schemas.hpp"

namespace daoctl::sync {

using nlohmann::json;

namespace {

// Collects problems as "file:line:column: message".
class Problems {
 public:
  Problems(std::string file, const schema::SourceMap& positions)
      : file_(std::move(file)), positions_(positions) {}
  void add(const std::string& pointer, const std::string& message) {
    lines_.push_back(schema::format_problem({pointer, message}, file_, positions_));
  }
  void add_at(const std::string& pointer, std::size_t extra_columns, const std::string& message) {
    auto pos = positions_.find(pointer);
    if (!pos) return add(pointer, message);
    lines_.push_back(fmt::format("{}:{}:{}: {}: {}", file_, pos->line,
                                 pos->column + static_cast<int>(extra_columns), pointer, message));
  }
  void add_line(std::string line) { lines_.push_back(std::move(line)); }
  bool empty() const { return lines_.empty(); }
  std::string joined() const {
    std::string s;
    for (const auto& l : lines_) s += (s.empty() ? "" : "\n") + l;
    return s;
  }
  std::size_t size() const { return lines_.size(); }

 private:
  std::string file_;
  const schema::SourceMap& positions_;
  std::vector<std::string> lines_;
};

std::string ptr(std::initializer_list<std::string_view> tokens) {
  std::string p;
  for (auto t : tokens) p += "/" + schema::escape_pointer_token(t);
  return p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `source.field` where field may be quoted with ' or " (quotes removed).
std::optional<mapping::Reference> parse_reference(std::string_view text) {
  text = trim(text);
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string source(text.substr(0, dot));
  for (char c : source)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  std::string_view field = text.substr(dot + 1);
  if (field.size() >= 2 && (field.front() == '"' || field.front() == '\'') &&
      field.back() == field.front())
    field = field.substr(1, field.size() - 2);
  if (field.empty()) return std::nullopt;
  return mapping::Reference{source, std::string(field)};
}

// Splits "a.x = b.y" at the '=' that is outside quotes.
std::optional<std::pair<std::string_view, std::string_view>> split_join(std::string_view text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '=') {
      return std::pair{text.substr(0, i), text.substr(i + 1)};
    }
  }
  return std::nullopt;
}

double parse_rate(const json& v) {
  if (v.is_number()) return v.get<double>();
  std::string s = v.get<std::string>();
  if (auto slash = s.find('/'); slash != std::string::npos) s.resize(slash);
  return std::stod(s);
}

const json& job_schema() {
  static const json schema = json::parse(*schemas::find("sync.schema.json"));
  return schema;
}

// The compiled definition of a source type, or nullptr for an unknown type
// (the main schema reports that one).
const schema::JsonSchemaValidator* source_validator(const std::string& type) {
  static const auto validators = [] {
    std::map<std::string, schema::JsonSchemaValidator> m;
    for (const char* t : {"ldap", "csv", "json", "http_json"}) {
      auto v = schema::JsonSchemaValidator::compile(job_schema(),
                                                    "/definitions/" + std::string(t) + "_source");
      if (v) m.emplace(t, std::move(*v));
    }
    return m;
  }();
  auto it = validators.find(type);
  return it == validators.end() ? nullptr : &it->second;
}

}  // namespace

const std::vector<std::string>& mapping_fields() {
  static const std::vector<std::string> fields = {
      "externalId", "userName",     "email",       "name.givenName", "name.familyName",
      "name.middleName", "displayName", "title",   "phone",
      "department", "manager",      "employeeNumber", "organization", "division",
      "costCenter", "skills",       "location",    "birthday",       "hireDate",
      "photo",      "active"};
  return fields;
}

const SourceSpec* JobSpec::source(std::string_view source_name) const {
  for (const auto& s : sources)
    if (s.name == source_name) return &s;
  return nullptr;
}

const mapping::Template* JobSpec::template_for(std::string_view field) const {
  for (const auto& [f, t] : mapping)
    if (f == field) return &t;
  return nullptr;
}

std::vector<std::string> JobSpec::fields_of(std::string_view source_name) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  if (const auto* s = source(source_name)) add(s->key);
  for (const auto& [field, tmpl] : mapping)
    for (const auto& r : tmpl.references())
      if (r.source == source_name) add(r.field);
  for (const auto& j : joins) {
    if (j.left_source == source_name) add(j.left_field);
    if (j.right_source == source_name) add(j.right_field);
  }
  if (groups && groups->from.source == source_name) add(groups->from.field);
  for (const auto& rule : dismissal.rules)
    if (rule.expression)
      for (const auto& r : rule.expression->references())
        if (r.source == source_name) add(r.field);
  return out;
}

Result<JobSpec> load_job(std::string_view text, std::string_view file_name,
                         const LoadOptions& options) {
  auto doc = schema::parse_yaml(text, file_name);
  if (!doc) {
    Error e = doc.error();
    e.kind = ErrorKind::Config;
    return std::unexpected(e);
  }
  const json& root = doc->value;
  JobSpec job;
  job.file = std::string(file_name);
  job.positions = doc->positions;
  Problems problems(job.file, job.positions);

  static const auto validator = schema::JsonSchemaValidator::compile(job_schema());
  if (!validator) return std::unexpected(validator.error());
  for (const auto& p : validator->validate(root)) problems.add(p.path, p.message);
  // Each source against the definition of its type: a schema-level if/then
  // would report the properties of every other type as "not allowed" too.
  if (root.contains("sources") && root["sources"].is_object())
    for (const auto& [name, cfg] : root["sources"].items()) {
      if (!cfg.is_object() || !cfg.contains("type") || !cfg["type"].is_string()) continue;
      const auto* v = source_validator(cfg["type"].get<std::string>());
      if (!v) continue;
      for (const auto& p : v->validate(cfg)) problems.add(ptr({"sources", name}) + p.path, p.message);
    }
  if (!problems.empty())
    return fail(ErrorKind::Config, fmt::format("invalid sync job {}", file_name), job.file,
                problems.joined(), "see daoctl-sync.yaml(5) for the file format");

  job.name = root.at("name").get<std::string>();
  job.target = root.value("target", "platform");
  if (root.contains("platform")) job.platform = root["platform"];

  // Sources in file order: JSON objects are sorted, the positions are not.
  for (const auto& [name, cfg] : root.at("sources").items()) {
    SourceSpec s;
    s.name = name;
    s.type = cfg.at("type").get<std::string>();
    s.config = cfg;
    s.position = job.positions.find(ptr({"sources", name})).value_or(schema::SourcePosition{});
    s.key = cfg.value("key", s.type == "ldap" ? std::string("dn") : std::string());
    job.sources.push_back(std::move(s));
  }
  std::stable_sort(job.sources.begin(), job.sources.end(), [](const auto& a, const auto& b) {
    return std::pair(a.position.line, a.position.column) <
           std::pair(b.position.line, b.position.column);
  });
  std::vector<std::string> source_names;
  for (const auto& s : job.sources) source_names.push_back(s.name);

  job.primary = root.value("primary", job.sources.front().name);
  if (!job.source(job.primary)) problems.add("/primary", "no source named '" + job.primary + "'");

  // Joins: each attaches a new source to one already reachable from primary.
  std::vector<std::string> joined{job.primary};
  auto is_joined = [&](const std::string& n) {
    return std::find(joined.begin(), joined.end(), n) != joined.end();
  };
  if (root.contains("join")) {
    for (std::size_t i = 0; i < root["join"].size(); ++i) {
      std::string where = "/join/" + std::to_string(i);
      std::string jtext = root["join"][i].get<std::string>();
      auto sides = split_join(jtext);
      auto a = sides ? parse_reference(sides->first) : std::nullopt;
      auto b = sides ? parse_reference(sides->second) : std::nullopt;
      if (!a || !b) {
        problems.add(where, "expected 'source.field = source.field', got '" + jtext + "'");
        continue;
      }
      bool bad = false;
      for (const auto* r : {&*a, &*b})
        if (!job.source(r->source)) {
          problems.add(where, "no source named '" + r->source + "'");
          bad = true;
        }
      if (bad) continue;
      if (is_joined(b->source) && !is_joined(a->source)) std::swap(a, b);
      if (!is_joined(a->source) || is_joined(b->source)) {
        problems.add(where, "a join must attach a new source to '" + job.primary +
                                "' or to a source joined before it");
        continue;
      }
      job.joins.push_back({a->source, a->field, b->source, b->field, jtext});
      joined.push_back(b->source);
    }
  }
  for (const auto& s : job.sources)
    if (!is_joined(s.name))
      problems.add(ptr({"sources", s.name}),
                   "source '" + s.name + "' is not joined to '" + job.primary +
                       "'; add a join such as " + s.name + ".key = " + job.primary + ".key");

  // Lookup tables.
  mapping::CompileOptions copts;
  job.today = options.today;
  if (job.today.empty() && options.now) {
    std::string zone = root.contains("deprovision") ? root["deprovision"].value("timezone", "") : "";
    auto date = deprovision::date_in_zone(*options.now, zone);
    if (date) job.today = *date;
    else problems.add("/deprovision/timezone", date.error().describe());
  }
  copts.today = job.today;
  copts.known_sources = source_names;
  if (root.contains("lookups")) {
    for (const auto& [tname, table] : root["lookups"].items()) {
      mapping::LookupTable t;
      for (const auto& [k, v] : table.items()) {
        std::string value = v.is_string() ? v.get<std::string>() : v.dump();
        if (k == "default") t.fallback = value;
        else t.entries.emplace(k, value);
      }
      copts.lookup_tables.emplace(tname, std::move(t));
    }
  }
  for (const auto& s : job.sources)
    if (s.config.contains("dates")) {
      auto p = s.config["dates"].get<std::string>();
      if (std::find(copts.comparison_date_patterns.begin(), copts.comparison_date_patterns.end(),
                    p) == copts.comparison_date_patterns.end())
        copts.comparison_date_patterns.push_back(p);
    }

  // Mapping templates, compiled once.
  const json& m = root.at("mapping");
  for (const auto& field : mapping_fields()) {
    if (!m.contains(field)) continue;
    std::string where = ptr({"mapping", field});
    auto t = mapping::Template::parse(m[field].get<std::string>(), copts);
    if (!t) {
      problems.add_at(where, t.error().column > 0 ? t.error().column - 1 : 0, t.error().message);
      continue;
    }
    job.mapping.emplace_back(field, std::move(*t));
  }

  // Decision: a photo mapped for a plain SCIM service is an error, not a
  // warning; RFC 7644 has no photo upload, so the field could only be
  // dropped silently, every night.
  if (job.target == "scim" && m.contains("photo"))
    problems.add("/mapping/photo",
                 "target scim cannot take photos (a plain SCIM 2.0 service has no photo upload); remove photo "
                 "from the mapping or use target: platform");

  if (root.contains("departments")) {
    job.department_separator = root["departments"].value("separator", "/");
    job.delete_empty_departments = root["departments"].value("delete_empty", false);
  }
  if (root.contains("groups")) {
    const json& g = root["groups"];
    auto from = parse_reference(g.at("from").get<std::string>());
    if (!from || !job.source(from->source)) {
      problems.add("/groups/from", "expected source.field of a known source, e.g. ad.memberOf");
    } else {
      GroupSpec gs;
      gs.from = *from;
      gs.include = g.value("include", std::vector<std::string>{});
      gs.exclude = g.value("exclude", std::vector<std::string>{});
      gs.name_from_cn = g.value("name", "cn") == "cn";
      job.groups = std::move(gs);
    }
  }
  if (root.contains("link")) job.link_by = root["link"].value("by", std::vector<std::string>{});
  if (root.contains("unique"))
    for (const auto& [field, how] : root["unique"].items()) job.unique[field] = how.get<std::string>();
  if (root.contains("deprovision")) {
    job.deprovision = root["deprovision"];
    std::vector<std::string> policy_problems;
    job.dismissal = deprovision::compile_policy(job.deprovision, copts, job.file, job.positions, policy_problems);
    for (const auto& p : policy_problems) problems.add_line(p);
  }
  if (root.contains("safety")) {
    const json& s = root["safety"];
    job.safety.max_deprovisions = s.value("max_deprovisions", job.safety.max_deprovisions);
    job.safety.max_deprovisions_percent =
        s.value("max_deprovisions_percent", job.safety.max_deprovisions_percent);
    if (s.contains("min_source_records"))
      for (const auto& [k, v] : s["min_source_records"].items()) {
        if (!job.source(k))
          problems.add(ptr({"safety", "min_source_records", k}), "no source named '" + k + "'");
        job.safety.min_source_records[k] = v.get<long>();
      }
    if (s.contains("max_source_shrink_percent"))
      job.safety.max_source_shrink_percent = s["max_source_shrink_percent"].get<double>();
  }
  if (root.contains("apply")) {
    job.concurrency = root["apply"].value("concurrency", job.concurrency);
    if (root["apply"].contains("rate_limit")) job.rate_limit = parse_rate(root["apply"]["rate_limit"]);
  }
  if (root.contains("report")) {
    const json& r = root["report"];
    job.report.summary_file = r.value("summary_file", "");
    job.report.metrics_file = r.value("metrics_file", "");
    job.report.results_file = r.value("results_file", "");
  }

  if (!problems.empty())
    return fail(ErrorKind::Config, fmt::format("invalid sync job {}", file_name), job.file,
                problems.joined(), "see daoctl-sync.yaml(5) for the file format");
  return job;
}

}  // namespace daoctl::sync
