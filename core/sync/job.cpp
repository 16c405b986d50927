#include "core/sync/job.hpp"

#include "core/stats/period.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "core/mapping/transforms.hpp"
#include "core/mapping/unicode.hpp"
#include "core/schema/json_schema_validator.hpp"
#include "core/text/ascii.hpp"
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
  void add(const schema::Problem& problem) { lines_.push_back(schema::format_problem(problem, file_, positions_)); }
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

// Without the blanks (spaces and tabs) at either end.
std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `source.field` where field may be quoted with ' or " (quotes removed).
std::optional<mapping::Reference> parse_reference(std::string_view text) {
  text = trim_blanks(text);
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
      // A lone '=': not part of ==, <=, >= or != inside a key expression.
      const bool part_of_operator = (i > 0 && std::string_view("=<>!").find(text[i - 1]) != std::string_view::npos) ||
                                    (i + 1 < text.size() && text[i + 1] == '=');
      if (!part_of_operator) return std::pair{text.substr(0, i), text.substr(i + 1)};
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

// "file:line:column" of the text `extra_columns` code points into the scalar
// at `pointer` (past its opening quote, when it is quoted).
std::string where_in(const JobSpec& job, std::string_view text, const std::string& pointer, std::size_t extra_columns) {
  auto pos = job.positions.find(pointer);
  if (!pos) return job.file;
  std::size_t line_start = 0;
  for (int l = 1; l < pos->line && line_start != std::string_view::npos; ++l) {
    line_start = text.find('\n', line_start);
    if (line_start != std::string_view::npos) ++line_start;
  }
  int quote = 0;
  if (line_start != std::string_view::npos) {
    std::size_t at = line_start + static_cast<std::size_t>(pos->column - 1);
    if (at < text.size() && (text[at] == '"' || text[at] == '\'')) quote = 1;
  }
  return fmt::format("{}:{}:{}", job.file, pos->line, pos->column + quote + static_cast<int>(extra_columns));
}

void add_uses(JobSpec& job, std::string_view text, const std::string& pointer, const std::string& what,
              const std::vector<mapping::ReferenceUse>& uses, std::size_t extra_columns = 0) {
  for (const auto& u : uses)
    for (auto& s : job.sources)
      if (s.name == u.reference.source)
        s.uses.push_back({u.reference.field, where_in(job, text, pointer, extra_columns + u.column - 1), what});
}

}  // namespace

const char* to_string(Duplicates d) {
  switch (d) {
    case Duplicates::PreferActive: return "prefer_active";
    case Duplicates::Last: return "last";
    case Duplicates::First: return "first";
    case Duplicates::Error: return "error";
  }
  return "?";
}

std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& names) {
  const std::string wanted = mapping::unicode::lower(name);
  const std::size_t limit =
      std::clamp<std::size_t>(mapping::unicode::count_code_points(name) / 3, 1, 3);
  std::vector<std::pair<std::size_t, const std::string*>> scored;
  for (const auto& n : names) {
    if (n.empty()) continue;
    std::size_t d = mapping::edit_distance(wanted, mapping::unicode::lower(n));
    if (d <= limit) scored.emplace_back(d, &n);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, n] : scored) {
    if (out.size() == 3) break;
    if (std::find(out.begin(), out.end(), *n) == out.end()) out.push_back(*n);
  }
  return out;
}

