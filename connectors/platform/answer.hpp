// Answer: checked reads of a server's JSON answer.
//
// nlohmann's `.value()` and `.get<T>()` throw type_error when the server sends
// another type than the contract says ("id": 5, "active": "yes", Resources an
// object), which ended in "internal error ... this is a bug in daoctl". Every
// read of a server answer goes through an Answer instead: a wrong type is a
// Remote error (exit 1) naming the object ("user 42"), the field as a JSON
// pointer from the answer's root ("/active", "/Resources/0/id") and what came
// instead ("a string (\"yes\"), expected a boolean").
//
// Result-returning reads (find, get, get_or) are for connectors; the
// throwing ones (required, value, array, object) end a command with a
// CommandError, like value_or_throw.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/error.hpp"

namespace daoctl::platform {

enum class JsonKind { String, Boolean, Integer, Number, Object, Array };

class Answer {
 public:
  // `object` names what the answer describes ("user 42", "page 2 of
  // /scim/v2/Users"); `base` is the JSON pointer of `doc` inside the whole
  // answer ("/Resources/3"), so errors name the field from the answer's root.
  Answer(const nlohmann::json& doc, std::string object, std::string base = {})
      : doc_(&doc), object_(std::move(object)), base_(std::move(base)) {}

  const nlohmann::json& doc() const { return *doc_; }
  const std::string& name() const { return object_; }
  const std::string& base() const { return base_; }

  // The value at `pointer` ("/id", "/meta/version", "" for the answer itself)
  // if it has `kind`; nullptr when it (or a parent) is absent or null. A value
  // or a parent of another type is a Remote error.
  Result<const nlohmann::json*> find_kind(std::string_view pointer, JsonKind kind) const;

  // The element at `pointer` as an Answer of its own (errors keep the path).
  Answer at(std::string_view pointer, const nlohmann::json& value) const {
    return Answer(value, object_, base_ + std::string(pointer));
  }
  Answer element(std::size_t index, const nlohmann::json& value) const {
    return Answer(value, object_, base_ + "/" + std::to_string(index));
  }

  template <class T>
  Result<std::optional<T>> find(std::string_view pointer) const {
    auto v = find_kind(pointer, kind_of<T>());
    if (!v) return std::unexpected(std::move(v.error()));
    if (*v == nullptr) return std::optional<T>();
    return std::optional<T>((*v)->template get<T>());
  }
  // Absent or null is an error too ("has no field ...").
  template <class T>
  Result<T> get(std::string_view pointer) const {
    auto v = find<T>(pointer);
    if (!v) return std::unexpected(std::move(v.error()));
    if (!*v) return std::unexpected(missing(pointer, kind_of<T>()));
    return std::move(**v);
  }
  template <class T>
  Result<T> get_or(std::string_view pointer, T fallback) const {
    auto v = find<T>(pointer);
    if (!v) return std::unexpected(std::move(v.error()));
    return *v ? std::move(**v) : std::move(fallback);
  }

  // For commands: the same reads, throwing CommandError.
  template <class T>
  T required(std::string_view pointer) const {
    return value_or_throw(get<T>(pointer));
  }
  template <class T>
  T value(std::string_view pointer, T fallback) const {
    return value_or_throw(get_or<T>(pointer, std::move(fallback)));
  }
  std::string value(std::string_view pointer, const char* fallback) const {
    return value<std::string>(pointer, std::string(fallback));
  }
  // Throws unless the value at `pointer` is absent, null or of `kind`.
  void check(std::string_view pointer, JsonKind kind) const { value_or_throw(find_kind(pointer, kind)); }
  // The array / object at `pointer`; an empty one when absent or null.
  const nlohmann::json& array(std::string_view pointer) const;
  const nlohmann::json& object(std::string_view pointer) const;

  // "unexpected answer from the platform (user 42): field /active is a
  // string ("yes"), expected a boolean".
  Error wrong_type(std::string_view pointer, const nlohmann::json& found, JsonKind expected) const;
  Error missing(std::string_view pointer, JsonKind expected) const;

  template <class T>
  static constexpr JsonKind kind_of() {
    if constexpr (std::is_same_v<T, std::string>) return JsonKind::String;
    else if constexpr (std::is_same_v<T, bool>) return JsonKind::Boolean;
    else if constexpr (std::is_integral_v<T>) return JsonKind::Integer;
    else if constexpr (std::is_floating_point_v<T>) return JsonKind::Number;
    else if constexpr (std::is_same_v<T, nlohmann::json::object_t>) return JsonKind::Object;
    else if constexpr (std::is_same_v<T, nlohmann::json::array_t>) return JsonKind::Array;
    else static_assert(!sizeof(T), "Answer reads strings, booleans, numbers, objects and arrays");
  }

 private:
  const nlohmann::json* doc_;
  std::string object_;
  std::string base_;
};

const char* to_string(JsonKind kind) noexcept;

}  // namespace daoctl::platform
