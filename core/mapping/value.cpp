#include "core/mapping/value.hpp"

#include <nlohmann/json.hpp>

#include "core/mapping/unicode.hpp"

namespace daoctl::mapping {

namespace {

bool equals_false_ignoring_case(std::string_view text) noexcept {
  constexpr std::string_view word = "false";
  if (text.size() != word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

}  // namespace

bool truthy_text(std::string_view text) noexcept {
  return !(text.empty() || text == "0" || equals_false_ignoring_case(text));
}

bool truthy(const Value& value) noexcept {
  if (const auto* s = value.string()) return truthy_text(*s);
  if (const auto* l = value.list()) return !l->empty();
  if (const auto* b = value.boolean()) return *b;
  return false;
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t max_code_points = 60;
  std::string out = "'";
  std::size_t pos = 0;
  std::size_t count = 0;
  while (pos < text.size() && count < max_code_points) {
    const std::size_t start = pos;
    const char32_t cp = unicode::decode(text, pos);
    if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD) {
      out += '?';  // control characters and binary bytes would garble a terminal
    } else {
      out.append(text.substr(start, pos - start));
    }
    ++count;
  }
  if (pos < text.size()) out += "…";
  out += '\'';
  return out;
}

std::string describe(const Value& value) {
  if (const auto* s = value.string()) return quote_for_message(*s);
  if (const auto* b = value.boolean()) return *b ? "true" : "false";
  if (const auto* l = value.list()) {
    std::string out = "[";
    for (std::size_t i = 0; i < l->size(); ++i) {
      if (i > 0) out += ", ";
      if (i == 5) {
        out += "… " + std::to_string(l->size() - 5) + " more";
        break;
      }
      out += quote_for_message((*l)[i]);
    }
    return out + "]";
  }
  return "null";
}

void to_json(nlohmann::json& out, const Value& value) {
  if (const auto* s = value.string()) {
    out = *s;
  } else if (const auto* l = value.list()) {
    out = *l;
  } else if (const auto* b = value.boolean()) {
    out = *b;
  } else {
    out = nullptr;
  }
}

}  // namespace daoctl::mapping
