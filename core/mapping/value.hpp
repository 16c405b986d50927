// The values the mapping language computes: null, a string, a list of strings
// (multi-valued attributes) or a boolean.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace daoctl::mapping {

using List = std::vector<std::string>;

struct Value {
  // monostate is null: the source has no value (missing attribute, empty
  // field, nothing after a transform). A sync treats null as "not set".
  std::variant<std::monostate, std::string, List, bool> data;

  Value() = default;
  Value(std::string s) : data(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  Value(const char* s) : data(std::string(s)) {}  // NOLINT(google-explicit-constructor)
  Value(List l) : data(std::move(l)) {}          // NOLINT(google-explicit-constructor)
  Value(bool b) : data(b) {}                     // NOLINT(google-explicit-constructor)

  bool is_null() const noexcept { return std::holds_alternative<std::monostate>(data); }
  const std::string* string() const noexcept { return std::get_if<std::string>(&data); }
  const List* list() const noexcept { return std::get_if<List>(&data); }
  const bool* boolean() const noexcept { return std::get_if<bool>(&data); }

  friend bool operator==(const Value&, const Value&) = default;
};

// The truth of a value in `and`, `or`, `not`, `bool`: null, "", "0" and
// "false" (any case) are false, so are false and the empty list; everything
// else is true ("no"/"нет" are true: only the spellings above are special).
bool truthy_text(std::string_view text) noexcept;
bool truthy(const Value& value) noexcept;

// For messages: 'text', ['a', 'b'], true, null. Long strings are cut to 60
// code points and marked with …, so binary photos do not flood a log.
std::string describe(const Value& value);
std::string quote_for_message(std::string_view text);

// null → null, string → string, list → array, bool → bool.
void to_json(nlohmann::json& out, const Value& value);

}  // namespace daoctl::mapping
