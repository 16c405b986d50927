#include "connectors/platform/answer.hpp"

#include "core/schema/yaml_json.hpp"

namespace daoctl::platform {

using nlohmann::json;

const char* to_string(JsonKind kind) noexcept {
  switch (kind) {
    case JsonKind::String: return "a string";
    case JsonKind::Boolean: return "a boolean";
    case JsonKind::Integer: return "an integer";
    case JsonKind::Number: return "a number";
    case JsonKind::Object: return "an object";
    case JsonKind::Array: return "an array";
  }
  return "a value";
}

namespace {

bool has_kind(const json& v, JsonKind kind) {
  switch (kind) {
    case JsonKind::String: return v.is_string();
    case JsonKind::Boolean: return v.is_boolean();
    case JsonKind::Integer: return v.is_number_integer();
    case JsonKind::Number: return v.is_number();
    case JsonKind::Object: return v.is_object();
    case JsonKind::Array: return v.is_array();
  }
  return false;
}

std::string describe_value(const json& v) {
  const char* kind = v.is_array()            ? "an array"
                     : v.is_object()         ? "an object"
                     : v.is_string()         ? "a string"
                     : v.is_boolean()        ? "a boolean"
                     : v.is_number_integer() ? "an integer"
                     : v.is_number()         ? "a number"
                                             : "null";
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(kind) + " (" + text + ")";
}

bool is_index(const std::string& token) {
  return !token.empty() && token.size() < 10 &&
         token.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Error Answer::wrong_type(std::string_view pointer, const json& found, JsonKind expected) const {
  const std::string path = base_ + std::string(pointer);
  return Error{ErrorKind::Remote, "unexpected answer from the platform", object_,
               "field " + (path.empty() ? std::string("/") : path) + " is " + describe_value(found) +
                   ", expected " + to_string(expected),
               "the platform (or a proxy in between) does not answer as its API contract says "
               "(schemas/openapi.yaml); nothing after this answer was done; report it to the platform",
               0, {}};
}

Error Answer::missing(std::string_view pointer, JsonKind expected) const {
  const std::string path = base_ + std::string(pointer);
  return Error{ErrorKind::Remote, "unexpected answer from the platform", object_,
               "field " + (path.empty() ? std::string("/") : path) + " is missing, expected " +
                   to_string(expected),
               "the platform (or a proxy in between) does not answer as its API contract says "
               "(schemas/openapi.yaml); nothing after this answer was done; report it to the platform",
               0, {}};
}

Result<const json*> Answer::find_kind(std::string_view pointer, JsonKind kind) const {
  const json* cur = doc_;
  std::size_t pos = 0;
  while (pos < pointer.size() && cur != nullptr && !cur->is_null()) {
    if (pointer[pos] != '/') return std::unexpected(missing(pointer, kind));  // not a pointer: a bug
    const std::size_t end = std::min(pointer.find('/', pos + 1), pointer.size());
    const std::string token = schema::unescape_pointer_token(pointer.substr(pos + 1, end - pos - 1));
    const std::string_view parent = pointer.substr(0, pos);
    if (cur->is_object()) {
      auto it = cur->find(token);
      cur = it == cur->end() ? nullptr : &*it;
    } else if (cur->is_array() && is_index(token)) {
      const std::size_t i = std::stoul(token);
      cur = i < cur->size() ? &(*cur)[i] : nullptr;
    } else {
      return std::unexpected(
          wrong_type(parent, *cur, is_index(token) ? JsonKind::Array : JsonKind::Object));
    }
    pos = end;
  }
  if (cur == nullptr || cur->is_null()) return static_cast<const json*>(nullptr);
  if (!has_kind(*cur, kind)) return std::unexpected(wrong_type(pointer, *cur, kind));
  return cur;
}

const json& Answer::array(std::string_view pointer) const {
  static const json empty = json::array();
  const json* v = value_or_throw(find_kind(pointer, JsonKind::Array));
  return v ? *v : empty;
}

const json& Answer::object(std::string_view pointer) const {
  static const json empty = json::object();
  const json* v = value_or_throw(find_kind(pointer, JsonKind::Object));
  return v ? *v : empty;
}

}  // namespace daoctl::platform
