#include "connectors/platform/scim_filter.hpp"

#include <cctype>
#include <optional>
#include <string>

namespace daoctl::platform {

namespace {

constexpr const char* kHint =
    "write attribute operator value, e.g. 'userName eq \"jdoe\"' or 'active eq false and title pr': "
    "operators eq ne co sw ew gt lt ge le pr, joined by and / or, not (...), parentheses, "
    "emails[type eq \"work\"]; strings in double quotes (RFC 7644 section 3.4.2.2)";

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' || c == ':' ||
         c == '$';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Checker {
 public:
  explicit Checker(std::string_view text) : text_(text) {}

  // The first problem as "column N: ...", or nothing.
  std::optional<std::string> run() {
    skip_space();
    if (pos_ == text_.size()) return at(pos_, "the filter is empty");
    if (!filter(0, false)) return problem_;
    skip_space();
    if (pos_ != text_.size()) {
      if (text_[pos_] == ')') return at(pos_, "')' without a matching '('");
      return at(pos_, "unexpected '" + std::string(word_at(pos_)) + "' (expected and, or or the end)");
    }
    return std::nullopt;
  }

 private:
  // filter := term (("and" | "or") term)*
  bool filter(int depth, bool in_brackets) {
    if (depth > 32) return failed(pos_, "parentheses nested too deeply");
    while (true) {
      if (!term(depth, in_brackets)) return false;
      skip_space();
      const auto save = pos_;
      const std::string w = lower(read_word());
      if (w == "and" || w == "or") {
        if (!space_follows(w)) return false;
        continue;
      }
      pos_ = save;
      return true;
    }
  }

  // term := "not" "(" filter ")" | "(" filter ")" | attrPath "pr" | attrPath op value | attrPath "[" filter "]"
  bool term(int depth, bool in_brackets) {
    skip_space();
    if (pos_ == text_.size()) return failed(pos_, "expected an attribute or '(' at the end");
    if (text_[pos_] == '(') return group(depth, in_brackets);
    const auto start = pos_;
    std::string_view attr = read_attribute();
    if (attr.empty()) {
      return failed(start, "expected an attribute name, found '" + std::string(word_at(start)) + "'");
    }
    if (lower(attr) == "not") {
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') return group(depth, in_brackets);
      return failed(pos_, "'not' must be followed by a filter in parentheses: not (...)");
    }
    if (pos_ < text_.size() && text_[pos_] == '[') {
      if (in_brackets) return failed(pos_, "a value filter [...] cannot be nested in another");
      ++pos_;
      if (!filter(depth + 1, true)) return false;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ']') return failed(pos_, "expected ']' closing the '[' at column " + std::to_string(start + attr.size() + 1));
      ++pos_;
      // emails[type eq "work"].value is allowed in PATCH paths, not filters.
      return true;
    }
    skip_space();
    const auto op_at = pos_;
    const std::string op = lower(read_word());
    if (op.empty()) {
      if (pos_ == text_.size()) return failed(pos_, "expected an operator after '" + std::string(attr) + "'");
      return failed(pos_, "expected an operator after '" + std::string(attr) + "', found '" +
                              std::string(word_at(pos_)) + "'");
    }
    if (op == "pr") return true;
    if (op != "eq" && op != "ne" && op != "co" && op != "sw" && op != "ew" && op != "gt" && op != "lt" &&
        op != "ge" && op != "le") {
      return failed(op_at, "unknown operator '" + std::string(text_.substr(op_at, op.size())) +
                               "' (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr)");
    }
    skip_space();
    return value(op);
  }

  bool group(int depth, bool in_brackets) {
    const auto open = pos_;
    ++pos_;
    if (!filter(depth + 1, in_brackets)) return false;
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != ')') {
      return failed(pos_, "expected ')' closing the '(' at column " + std::to_string(open + 1));
    }
    ++pos_;
    return true;
  }

  // compValue := "false" | "null" | "true" | number | string (JSON)
  bool value(const std::string& op) {
    if (pos_ == text_.size()) return failed(pos_, "expected a value after '" + op + "' at the end");
    const char c = text_[pos_];
    if (c == '"') return string_value();
    if (c == '\'') {
      return failed(pos_, "strings are in double quotes: \"...\", not '...'");
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number_value();
    const auto start = pos_;
    const std::string w = lower(read_word());
    if (w == "true" || w == "false" || w == "null") return true;
    pos_ = start;
    return failed(start, "expected a value (a \"string\", a number, true, false or null), found '" +
                             std::string(word_at(start)) + "' (strings are in double quotes)");
  }

  bool string_value() {
    const auto open = pos_++;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) break;
        const char e = text_[pos_ + 1];
        if (e == 'u') {
          for (std::size_t i = 2; i < 6; ++i) {
            if (pos_ + i >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_ + i])))
              return failed(pos_, "\\u must be followed by four hex digits");
          }
          pos_ += 6;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos)
          return failed(pos_, std::string("unknown escape \\") + e + " in a string");
        pos_ += 2;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) return failed(pos_, "a control character in a string");
      ++pos_;
    }
    return failed(open, "the string starting here has no closing '\"'");
  }

  bool number_value() {
    const auto start = pos_;
    if (text_[pos_] == '-') ++pos_;
    std::size_t digits = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_, ++digits;
    if (digits == 0) return failed(start, "'-' must be followed by digits");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      digits = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_, ++digits;
      if (digits == 0) return failed(start, "a number's '.' must be followed by digits");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      digits = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_, ++digits;
      if (digits == 0) return failed(start, "a number's exponent must have digits");
    }
    if (pos_ < text_.size() && is_name_char(text_[pos_]))
      return failed(start, "'" + std::string(word_at(start)) + "' is not a number (strings are in double quotes)");
    return true;
  }

  bool space_follows(const std::string& word) {
    if (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '(' || text_[pos_] == '\t')) return true;
    if (pos_ == text_.size()) return failed(pos_, "expected a filter after '" + word + "' at the end");
    return failed(pos_, "expected a space after '" + word + "'");
  }

  std::string_view read_attribute() {
    if (pos_ >= text_.size() || !is_name_start(text_[pos_])) return {};
    const auto start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  std::string_view read_word() {
    const auto start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // The word (or character) at `p`, for messages.
  std::string_view word_at(std::size_t p) const {
    if (p >= text_.size()) return "end";
    auto end = p;
    while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) && end - p < 30) ++end;
    return text_.substr(p, std::max<std::size_t>(end - p, 1));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  static std::string at(std::size_t p, const std::string& what) {
    return "column " + std::to_string(p + 1) + ": " + what;
  }
  bool failed(std::size_t p, const std::string& what) {
    problem_ = at(p, what);
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string problem_;
};

}  // namespace

Status check_scim_filter(std::string_view filter) {
  if (filter.empty()) return {};
  if (auto problem = Checker(filter).run()) {
    return fail(ErrorKind::Usage, "invalid SCIM filter", "filter '" + std::string(filter) + "'", *problem, kHint);
  }
  return {};
}

}  // namespace daoctl::platform
