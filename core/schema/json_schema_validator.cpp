#include "core/schema/json_schema_validator.hpp"

#include "core/text/suggest.hpp"

#include <stdexcept>
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
#include <charconv>
#include <cmath>
#include <regex>
#include <set>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <mutex>

namespace daoctl::schema {

struct JsonSchemaValidator::Compiled {
  nlohmann::json document;  // the schema as compiled, with the reference targets beside it
  valijson::Schema schema;
  // One valijson::Validator for every validate() call: it caches the
  // compiled std::regex of each "pattern", which otherwise is rebuilt per
  // call (most of the CPU of validating a large JSON Lines manifest).
  mutable std::mutex mutex;
  mutable valijson::Validator validator{valijson::Validator::kStrongTypes};
};

namespace {

using nlohmann::json;

// Keys of a schema document's root that hold $ref targets; copied next to a
// schema compiled out of a larger document so that "#/..." still resolves.
constexpr const char* kReferenceRoots[] = {"components", "$defs", "definitions"};

// RFC 3339 full-date with real month lengths and leap years (Gregorian).
constexpr const char* kDatePattern =
    "(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579]"
    "[26])00)-02-29)";
constexpr const char* kTimePattern =
    "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";

// The pattern a checked format stands for; null for formats never checked.
const std::string* format_pattern(std::string_view format) {
  static const std::string date = std::string("^") + kDatePattern + "$";
  static const std::string date_time = std::string("^") + kDatePattern + kTimePattern + "$";
  if (format == "date") return &date;
  if (format == "date-time") return &date_time;
  return nullptr;
}

// The key a checked format is kept under: valijson ignores unknown keywords,
// so messages can still name the format.
constexpr const char* kFormatKey = "x-daoctl-format";

// Removes "format" from every schema position: it is documentation only in our
// contracts unless `check` (then date and date-time become a pattern, which the
// Validator compiles once; valijson's own format check compiles a std::regex
// for every value it sees).
void strip_format(json& schema, bool check);

void strip_format_in_map(json& map, bool check) {
  if (!map.is_object()) return;
  for (auto& [name, sub] : map.items()) strip_format(sub, check);
}

void strip_format(json& schema, bool check) {
  if (!schema.is_object()) return;
  if (auto it = schema.find("format"); it != schema.end() && it->is_string()) {
    const std::string format = it->get<std::string>();
    schema.erase(it);
    if (const std::string* pattern = check ? format_pattern(format) : nullptr) {
      schema[kFormatKey] = format;
      if (!schema.contains("pattern")) {
        schema["pattern"] = *pattern;
      } else {
        if (!schema.contains("allOf") || !schema["allOf"].is_array()) schema["allOf"] = json::array();
        schema["allOf"].push_back({{"pattern", *pattern}});
      }
    }
  }
  for (const char* key : {"properties", "patternProperties", "$defs", "definitions"})
    if (auto it = schema.find(key); it != schema.end()) strip_format_in_map(*it, check);
  for (const char* key : {"items", "additionalProperties", "additionalItems", "not", "contains",
                          "propertyNames", "if", "then", "else"})
    if (auto it = schema.find(key); it != schema.end()) {
      if (it->is_array())
        for (auto& sub : *it) strip_format(sub, check);
      else
        strip_format(*it, check);
    }
  for (const char* key : {"allOf", "anyOf", "oneOf"})
    if (auto it = schema.find(key); it != schema.end() && it->is_array())
      for (auto& sub : *it) strip_format(sub, check);
  if (auto it = schema.find("components"); it != schema.end() && it->is_object())
    if (auto schemas = it->find("schemas"); schemas != it->end()) strip_format_in_map(*schemas, check);
}

// Whether `value` is a valid instance of a checked format (only called for
// values that failed a pattern, to word the message).
bool matches_format(const json& value, std::string_view format) {
  const std::string* pattern = format_pattern(format);
  if (!pattern || !value.is_string()) return true;
  static const std::regex date(*format_pattern("date")), date_time(*format_pattern("date-time"));
  return std::regex_match(value.get_ref<const std::string&>(), format == "date" ? date : date_time);
}

const json* follow_refs(const json& root, const json* schema) {
  for (int hops = 0; hops < 32 && schema && schema->is_object(); ++hops) {
    auto ref = schema->find("$ref");
    if (ref == schema->end() || !ref->is_string()) return schema;
    const std::string& target = ref->get_ref<const std::string&>();
    if (!target.starts_with("#")) return nullptr;
    try {
      const json::json_pointer pointer(target.substr(1));
      if (!root.contains(pointer)) return nullptr;
      schema = &root.at(pointer);
    } catch (const json::exception&) {
      return nullptr;
    }
  }
  return schema;
}

struct Step {
  std::string token;  // unescaped property name or decimal index
  bool is_index = false;
};

// The subschema for one step below `schema`: its own properties/items first,
// then those of its allOf parts (how the contract composes resources).
const json* child_schema(const json& root, const json& schema, const Step& step, int depth) {
  if (depth > 8 || !schema.is_object()) return nullptr;
  const json* next = nullptr;
  if (step.is_index) {
    if (auto it = schema.find("items"); it != schema.end() && it->is_object()) next = &*it;
  } else {
    if (auto props = schema.find("properties");
        props != schema.end() && props->contains(step.token))
      next = &(*props)[step.token];
  }
  if (next) return follow_refs(root, next);
  if (auto all = schema.find("allOf"); all != schema.end() && all->is_array())
    for (const auto& part : *all)
      if (const json* resolved = follow_refs(root, &part))
        if (const json* found = child_schema(root, *resolved, step, depth + 1)) return found;
  if (!step.is_index)
    if (auto extra = schema.find("additionalProperties");
        extra != schema.end() && extra->is_object())
      return follow_refs(root, &*extra);
  return nullptr;
}

// The subschema that governs the node at `steps`, following properties,
// additionalProperties, items and $ref; nullptr where the way is ambiguous
// (allOf/anyOf/oneOf) — messages then just say less.
const json* subschema_at(const json& root, const std::vector<Step>& steps, std::size_t count) {
  const json* s = follow_refs(root, &root);
  for (std::size_t i = 0; i < count && s; ++i) {
    if (!s->is_object()) return nullptr;
    s = child_schema(root, *s, steps[i], 0);
  }
  return s;
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

// A value as it appears in a message: JSON text, long ones cut.
std::string render(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array of " + std::to_string(v.size());
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string render_number(double x) {
  if (std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 1e15)
    return std::to_string(static_cast<long long>(x));
  std::string text = std::to_string(x);
  while (!text.empty() && text.back() == '0') text.pop_back();
  return text;
}

std::string render_types(const json& type) {
  if (type.is_string()) return type.get<std::string>();
  std::string out;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i > 0) out += i + 1 == type.size() ? " or " : ", ";
    out += type[i].is_string() ? type[i].get<std::string>() : type[i].dump();
  }
  return out;
}

std::string render_enum(const json& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i].dump();
  return "[" + out + "]";
}

// valijson reports a failure inside a property or item twice: the real error at
// the child, and a summary at the parent. The summaries add nothing.
bool is_summary(const std::string& d) {
  return d.starts_with("Failed to validate against schema associated with property name") ||
         d.starts_with("Failed to validate item #") ||
         d.starts_with("Failed to validate against additional properties schema") ||
         d.starts_with("Failed to validate against schema associated with pattern") ||
         d.starts_with("Failed to validate against any schemas allowed by anyOf") ||
         d.starts_with("Failed to validate against any child schemas allowed by oneOf") ||
         d.starts_with("Failed to validate against a conditional schema") ||
         d.starts_with("Failed to validate against child schema #");
}

std::optional<double> trailing_number(const std::string& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  try {
    return std::stod(text.substr(prefix.size()));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string rewrite(const std::string& d, const json* value, const json* subschema) {
  const std::string v = value ? render(*value) : std::string("the value");
  if (auto x = trailing_number(d, "Expected number greater than or equal to "))
    return v + " is less than the minimum " + render_number(*x);
  if (auto x = trailing_number(d, "Expected number greater than "))
    return v + " is not greater than the exclusive minimum " + render_number(*x);
  if (auto x = trailing_number(d, "Expected number less than or equal to "))
    return v + " is greater than the maximum " + render_number(*x);
  if (auto x = trailing_number(d, "Expected number less than "))
    return v + " is not less than the exclusive maximum " + render_number(*x);
  if (auto x = trailing_number(d, "String should be no fewer than "))
    return v + " is shorter than the minimum length " + render_number(*x);
  if (auto x = trailing_number(d, "String should be no more than "))
    return v + " is longer than the maximum length " + render_number(*x);
  if (auto x = trailing_number(d, "Array should contain no fewer than "))
    return "array of " + std::to_string(value ? value->size() : 0) +
           " items has fewer than the minimum " + render_number(*x);
  if (auto x = trailing_number(d, "Array should contain no more than "))
    return "array of " + std::to_string(value ? value->size() : 0) +
           " items has more than the maximum " + render_number(*x);
  static const std::regex missing("Missing required property '(.*)'\\.");
  std::smatch m;
  if (std::regex_match(d, m, missing)) return "missing required property \"" + m[1].str() + "\"";
  if (d.starts_with("Value type not permitted by 'type' constraint")) {
    const std::string found = value ? type_name(*value) + " " + render(*value) : "a value";
    if (subschema && subschema->contains("type"))
      return "expected " + render_types((*subschema)["type"]) + ", found " + found;
    return found + " has a type the schema does not permit";
  }
  if (d.starts_with("Failed to match against any enum values")) {
    if (subschema && subschema->contains("enum") && (*subschema)["enum"].is_array())
      return v + " is not one of " + render_enum((*subschema)["enum"]);
    return v + " is not one of the allowed values";
  }
  if (d.starts_with("Failed to match expected value set by 'const'")) {
    if (subschema && subschema->contains("const"))
      return v + " is not the required value " + (*subschema)["const"].dump();
    return v + " is not the required value";
  }
  if (d.starts_with("Failed to match regex specified by 'pattern'")) {
    if (subschema && value && subschema->contains(kFormatKey) &&
        !matches_format(*value, (*subschema)[kFormatKey].get<std::string>())) {
      const std::string format = (*subschema)[kFormatKey].get<std::string>();
      return v + " is not a valid " + format +
             (format == "date" ? " (format date: YYYY-MM-DD, a real calendar day)"
                               : " (format date-time: RFC 3339, e.g. 2024-04-24T09:30:00Z)");
    }
    if (subschema && subschema->contains("pattern"))
      return v + " does not match the pattern " + (*subschema)["pattern"].get<std::string>();
    return v + " does not match the required pattern";
  }
  if (d.starts_with("Failed to validate against exactly one child schema"))
    return "matches more than one of the alternatives (oneOf)";
  if (d.starts_with("Elements at indexes #")) {
    static const std::regex dup("Elements at indexes #([0-9]+) and #([0-9]+) .*");
    if (std::regex_match(d, m, dup))
      return "items " + m[1].str() + " and " + m[2].str() + " are equal (uniqueItems)";
  }
  return d;
}

}  // namespace

std::string to_string(const Problem& problem) {
  return (problem.path.empty() ? std::string("(root)") : problem.path) + ": " + problem.message;
}

std::string format_problem(const Problem& problem, std::string_view file_name,
                           const SourceMap& positions) {
  std::string out(file_name);
  if (problem.at_key) {
    if (auto key = positions.find_key(problem.path))
      return out + ":" + std::to_string(key->line) + ":" + std::to_string(key->column) + ": " + problem.message;
  }
  if (auto pos = positions.find(problem.path))
    out += ":" + std::to_string(pos->line) + ":" + std::to_string(pos->column);
  return out + ": " + to_string(problem);
}

Result<JsonSchemaValidator> JsonSchemaValidator::compile(const nlohmann::json& document,
                                                         std::string_view schema_pointer,
                                                         CompileOptions options) {
  const std::string object =
      "JSON Schema at " +
      (schema_pointer.empty() ? std::string("#") : "#" + std::string(schema_pointer));
  auto compiled = std::make_shared<Compiled>();
  try {
    const json::json_pointer pointer{std::string(schema_pointer)};
    if (!document.contains(pointer))
      return fail(ErrorKind::Validation, "cannot compile JSON Schema", object, "no such node");
    compiled->document = document.at(pointer);
  } catch (const json::exception& e) {
    return fail(ErrorKind::Validation, "cannot compile JSON Schema", object,
                std::string("malformed JSON pointer: ") + e.what());
  }
  json& schema = compiled->document;
  if (!schema.is_object() && !schema.is_boolean())
    return fail(ErrorKind::Validation, "cannot compile JSON Schema", object,
                "a schema must be an object or a boolean, found " + type_name(schema));
  if (schema.is_boolean())
    schema = schema.get<bool>() ? json::object() : json{{"not", json::object()}};
  if (!schema_pointer.empty() && document.is_object())
    for (const char* key : kReferenceRoots)
      if (document.contains(key) && !schema.contains(key)) schema[key] = document[key];
  strip_format(schema, options.check_formats);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return fail(ErrorKind::Validation, "cannot compile JSON Schema", object, e.what());
  }
  return JsonSchemaValidator(std::move(compiled));
}

std::vector<Problem> JsonSchemaValidator::validate(const nlohmann::json& instance) const {
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(instance);
  {
    std::lock_guard lock(compiled_->mutex);
    compiled_->validator.validate(compiled_->schema, target, &results);
  }

  std::vector<Problem> problems;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& error : results) {
    if (is_summary(error.description)) continue;
    // The context is "<root>" then "[token]" per step; whether a token is an
    // index or a property name is decided by the instance itself.
    std::vector<Step> steps;
    std::string path;
    const json* node = &instance;
    for (std::size_t i = 1; i < error.context.size(); ++i) {
      std::string token = error.context[i];
      if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
        token = token.substr(1, token.size() - 2);
      Step step{token, node && node->is_array()};
      if (node) {
        if (node->is_array()) {
          std::size_t index = 0;
          const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
          node = ec == std::errc() && end == token.data() + token.size() && index < node->size()
                     ? &(*node)[index]
                     : nullptr;
        } else if (node->is_object() && node->contains(token)) {
          node = &(*node)[token];
        } else {
          node = nullptr;
        }
      }
      path += "/" + escape_pointer_token(token);
      steps.push_back(std::move(step));
    }
    const json* subschema = subschema_at(compiled_->document, steps, steps.size());
    Problem problem;
    static const std::regex unknown(
        "Object contains a property that could not be validated using 'properties' or "
        "'additionalProperties' constraints: '(.*)'\\.");
    std::smatch m;
    if (std::regex_match(error.description, m, unknown)) {
      // valijson names only the first unknown property; name them all when the
      // governing schema is known.
      std::vector<std::string> names;
      if (node && node->is_object() && subschema && subschema->contains("properties") &&
          !subschema->contains("patternProperties")) {
        for (const auto& [name, ignored] : node->items())
          if (!(*subschema)["properties"].contains(name)) names.push_back(name);
      }
      if (names.empty()) names.push_back(m[1].str());
      // The keys the file may have there, for "did you mean".
      std::vector<std::string> known;
      if (subschema && subschema->contains("properties") && (*subschema)["properties"].is_object())
        for (const auto& [key, ignored] : (*subschema)["properties"].items()) known.push_back(key);
      for (const auto& name : names) {
        std::string message = "unknown key '" + name + "'";
        if (auto near = text::suggestions(name, known); !near.empty()) {
          near.resize(std::min<std::size_t>(near.size(), 3));
          message += " (did you mean " + text::quoted_alternatives(near) + "?)";
        } else if (!known.empty() && known.size() <= 12) {
          std::string list;
          for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
          message += " (expected one of " + list + ")";
        }
        Problem extra{path + "/" + escape_pointer_token(name), std::move(message), true};
        if (seen.emplace(extra.path, extra.message).second) problems.push_back(std::move(extra));
      }
      continue;
    } else {
      problem.path = path;
      problem.message = rewrite(error.description, node, subschema);
    }
    if (seen.emplace(problem.path, problem.message).second) problems.push_back(std::move(problem));
  }
  return problems;
}

}  // namespace daoctl::schema
