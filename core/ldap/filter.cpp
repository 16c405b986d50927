#include "core/ldap/filter.hpp"

namespace daoctl::ldap {

namespace {
constexpr char kHex[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char c) {
  out.push_back('\\');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0x0f]);
}
}  // namespace

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      append_hex_escape(out, c);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string escape_filter_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (char ch : bytes) append_hex_escape(out, static_cast<unsigned char>(ch));
  return out;
}

std::string equality_filter(std::string_view attribute, std::string_view value) {
  std::string out;
  out.reserve(attribute.size() + value.size() + 3);
  out += '(';
  out += attribute;
  out += '=';
  out += escape_filter_value(value);
  out += ')';
  return out;
}

}  // namespace daoctl::ldap
