#include "sim/scim_filter.hpp"

#include <fmt/format.h>

#include <cctype>

#include "sim/text.hpp"

namespace daoctl::sim {

namespace {

class FilterParser {
 public:
  explicit FilterParser(std::string_view text) : text_(text) {}

  ApiResult<std::vector<FilterTerm>> parse() {
    std::vector<FilterTerm> terms;
    if (auto ok = parse_expression(terms, 0); !ok) return std::unexpected(ok.error());
    skip_space();
    if (pos_ != text_.size()) return error("unexpected text");
    if (terms.empty()) return error("empty filter");
    return terms;
  }

 private:
  ApiStatus parse_expression(std::vector<FilterTerm>& terms, int depth) {
    if (depth > 16) return error("parentheses nested too deeply");
    while (true) {
      skip_space();
      if (peek() == '(') {
        ++pos_;
        if (auto ok = parse_expression(terms, depth + 1); !ok) return ok;
        skip_space();
        if (peek() != ')') return error("expected ')'");
        ++pos_;
      } else if (auto ok = parse_term(terms, ""); !ok) {
        return ok;
      }
      skip_space();
      auto save = pos_;
      auto word = read_word();
      if (utf8_lower(word) == "and") continue;
      if (utf8_lower(word) == "or")
        return error_at(save, "'or' is not supported (only 'and')");
      if (utf8_lower(word) == "not")
        return error_at(save, "'not' is not supported (only 'and')");
      pos_ = save;
      return {};
    }
  }

  // attrPath op value, or attr[subAttr op value]; `prefix` is the enclosing
  // attribute inside brackets.
  ApiStatus parse_term(std::vector<FilterTerm>& terms, const std::string& prefix) {
    skip_space();
    auto attr = read_attribute();
    if (attr.empty()) return error("expected an attribute name");
    std::string path = prefix.empty() ? utf8_lower(attr) : prefix + "." + utf8_lower(attr);
    skip_space();
    if (peek() == '[') {
      if (!prefix.empty()) return error("nested '[' is not supported");
      ++pos_;
      std::vector<FilterTerm> inner;
      while (true) {
        if (auto ok = parse_term(inner, path); !ok) return ok;
        skip_space();
        auto save = pos_;
        if (utf8_lower(read_word()) == "and") continue;
        pos_ = save;
        break;
      }
      skip_space();
      if (peek() != ']') return error("expected ']'");
      ++pos_;
      for (auto& t : inner) terms.push_back(std::move(t));
      return {};
    }
    auto op_at = pos_;
    auto op = utf8_lower(read_word());
    if (op.empty()) return error("expected an operator after the attribute");
    if (op != "eq" && op != "sw")
      return error_at(op_at, fmt::format("operator '{}' is not supported (only 'eq' and 'sw')", op));
    skip_space();
    auto value_at = pos_;
    auto value = read_value();
    if (!value) return std::unexpected(value.error());
    if (op == "sw" && !value->is_string()) return error_at(value_at, "'sw' compares with a quoted string");
    terms.push_back(FilterTerm{path, std::move(*value), op == "sw"});
    return {};
  }

  ApiResult<nlohmann::json> read_value() {
    auto start = pos_;
    if (peek() == '"') {
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\') ++pos_;
        ++pos_;
      }
      if (pos_ >= text_.size()) return error_at(start, "unterminated string");
      ++pos_;
      auto parsed = nlohmann::json::parse(text_.substr(start, pos_ - start), nullptr, false);
      if (parsed.is_discarded()) return error_at(start, "invalid string escape");
      return parsed;
    }
    auto word = read_word();
    if (word == "true") return nlohmann::json(true);
    if (word == "false") return nlohmann::json(false);
    if (word == "null") return nlohmann::json(nullptr);
    auto number = nlohmann::json::parse(word, nullptr, false);
    if (!word.empty() && !number.is_discarded() && number.is_number()) return number;
    return error_at(start, "expected a value (a quoted string, true, false, null or a number)");
  }

  std::string read_attribute() {
    auto start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '_' ||
          c == '-' || c == '$')
        ++pos_;
      else
        break;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string read_word() {
    auto start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
           text_[pos_] != '(' && text_[pos_] != ')' && text_[pos_] != '[' && text_[pos_] != ']')
      ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  std::unexpected<ApiError> error(std::string_view what) const { return error_at(pos_, what); }
  std::unexpected<ApiError> error_at(std::size_t at, std::string_view what) const {
    return api_fail(400, fmt::format("invalid filter at column {}: {}", at + 1, what), "invalidFilter");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

ApiResult<std::vector<FilterTerm>> parse_filter(std::string_view filter) {
  return FilterParser(filter).parse();
}

}  // namespace daoctl::sim