Status check_fields(const SourceSpec& source, const std::function<bool(std::string_view)>& present,
                    const std::vector<std::string>& names, std::string_view read) {
  std::vector<std::string> lines;
  std::vector<std::string> missing;
  for (const auto& use : source.uses) {
    if (present(use.field)) continue;
    if (std::find(missing.begin(), missing.end(), use.field) == missing.end()) missing.push_back(use.field);
    std::string line = fmt::format("{}: {} names {}.{}, which {} lacks", use.where, use.what, source.name,
                                   mapping::quote_for_message(use.field), read);
    auto near = nearest_names(use.field, names);
    if (!near.empty()) {
      line += "; nearest: ";
      for (std::size_t i = 0; i < near.size(); ++i)
        line += (i ? ", " : "") + mapping::quote_for_message(near[i]);
    } else {
      std::string all;
      std::size_t shown = 0;
      for (const auto& n : names) {
        if (n.empty()) continue;
        if (++shown > 12) {
          all += ", …";
          break;
        }
        all += (all.empty() ? "" : ", ") + mapping::quote_for_message(n);
      }
      line += all.empty() ? "; it has no fields at all" : "; it has " + all;
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) return {};
  std::string detail;
  for (const auto& l : lines) detail += (detail.empty() ? "" : "\n") + l;
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + mapping::quote_for_message(m);
  std::string hint = "fix the name in the job file (or the export); a field the source lacks is never read as empty";
  if (source.type == "ldap")
    hint += "; an attribute some entries legitimately lack belongs in attributes: of source " + source.name;
  return fail(ErrorKind::Config,
              fmt::format("source {} has no field {} that the job names", source.name, list),
              "source " + source.name, detail, hint);
}

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
    for (const auto* key : {&j.left_key, &j.right_key})
      if (*key)
        for (const auto& r : (*key)->references())
          if (r.source == source_name) add(r.field);
    if (j.left_source == source_name && !j.left_field.empty()) add(j.left_field);
    if (j.right_source == source_name && !j.right_field.empty()) add(j.right_field);
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
  for (const auto& p : validator->validate(root)) problems.add(p);
  // Each source against the definition of its type: a schema-level if/then
  // would report the properties of every other type as "not allowed" too.
  if (root.contains("sources") && root["sources"].is_object())
    for (const auto& [name, cfg] : root["sources"].items()) {
      if (!cfg.is_object() || !cfg.contains("type") || !cfg["type"].is_string()) continue;
      const auto* v = source_validator(cfg["type"].get<std::string>());
      if (!v) continue;
      for (auto p : v->validate(cfg)) {
        p.path = ptr({"sources", name}) + p.path;
        problems.add(p);
      }
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
    if (s.type == "csv") s.declared_fields = cfg.value("columns", std::vector<std::string>{});
    if (s.type == "json" || s.type == "http_json") s.declared_fields = cfg.value("fields", std::vector<std::string>{});
    if (s.type == "ldap") {
      // attributes: are what the search asks for beyond the names the job
      // uses (memberOf and other operational attributes) and may be absent on
      // every entry; fields:, when given, is the complete list of names the
      // job uses, checked when the job loads. Two keys, so that the meaning of
      // attributes: every existing job relies on stays as it was.
      s.declared_fields = cfg.value("attributes", std::vector<std::string>{});
      for (const auto& f : cfg.value("fields", std::vector<std::string>{})) s.declared_fields.push_back(f);
      // Always on an LDAP record: the DN and the account state daoctl computes.
      for (const char* f : {"dn", "disabled", "disabled_reason"}) s.declared_fields.push_back(f);
      // A group search (sources.<name>.groups) gives every entry the field
      // `groups`: its effective groups (connectors/sources, SYNC-SOURCES.md).
      if (cfg.contains("groups")) s.declared_fields.push_back("groups");
    }
    std::string dup = cfg.value("duplicates", "prefer_active");
    s.duplicates = dup == "last" ? Duplicates::Last
                   : dup == "first" ? Duplicates::First
                   : dup == "error" ? Duplicates::Error : Duplicates::PreferActive;
    s.dates = cfg.value("dates", "");
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

  // Lookup tables.
  mapping::CompileOptions copts;
  job.today = options.today;
  const std::string zone = root.contains("deprovision") ? root["deprovision"].value("timezone", "") : "";
  if (job.today.empty() && options.now) {
    auto date = options.date_in_zone ? options.date_in_zone(*options.now, zone)
                                     : Result<std::string>(fail(ErrorKind::Internal, "no zone reader given to load_job"));
    if (date) job.today = *date;
    else problems.add("/deprovision/timezone", "unknown time zone '" + zone +
                                                   "' (expected an IANA name such as Europe/Moscow): " +
                                                   date.error().describe());
  } else if (!zone.empty() && options.date_in_zone &&
             !options.date_in_zone(options.now.value_or(std::chrono::system_clock::time_point{}), zone)) {
    problems.add("/deprovision/timezone", "unknown time zone '" + zone + "' (expected an IANA name such as Europe/Moscow)");
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

  // Joins: each attaches a new source to one already reachable from primary.
  // A side is a bare reference (`hr.tab_no`) or an expression of one source
  // that normalises its key (`hr.tab_no | digits | replace('^0+', '')`).
  std::vector<std::string> joined{job.primary};
  auto is_joined = [&](const std::string& n) {
    return std::find(joined.begin(), joined.end(), n) != joined.end();
  };
  struct JoinSide {
    std::string source, field;
    std::optional<mapping::Expression> key;
    std::size_t column = 0;  // code points before the side in the join text
  };
  auto parse_side = [&](std::string_view side, std::size_t column, const std::string& where,
                        const std::string& jtext) -> std::optional<JoinSide> {
    JoinSide out;
    out.column = column;
    auto e = mapping::Expression::parse(side, copts);
    if (e) {
      std::set<std::string> sources;
      for (const auto& r : e->references()) sources.insert(r.source);
      if (sources.size() != 1) {
        problems.add(where, fmt::format("each side of a join reads one source, '{}' reads {}", trim_blanks(side),
                                        sources.size()));
        return std::nullopt;
      }
      out.source = *sources.begin();
      if (const auto* plain = e->plain_reference()) out.field = plain->field;
      out.key = std::move(*e);
      return out;
    }
    // The old form: everything after the dot is the field name, unquoted
    // spaces and dots included (`hr.Табельный номер`).
    if (auto r = side.find_first_of("|()") == std::string_view::npos ? parse_reference(side) : std::nullopt;
        r && job.source(r->source)) {
      out.source = r->source;
      out.field = r->field;
      return out;
    }
    problems.add_line(fmt::format("{}: {}: in join '{}': {}",
                                  where_in(job, text, where, column + (e.error().column > 0 ? e.error().column - 1 : 0)),
                                  where, jtext, e.error().message));
    return std::nullopt;
  };
  if (root.contains("join")) {
    for (std::size_t i = 0; i < root["join"].size(); ++i) {
      std::string where = "/join/" + std::to_string(i);
      std::string jtext = root["join"][i].get<std::string>();
      auto sides = split_join(jtext);
      if (!sides) {
        problems.add(where, "expected 'source.field = source.field', got '" + jtext + "'");
        continue;
      }
      auto a = parse_side(sides->first, 0, where, jtext);
      auto b = parse_side(sides->second,
                          mapping::unicode::count_code_points(sides->first) + 1, where, jtext);
      if (!a || !b) continue;
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
      JoinSpec js{a->source, a->field, b->source, b->field, jtext, std::move(a->key), std::move(b->key)};
      if (js.left_key) add_uses(job, text, where, "join[" + std::to_string(i) + "]", js.left_key->uses(), a->column);
      if (js.right_key) add_uses(job, text, where, "join[" + std::to_string(i) + "]", js.right_key->uses(), b->column);
      for (const auto* side : {&*a, &*b})
        if (!side->key)
          for (auto& src : job.sources)
            if (src.name == side->source)
              src.uses.push_back({side->field, where_in(job, text, where, side->column), "join[" + std::to_string(i) + "]"});
      job.joins.push_back(std::move(js));
      joined.push_back(b->source);
    }
  }
  for (const auto& s : job.sources)
    if (!is_joined(s.name))
      problems.add(ptr({"sources", s.name}),
                   "source '" + s.name + "' is not joined to '" + job.primary +
                       "'; add a join such as " + s.name + ".key = " + job.primary + ".key");

  // Mapping templates, compiled once.
  const json& m = root.at("mapping");
  for (const auto& field : mapping_fields()) {
    if (!m.contains(field)) continue;
    std::string where = ptr({"mapping", field});
    auto t = mapping::Template::parse(m[field].get<std::string>(), copts);
    if (!t) {
      // file:line:column of the error itself, past the scalar's opening quote.
      problems.add_line(fmt::format("{}: {}: {}", where_in(job, text, where, t.error().column > 0 ? t.error().column - 1 : 0),
                                    where, t.error().message));
      continue;
    }
    add_uses(job, text, where, "mapping." + field, t->uses());
    job.mapping.emplace_back(field, std::move(*t));
  }

  // Decision: a photo mapped for a plain SCIM service is an error, not a
  // warning; RFC 7644 has no photo upload, so the field could only be
  // dropped silently, every night.
  if (job.target == "scim" && m.contains("photo"))
    problems.add("/mapping/photo",
                 "target scim cannot take photos (a plain SCIM 2.0 service has no photo upload); remove photo "
                 "from the mapping or use target: platform");
  // The same for the platform's profile extension: a plain SCIM 2.0 service
  // stores the core User and the Enterprise extension only, so these fields
  // would be planned as changes on every run and sent as empty PATCHes.
  if (job.target == "scim")
    for (const char* field : {"skills", "location", "birthday", "hireDate"})
      if (m.contains(field))
        problems.add(ptr({"mapping", field}),
                     std::string("target scim cannot store ") + field +
                         " (a plain SCIM 2.0 service has the core User and the Enterprise extension only; " +
                         field + " is in the platform's profile extension); remove " + field +
                         " from the mapping or use target: platform");

  if (root.contains("departments")) {
    job.department_separator = root["departments"].value("separator", "/");
    job.delete_empty_departments = root["departments"].value("delete_empty", false);
    job.scim_department_leaf = root["departments"].value("scim_value", "path") == "leaf";
  }
  if (root.contains("groups")) {
    const json& g = root["groups"];
    auto from = parse_reference(g.at("from").get<std::string>());
    if (!from || !job.source(from->source)) {
      problems.add("/groups/from", "expected source.field of a known source, e.g. ad.memberOf");
    } else {
      GroupSpec gs;
      gs.from = *from;
      for (auto& src : job.sources)
        if (src.name == from->source) src.uses.push_back({from->field, where_in(job, text, "/groups/from", 0), "groups.from"});
      gs.include = g.value("include", std::vector<std::string>{});
      gs.exclude = g.value("exclude", std::vector<std::string>{});
      gs.name_from_cn = g.value("name", "cn") == "cn";
      job.groups = std::move(gs);
    }
  }
  // Group membership that cannot be what the job means, said on every
  // validate and plan: a group search nothing reads, and memberOf read where
  // the groups themselves could be (direct only, by name, needs an overlay).
  for (const auto& src : job.sources) {
    if (src.type != "ldap") continue;
    const bool searches = src.config.contains("groups");
    const bool reads_search = job.groups && job.groups->from.source == src.name && job.groups->from.field == "groups";
    const bool reads_member_of =
        job.groups && job.groups->from.source == src.name && mapping::unicode::lower(job.groups->from.field) == "memberof";
    if (searches && !reads_search)
      job.warnings.push_back(where_in(job, text, ptr({"sources", src.name, "groups"}), 0) + ": sources." +
                             src.name + ".groups searches the directory's groups, but no membership is read from "
                             "it; set groups.from: " + src.name + ".groups");
    if (!searches && reads_member_of)
      job.warnings.push_back(
          where_in(job, text, "/groups/from", 0) + ": groups.from reads " + src.name +
          ".memberOf: direct memberships only (members of a nested group are not members of the groups above "
          "it), groups known by name (a renamed group becomes a new one), and OpenLDAP keeps memberOf only with "
          "the memberof overlay; add sources." + src.name +
          ".groups to read membership from the groups themselves (docs/SYNC-SOURCES.md)");
  }
  if (root.contains("link")) job.link_by = root["link"].value("by", std::vector<std::string>{});
  if (root.contains("unique"))
    for (const auto& [field, how] : root["unique"].items()) job.unique[field] = how.get<std::string>();
  if (root.contains("deprovision")) {
    job.deprovision = root["deprovision"];
    std::vector<std::string> policy_problems;
    job.dismissal =
        deprovision::compile_policy(job.deprovision, copts, job.file, job.positions, policy_problems, text);
    for (const auto& p : policy_problems) problems.add_line(p);
    if (job.deprovision.contains("dismissed_when") && job.deprovision["dismissed_when"].is_array()) {
      const json& rules = job.deprovision["dismissed_when"];
      for (const auto& rule : job.dismissal.rules) {
        if (!rule.expression) continue;
        for (std::size_t i = 0; i < rules.size(); ++i)
          if (rules[i].is_string() && rules[i].get<std::string>() == rule.text) {
            add_uses(job, text, "/deprovision/dismissed_when/" + std::to_string(i),
                     "deprovision.dismissed_when[" + std::to_string(i) + "]", rule.expression->uses());
            break;
          }
      }
    }
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
    if (s.contains("window") && s["window"].is_string()) {
      if (auto d = stats::parse_duration(s["window"].get<std::string>()))
        job.safety.window_seconds = *d;
      else
        problems.add(ptr({"safety", "window"}), "not a duration such as 10m, 1h or 30s");
    }
  }
  if (root.contains("safety") && root["safety"].contains("min_join_rate")) {
    const json& r = root["safety"]["min_join_rate"];
    if (r.is_number()) {
      job.safety.min_join_rate = r.get<double>();
    } else {
      for (const auto& [k, v] : r.items()) {
        if (!job.source(k)) problems.add(ptr({"safety", "min_join_rate", k}), "no source named '" + k + "'");
        job.safety.min_join_rate_of[k] = v.get<double>();
      }
    }
  }
  for (auto& src : job.sources)
    if (!src.key.empty() && !(src.type == "ldap" && src.key == "dn"))
      src.uses.insert(src.uses.begin(), {src.key, where_in(job, text, ptr({"sources", src.name, "key"}), 0),
                                         "sources." + src.name + ".key"});
  // Sources that declare their fields in the job itself (a CSV's columns:,
  // an LDAP source's attributes:, a JSON source's fields:) are checked now,
  // so `validate` finds a misspelt name without reading any data.
  for (const auto& src : job.sources) {
    const bool ldap = src.type == "ldap";
    const char* read = src.type == "csv" ? "its columns:" : "its fields:";
    if (src.type == "csv" ? src.declared_fields.empty() : !src.config.contains("fields")) continue;
    auto same = [ldap](std::string_view a, std::string_view b) {
      // LDAP attribute names are case-insensitive (RFC 4512); record fields are not.
      return ldap ? text::iequals(a, b) : a == b;
    };
    auto missing = check_fields(
        src,
        [&](std::string_view f) {
          if (ldap)
            for (const char* state : {"userAccountControl", "accountExpires", "pwdAccountLockedTime",
                                      "nsAccountLock", "shadowExpire"})
              if (same(f, state)) return true;
          return std::any_of(src.declared_fields.begin(), src.declared_fields.end(),
                             [&](const std::string& d) { return same(d, f); });
        },
        src.declared_fields, read);
    if (!missing)
      for (std::size_t b = 0, e; b < missing.error().detail.size(); b = e + 1) {
        e = missing.error().detail.find('\n', b);
        if (e == std::string::npos) e = missing.error().detail.size();
        problems.add_line(missing.error().detail.substr(b, e - b));
      }
  }
  if (root.contains("apply")) {
    job.concurrency = root["apply"].value("concurrency", job.concurrency);
    if (root["apply"].contains("rate_limit")) job.rate_limit = parse_rate(root["apply"]["rate_limit"]);
    if (root["apply"].contains("retries")) {
      job.retry_attempts = root["apply"]["retries"].value("attempts", 0);
      job.retry_max_wait_seconds = root["apply"]["retries"].value("max_wait", 0.0);
    }
    if (root["apply"].contains("pacing")) {
      job.pacing_mode = root["apply"]["pacing"].value("mode", "");
      job.pacing_min_rate = root["apply"]["pacing"].value("min_rate", 0.0);
    }
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
