#include "core/hr/json_records.hpp"

#include <fmt/format.h>

namespace daoctl::hr {

using nlohmann::json;

namespace {

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// Deeper records are refused: the recursion below must not overflow the
// stack on a hostile file ("[[[[...]]]]" nested 100,000 times).
constexpr int kMaxRecordDepth = 100;

// False when `v` nests deeper than kMaxRecordDepth.
bool flatten_into(SourceRecord& record, const std::string& name, const json& v, int depth = 0) {
  if (depth > kMaxRecordDepth) return false;
  switch (v.type()) {
    case json::value_t::object:
      if (v.empty()) {
        record.field(name);
        return true;
      }
      for (const auto& [k, sub] : v.items())
        if (!flatten_into(record, name.empty() ? k : name + "." + k, sub, depth + 1)) return false;
      return true;
    case json::value_t::array:
      // Only an empty array leaves a bare field; elements that are objects
      // produce dotted sub-fields instead.
      if (v.empty()) record.field(name);
      for (const auto& element : v)
        if (!flatten_into(record, name, element, depth + 1)) return false;
      return true;
    case json::value_t::null:
    case json::value_t::discarded:
      record.field(name);
      return true;
    default:
      record.add(name, scalar_text(v));
      return true;
  }
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    default: return "a number";
  }
}

}  // namespace

Status validate_json_record_options(const JsonRecordOptions& options) {
  for (const auto& f : options.fields) {
    try {
      json::json_pointer p(f.pointer);
      (void)p;
    } catch (const json::exception& e) {
      return fail(ErrorKind::Config, fmt::format("invalid JSON pointer '{}' for field '{}'",
                                                 f.pointer, f.name),
                  {}, e.what(), "a pointer looks like /address/city");
    }
  }
  return {};
}

Result<SourceRecord> json_to_record(const json& value, std::string origin,
                                    const JsonRecordOptions& options) {
  if (!value.is_object())
    return fail(ErrorKind::Parse, "a record is not a JSON object", origin,
                fmt::format("found {}", type_name(value)), "check records: (the pointer to the array of records)");
  SourceRecord record;
  record.origin = std::move(origin);
  bool flat = true;
  if (options.fields.empty()) {
    record.fields.reserve(value.size());
    flat = flatten_into(record, "", value);
  } else {
    for (const auto& f : options.fields) {
      json::json_pointer p(f.pointer);  // syntax checked by validate_json_record_options
      if (value.contains(p))
        flat = flat && flatten_into(record, f.name, value.at(p));
      else
        record.field(f.name);
    }
  }
  if (!flat)
    return fail(ErrorKind::Parse, "a record is nested too deeply", record.origin,
                fmt::format("values nest more than {} levels deep", kMaxRecordDepth));
  if (!options.key.empty()) {
    const Field* key = record.find(options.key);
    if (key == nullptr || key->values.empty() || key->values.front().empty())
      return fail(ErrorKind::Parse, fmt::format("record has no value in key field '{}'", options.key),
                  record.origin, "every record needs a key to be matched",
                  "check key: and the source data");
  }
  return record;
}

Result<const json*> find_records_array(const json& doc, const std::string& pointer,
                                       const std::string& object) {
  const json* node = &doc;
  if (!pointer.empty()) {
    json::json_pointer p;
    try {
      p = json::json_pointer(pointer);
    } catch (const json::exception& e) {
      return fail(ErrorKind::Config, fmt::format("invalid JSON pointer '{}' in records:", pointer),
                  object, e.what());
    }
    if (!doc.contains(p))
      return fail(ErrorKind::Parse, fmt::format("no records at '{}'", pointer), object,
                  fmt::format("the document has nothing at {}", pointer),
                  "check records: against the document");
    node = &doc.at(p);
  }
  if (!node->is_array())
    return fail(ErrorKind::Parse,
                fmt::format("records at '{}' are not an array", pointer.empty() ? "/" : pointer),
                object, fmt::format("found {}", type_name(*node)),
                node->is_object() ? "set records: to the pointer of the array, e.g. /data"
                                  : "check records: against the document");
  return node;
}

text::TextPosition position_of_byte(std::string_view text, size_t offset) {
  text::TextPosition pos;
  bool pending_cr = false;
  text::advance_position(pos, pending_cr, text.substr(0, std::min(offset, text.size())));
  return pos;
}

Error json_parse_error(const json::parse_error& e, std::string_view text, const std::string& object) {
  // e.byte is 1-based: the byte that could not be parsed (or one past the end).
  size_t offset = e.byte == 0 ? 0 : e.byte - 1;
  text::TextPosition pos = position_of_byte(text, offset);
  std::string what = e.what();
  // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L,
  // column C: " with byte columns; ours counts characters, so drop theirs.
  if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
  Error err;
  err.kind = ErrorKind::Parse;
  err.message = fmt::format("malformed JSON in {}", object);
  err.object = fmt::format("{}:{}:{}", object, pos.line, pos.column);
  err.detail = std::move(what);
  return err;
}

}  // namespace daoctl::hr
