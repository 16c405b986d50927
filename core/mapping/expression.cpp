#include "core/mapping/expression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "core/mapping/date_pattern.hpp"
#include "core/mapping/transforms.hpp"
#include "core/mapping/unicode.hpp"

namespace daoctl::mapping {

Error ParseError::to_error(std::string_view object) const {
  Error e;
  e.kind = ErrorKind::Config;
  e.message = "invalid mapping expression";
  e.object = fmt::format("{}{}column {}", object, object.empty() ? "" : ", ", column);
  e.detail = message;
  e.hint = "the mapping language is described in docs/MAPPING.md (installed as /usr/share/doc/daoctl/MAPPING.md)";
  return e;
}

namespace detail {

class Node {
 public:
  virtual ~Node() = default;
  virtual EvalResult evaluate(const Scope& scope) const = 0;
};

}  // namespace detail

namespace {

using detail::Node;
using NodePtr = std::shared_ptr<const Node>;

// ---------------------------------------------------------------------------
// Evaluation

class LiteralNode final : public Node {
 public:
  explicit LiteralNode(Value value) : value_(std::move(value)) {}
  EvalResult evaluate(const Scope&) const override { return value_; }

 private:
  Value value_;
};

class ReferenceNode final : public Node {
 public:
  ReferenceNode(std::string source, std::string field)
      : source_(std::move(source)), field_(std::move(field)) {}

  EvalResult evaluate(const Scope& scope) const override {
    const std::vector<std::string>* values = scope.find(source_, field_);
    if (values == nullptr || values->empty()) return Value{};
    if (values->size() == 1) return Value{values->front()};
    return Value{List(*values)};
  }

 private:
  std::string source_;
  std::string field_;
};

// "Empty" for default(): null, "" or an empty list. Unlike the truth rules,
// "0", "false" and false are values here (a phone extension "0" is kept).
bool is_empty_value(const Value& v) {
  const auto* s = v.string();
  const auto* l = v.list();
  return v.is_null() || (s && s->empty()) || (l && l->empty());
}

class PipeNode final : public Node {
 public:
  // A transform, or `default(expression)`: the expression's value replaces an
  // empty value (and is evaluated only then).
  struct Step {
    std::unique_ptr<const Transform> transform;
    std::string text;  // "date('dd.MM.yyyy')" as written
    NodePtr fallback;  // set for default(expression); transform is null then
  };

  PipeNode(NodePtr head, std::string head_text, std::vector<Step> steps)
      : head_(std::move(head)), head_text_(std::move(head_text)), steps_(std::move(steps)) {}

  EvalResult evaluate(const Scope& scope) const override {
    auto value = head_->evaluate(scope);
    if (!value) return value;
    for (const Step& step : steps_) {
      if (step.fallback) {
        if (is_empty_value(*value)) {
          value = step.fallback->evaluate(scope);
          if (!value) return value;
        }
        continue;
      }
      auto next = step.transform->apply(std::move(*value));
      if (!next) {
        return std::unexpected(
            EvalError{fmt::format("{} failed on {}: {}", step.text, head_text_, next.error())});
      }
      value = std::move(*next);
    }
    return value;
  }

 private:
  NodePtr head_;
  std::string head_text_;
  std::vector<Step> steps_;
};

// `a or b`: the first operand that is true by the truth rules, else the last
// operand's value. So `hr.email or login(hr.x)` is a value, and the truth of
// `a or b` is still "a is true or b is true" wherever a truth is wanted
// (`not`, `and`, `if`, `active`, `dismissed_when`).
class OrNode final : public Node {
 public:
  OrNode(NodePtr left, NodePtr right) : left_(std::move(left)), right_(std::move(right)) {}
  EvalResult evaluate(const Scope& scope) const override {
    auto left = left_->evaluate(scope);
    if (!left || truthy(*left)) return left;
    return right_->evaluate(scope);
  }

 private:
  NodePtr left_;
  NodePtr right_;
};

// if(condition, then[, else]): only the branch taken is evaluated; a missing
// else is null.
class IfNode final : public Node {
 public:
  IfNode(NodePtr condition, NodePtr then, NodePtr otherwise)
      : condition_(std::move(condition)), then_(std::move(then)), otherwise_(std::move(otherwise)) {}
  EvalResult evaluate(const Scope& scope) const override {
    auto condition = condition_->evaluate(scope);
    if (!condition) return condition;
    if (truthy(*condition)) return then_->evaluate(scope);
    if (!otherwise_) return Value{};
    return otherwise_->evaluate(scope);
  }

 private:
  NodePtr condition_;
  NodePtr then_;
  NodePtr otherwise_;
};

class NotNode final : public Node {
 public:
  explicit NotNode(NodePtr operand) : operand_(std::move(operand)) {}
  EvalResult evaluate(const Scope& scope) const override {
    auto value = operand_->evaluate(scope);
    if (!value) return value;
    return Value{!truthy(*value)};
  }

 private:
  NodePtr operand_;
};

// `a and b`: a boolean (true when both are true); stops at a false `a`.
class AndNode final : public Node {
 public:
  AndNode(NodePtr left, NodePtr right) : left_(std::move(left)), right_(std::move(right)) {}
  EvalResult evaluate(const Scope& scope) const override {
    auto left = left_->evaluate(scope);
    if (!left) return left;
    if (!truthy(*left)) return Value{false};
    auto right = right_->evaluate(scope);
    if (!right) return right;
    return Value{truthy(*right)};
  }

 private:
  NodePtr left_;
  NodePtr right_;
};

enum class CompareOp { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::Equal: return "==";
    case CompareOp::NotEqual: return "!=";
    case CompareOp::Less: return "<";
    case CompareOp::LessEqual: return "<=";
    case CompareOp::Greater: return ">";
    case CompareOp::GreaterEqual: return ">=";
  }
  return "?";
}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return number;
}

class CompareNode final : public Node {
 public:
  CompareNode(CompareOp op, NodePtr left, NodePtr right, std::vector<DatePattern> date_patterns,
              std::string text)
      : op_(op),
        left_(std::move(left)),
        right_(std::move(right)),
        date_patterns_(std::move(date_patterns)),
        text_(std::move(text)) {}

  EvalResult evaluate(const Scope& scope) const override {
    auto left = left_->evaluate(scope);
    if (!left) return left;
    auto right = right_->evaluate(scope);
    if (!right) return right;
    return compare(*left, *right);
  }

 private:
  bool is_equality() const { return op_ == CompareOp::Equal || op_ == CompareOp::NotEqual; }

  // Null and blank strings are "no value": equal to each other, and never
  // before or after anything, so a missing dismissal date never matches
  // `<= today`.
  static bool is_blank(const Value& v) {
    const auto* s = v.string();
    return v.is_null() || (s && unicode::trim(*s).empty());
  }

  std::optional<CivilDate> as_date(std::string_view text) const {
    if (auto iso = parse_iso_date(text)) return iso;
    for (const DatePattern& pattern : date_patterns_)
      if (auto date = pattern.parse(text)) return date;
    return std::nullopt;
  }

  Value result_of(int ordering) const {
    switch (op_) {
      case CompareOp::Equal: return Value{ordering == 0};
      case CompareOp::NotEqual: return Value{ordering != 0};
      case CompareOp::Less: return Value{ordering < 0};
      case CompareOp::LessEqual: return Value{ordering <= 0};
      case CompareOp::Greater: return Value{ordering > 0};
      case CompareOp::GreaterEqual: return Value{ordering >= 0};
    }
    return Value{false};
  }

  EvalResult compare(const Value& left, const Value& right) const {
    const bool blank_left = is_blank(left);
    const bool blank_right = is_blank(right);
    if (blank_left || blank_right) {
      if (!is_equality()) return Value{false};
      return result_of(blank_left && blank_right ? 0 : 1);
    }
    if (left.list() || right.list()) {
      if (!is_equality()) {
        return std::unexpected(EvalError{fmt::format(
            "{} cannot order a list: {} {} {}", text_, describe(left), to_string(op_),
            describe(right))});
      }
      return result_of(left == right ? 0 : 1);
    }
    if (left.boolean() || right.boolean()) {
      if (!is_equality()) {
        return std::unexpected(EvalError{fmt::format("{} cannot order a boolean: {} {} {}", text_,
                                                     describe(left), to_string(op_),
                                                     describe(right))});
      }
      return result_of(truthy(left) == truthy(right) ? 0 : 1);
    }
    const std::string& l = *left.string();
    const std::string& r = *right.string();
    if (const auto ld = as_date(l)) {
      if (const auto rd = as_date(r)) return result_of(ld < rd ? -1 : (ld == rd ? 0 : 1));
    }
    if (const auto ln = parse_number(l)) {
      if (const auto rn = parse_number(r)) return result_of(*ln < *rn ? -1 : (*ln == *rn ? 0 : 1));
    }
    const int ordering = l.compare(r);
    return result_of(ordering < 0 ? -1 : (ordering == 0 ? 0 : 1));
  }

  CompareOp op_;
  NodePtr left_;
  NodePtr right_;
  std::vector<DatePattern> date_patterns_;
  std::string text_;
};

// ---------------------------------------------------------------------------
// Lexing and parsing

enum class TokenKind { Word, String, Dot, Pipe, LParen, RParen, Comma, Compare, RBrace, End, Invalid };

struct Token {
  TokenKind kind = TokenKind::End;
  std::size_t offset = 0;
  std::size_t end = 0;
  std::string text;  // words and strings: the content; Invalid: the error message
  CompareOp op = CompareOp::Equal;
  bool numeric = false;
};

bool is_word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_keyword(std::string_view word) {
  return word == "and" || word == "or" || word == "not" || word == "today" || word == "true" ||
         word == "false" || word == "null";
}

class Parser {
 public:
  Parser(std::string_view text, const CompileOptions& options)
      : text_(text), options_(options) {}

  // Template mode: literal text with placeholders.
  ParseResult<std::vector<std::pair<std::string, NodePtr>>> parse_template(
      std::vector<std::string>& expression_texts) {
    std::vector<std::pair<std::string, NodePtr>> parts;
    std::string literal;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '}') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '}') {
          literal.push_back('}');
          pos_ += 2;
          continue;
        }
        return fail(pos_, "unmatched '}' (write '}}' for a literal brace)");
      }
      if (c != '{') {
        literal.push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '{') {
        literal.push_back('{');
        pos_ += 2;
        continue;
      }
      const std::size_t open = pos_;
      ++pos_;
      if (peek().kind == TokenKind::RBrace) return fail(open, "empty placeholder '{}'");
      if (peek().kind == TokenKind::End)
        return fail(open, "unclosed '{' (write '{{' for a literal brace)");
      auto expression = parse_or();
      if (!expression) return std::unexpected(std::move(expression.error()));
      const Token& close = peek();
      if (close.kind == TokenKind::End)
        return fail(open, "unclosed '{' (write '{{' for a literal brace)");
      if (close.kind != TokenKind::RBrace) return unexpected_token(close, "'}' or an operator");
      if (!literal.empty()) parts.emplace_back(std::move(literal), nullptr);
      literal.clear();
      parts.emplace_back(std::string{}, std::move(*expression));
      expression_texts.emplace_back(trimmed_slice(open + 1, close.offset));
      take();
    }
    if (!literal.empty()) parts.emplace_back(std::move(literal), nullptr);
    return parts;
  }

  // Bare mode: one expression spanning the whole text.
  ParseResult<NodePtr> parse_expression() {
    if (peek().kind == TokenKind::End) return fail(0, "empty expression");
    auto expression = parse_or();
    if (!expression) return expression;
    const Token& next = peek();
    if (next.kind != TokenKind::End) return unexpected_token(next, "an operator or the end");
    return expression;
  }

  std::vector<Reference> take_references() { return std::move(references_); }
  // The uses of every reference, in text order (call before take_references).
  std::vector<ReferenceUse> uses() const {
    std::vector<ReferenceUse> out;
    out.reserve(references_.size());
    for (std::size_t i = 0; i < references_.size(); ++i)
      out.push_back({references_[i], offsets_[i],
                     unicode::count_code_points(text_.substr(0, offsets_[i])) + 1});
    return out;
  }

 private:
  std::unexpected<ParseError> fail(std::size_t offset, std::string message) const {
    return std::unexpected(ParseError{offset, 0, std::move(message)});
  }

  static std::string describe_token(const Token& token, std::string_view text) {
    switch (token.kind) {
      case TokenKind::End: return "the end of the expression";
      case TokenKind::RBrace: return "'}'";
      default: return fmt::format("'{}'", text.substr(token.offset, token.end - token.offset));
    }
  }

  std::unexpected<ParseError> unexpected_token(const Token& token, std::string_view expected) {
    if (token.kind == TokenKind::Invalid) return fail(token.offset, token.text);
    return fail(token.offset,
                fmt::format("expected {}, found {}", expected, describe_token(token, text_)));
  }

  std::string trimmed_slice(std::size_t begin, std::size_t end) const {
    return unicode::trim(text_.substr(begin, end - begin));
  }

  const Token& peek() {
    if (!peeked_) {
      token_ = lex();
      peeked_ = true;
    }
    return token_;
  }

  Token take() {
    peek();
    peeked_ = false;
    pos_ = token_.end;
    return std::move(token_);
  }

  Token lex() {
    std::size_t p = pos_;
    while (p < text_.size() &&
           (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\n' || text_[p] == '\r'))
      ++p;
    Token token;
    token.offset = p;
    if (p >= text_.size()) {
      token.kind = TokenKind::End;
      token.end = p;
      return token;
    }
    const char c = text_[p];
    auto single = [&](TokenKind kind) {
      token.kind = kind;
      token.end = p + 1;
      return token;
    };
    switch (c) {
      case '.': return single(TokenKind::Dot);
      case '|': return single(TokenKind::Pipe);
      case '(': return single(TokenKind::LParen);
      case ')': return single(TokenKind::RParen);
      case ',': return single(TokenKind::Comma);
      case '}': return single(TokenKind::RBrace);
      default: break;
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
      const bool with_equals = p + 1 < text_.size() && text_[p + 1] == '=';
      token.kind = TokenKind::Compare;
      token.end = p + (with_equals ? 2 : 1);
      if (c == '=' && with_equals) {
        token.op = CompareOp::Equal;
      } else if (c == '!' && with_equals) {
        token.op = CompareOp::NotEqual;
      } else if (c == '<') {
        token.op = with_equals ? CompareOp::LessEqual : CompareOp::Less;
      } else if (c == '>') {
        token.op = with_equals ? CompareOp::GreaterEqual : CompareOp::Greater;
      } else {
        token.kind = TokenKind::Invalid;
        token.text = c == '=' ? "'=' is not an operator; compare with '=='"
                              : "'!' is not an operator; use 'not' or '!='";
      }
      return token;
    }
    if (c == '\'' || c == '"') {
      // A quote inside is written twice ('O''Brien'); backslashes are plain
      // characters, so regular expressions need no extra escaping.
      std::string content;
      std::size_t q = p + 1;
      while (true) {
        if (q >= text_.size()) {
          token.kind = TokenKind::Invalid;
          token.text = fmt::format("unterminated string: no closing {}", c);
          token.end = q;
          return token;
        }
        if (text_[q] == c) {
          if (q + 1 < text_.size() && text_[q + 1] == c) {
            content.push_back(c);
            q += 2;
            continue;
          }
          break;
        }
        content.push_back(text_[q]);
        ++q;
      }
      token.kind = TokenKind::String;
      token.text = std::move(content);
      token.end = q + 1;
      return token;
    }
    if (is_word_byte(c) && (c != '-' || (p + 1 < text_.size() && is_digit(text_[p + 1])))) {
      std::size_t q = p + 1;
      while (q < text_.size() && is_word_byte(text_[q])) ++q;
      std::string_view word = text_.substr(p, q - p);
      const bool integer =
          word.find_first_not_of("0123456789", word.front() == '-' ? 1 : 0) == std::string_view::npos;
      if (integer && q + 1 < text_.size() && text_[q] == '.' && is_digit(text_[q + 1])) {
        q += 1;
        while (q < text_.size() && is_digit(text_[q])) ++q;
      }
      token.kind = TokenKind::Word;
      token.numeric = integer;
      token.text = std::string(text_.substr(p, q - p));
      token.end = q;
      return token;
    }
    std::size_t q = p;
    const char32_t cp = unicode::decode(text_, q);
    token.kind = TokenKind::Invalid;
    token.end = q;
    token.text = cp == '{' ? std::string("'{' cannot appear inside a placeholder")
                           : fmt::format("unexpected character '{}'", text_.substr(p, q - p));
    return token;
  }

  bool peek_word(std::string_view word) {
    const Token& token = peek();
    return token.kind == TokenKind::Word && token.text == word;
  }

  // Parentheses, calls and `not` nest by recursion: a limit keeps a hostile
  // or broken job file (thousands of '(') from exhausting the stack.
  static constexpr int kMaxNesting = 64;
  struct Nesting {
    explicit Nesting(int& depth) : depth_(depth) { ++depth_; }
    ~Nesting() { --depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    int& depth_;
  };
  std::unexpected<ParseError> too_deep() {
    return fail(peek().offset, fmt::format("the expression nests deeper than {} levels", kMaxNesting));
  }

  ParseResult<NodePtr> parse_or() {
    Nesting nesting(depth_);
    if (depth_ > kMaxNesting) return too_deep();
    auto left = parse_and();
    if (!left) return left;
    while (peek_word("or")) {
      take();
      auto right = parse_and();
      if (!right) return right;
      left = std::make_shared<const OrNode>(std::move(*left), std::move(*right));
    }
    return left;
  }

  ParseResult<NodePtr> parse_and() {
    auto left = parse_not();
    if (!left) return left;
    while (peek_word("and")) {
      take();
      auto right = parse_not();
      if (!right) return right;
      left = std::make_shared<const AndNode>(std::move(*left), std::move(*right));
    }
    return left;
  }

  ParseResult<NodePtr> parse_not() {
    if (peek_word("not")) {
      Nesting nesting(depth_);
      if (depth_ > kMaxNesting) return too_deep();
      take();
      auto operand = parse_not();
      if (!operand) return operand;
      return std::make_shared<const NotNode>(std::move(*operand));
    }
    return parse_comparison();
  }

  ParseResult<NodePtr> parse_comparison() {
    const std::size_t start = peek().offset;
    auto left = parse_pipe();
    if (!left) return left;
    if (peek().kind != TokenKind::Compare) return left;
    const CompareOp op = take().op;
    auto right = parse_pipe();
    if (!right) return right;
    if (peek().kind == TokenKind::Compare)
      return fail(peek().offset, "comparisons cannot be chained; join them with 'and'");
    return std::make_shared<const CompareNode>(op, std::move(*left), std::move(*right),
                                               comparison_patterns_(),
                                               trimmed_slice(start, pos_));
  }

  std::vector<DatePattern> comparison_patterns_() const {
    std::vector<DatePattern> patterns;
    for (const std::string& text : options_.comparison_date_patterns) {
      // Invalid patterns are reported by the owner of the options (the job
      // file validation); here they are simply not used.
      if (auto pattern = DatePattern::compile(text)) patterns.push_back(std::move(*pattern));
    }
    return patterns;
  }

  ParseResult<NodePtr> parse_pipe() {
    const std::size_t start = peek().offset;
    auto head = parse_primary();
    if (!head) return head;
    const std::size_t head_end = pos_;
    std::vector<PipeNode::Step> steps;
    while (peek().kind == TokenKind::Pipe) {
      take();
      auto step = parse_transform();
      if (!step) return std::unexpected(std::move(step.error()));
      steps.push_back(std::move(*step));
    }
    if (steps.empty()) return head;
    return std::make_shared<const PipeNode>(std::move(*head), trimmed_slice(start, head_end),
                                            std::move(steps));
  }

  ParseResult<PipeNode::Step> parse_transform() {
    const Token& name_token = peek();
    if (name_token.kind != TokenKind::Word || name_token.numeric)
      return unexpected_token(name_token, "a transform name after '|'");
    const Token name = take();
    const TransformSpec* spec = find_transform(name.text);
    if (spec == nullptr) return fail(name.offset, unknown_transform_message(name.text));
    if (spec->name == "default") {
      // default(expression): any value, evaluated only when it is needed.
      if (peek().kind != TokenKind::LParen)
        return fail(name.offset, "default takes 1 argument, not 0: write default('value') or default(hr.field)");
      take();
      auto fallback = parse_or();
      if (!fallback) return std::unexpected(std::move(fallback.error()));
      if (peek().kind == TokenKind::Comma) {
        return fail(peek().offset,
                    "default takes 1 argument after '|', not more: write value | default(fallback), "
                    "or default(value, fallback, ...) to try several in turn");
      }
      if (peek().kind != TokenKind::RParen) return unexpected_token(peek(), "')'");
      take();
      return PipeNode::Step{nullptr, trimmed_slice(name.offset, pos_), std::move(*fallback)};
    }
    std::vector<TransformArgument> arguments;
    if (peek().kind == TokenKind::LParen) {
      take();
      auto parsed = parse_literal_arguments();
      if (!parsed) return std::unexpected(std::move(parsed.error()));
      arguments = std::move(*parsed);
    }
    return make_step(*spec, name, std::move(arguments), false);
  }

  // The arguments of a transform after its '(' (in the call form, after the
  // value's ','): 'text', numbers or names, up to and including the ')'.
  ParseResult<std::vector<TransformArgument>> parse_literal_arguments() {
    std::vector<TransformArgument> arguments;
    if (peek().kind == TokenKind::RParen) {
      take();
      return arguments;
    }
    while (true) {
      Token argument = take();
      TransformArgument parsed;
      parsed.offset = argument.offset;
      parsed.text = argument.text;
      if (argument.kind == TokenKind::String) {
        parsed.kind = TransformArgument::Kind::String;
      } else if (argument.kind == TokenKind::Word) {
        parsed.kind = argument.numeric ? TransformArgument::Kind::Number : TransformArgument::Kind::Name;
      } else {
        return unexpected_token(argument, "an argument (a 'string', a number or a name)");
      }
      arguments.push_back(std::move(parsed));
      if (peek().kind == TokenKind::Comma) {
        take();
        continue;
      }
      if (peek().kind == TokenKind::RParen) {
        take();
        return arguments;
      }
      return unexpected_token(peek(), "',' or ')'");
    }
  }

  // Checks the argument count and compiles the transform. `call_form`: it was
  // written t(value, args) rather than value | t(args).
  ParseResult<PipeNode::Step> make_step(const TransformSpec& spec, const Token& name,
                                        std::vector<TransformArgument> arguments, bool call_form) {
    TransformCall call;
    call.name = spec.name;
    call.name_offset = name.offset;
    call.arguments = std::move(arguments);
    const std::size_t count = call.arguments.size();
    if (count < spec.min_arguments || count > spec.max_arguments) {
      const std::size_t at = count > spec.max_arguments ? call.arguments[spec.max_arguments].offset
                                                        : name.offset;
      return fail(at, fmt::format("{} takes {} argument{}{}, not {}: write {}", spec.name,
                                  arity_text(spec), spec.max_arguments == 1 ? "" : "s",
                                  call_form ? " after its value" : "", count,
                                  call_form ? call_signature(spec) : std::string(spec.signature)));
    }
    auto transform = spec.make(call, options_);
    if (!transform) return std::unexpected(std::move(transform.error()));
    return PipeNode::Step{std::move(*transform), trimmed_slice(name.offset, pos_), nullptr};
  }

  // "replace('regex', 'with')" → "replace(value, 'regex', 'with')", "login" → "login(value)".
  static std::string call_signature(const TransformSpec& spec) {
    const std::string_view signature = spec.signature;
    const auto paren = signature.find('(');
    if (paren == std::string_view::npos) return fmt::format("{}(value)", signature);
    return fmt::format("{}(value, {}", signature.substr(0, paren), signature.substr(paren + 1));
  }

  // Comma-separated expressions up to and including ')', for if() and default().
  ParseResult<std::vector<std::pair<NodePtr, std::size_t>>> parse_expression_arguments() {
    std::vector<std::pair<NodePtr, std::size_t>> arguments;
    while (true) {
      const std::size_t offset = peek().offset;
      auto argument = parse_or();
      if (!argument) return std::unexpected(std::move(argument.error()));
      arguments.emplace_back(std::move(*argument), offset);
      if (peek().kind == TokenKind::Comma) {
        take();
        continue;
      }
      if (peek().kind == TokenKind::RParen) {
        take();
        return arguments;
      }
      return unexpected_token(peek(), "',' or ')'");
    }
  }

  // name( … ) where a value is expected: if(condition, then, else),
  // default(value, fallback, …), or any transform t(value, args) meaning
  // value | t(args). The '(' is the next token.
  ParseResult<NodePtr> parse_call(const Token& name) {
    if (name.text == "if") {
      take();
      auto arguments = parse_expression_arguments();
      if (!arguments) return std::unexpected(std::move(arguments.error()));
      auto& a = *arguments;
      if (a.size() < 2 || a.size() > 3) {
        return fail(a.size() > 3 ? a[3].second : name.offset,
                    fmt::format("if takes 2 or 3 arguments (condition, then, else), not {}: write "
                                "if(condition, then, else)",
                                a.size()));
      }
      return std::make_shared<const IfNode>(std::move(a[0].first), std::move(a[1].first),
                                            a.size() > 2 ? std::move(a[2].first) : nullptr);
    }
    const TransformSpec* spec = find_transform(name.text);
    if (spec == nullptr) {
      return fail(name.offset, unknown_transform_message(name.text) +
                                   "; a call can also be if(condition, then, else)");
    }
    take();
    if (spec->name == "default") {
      const std::size_t start = peek().offset;
      auto arguments = parse_expression_arguments();
      if (!arguments) return std::unexpected(std::move(arguments.error()));
      auto& a = *arguments;
      if (a.size() < 2) {
        return fail(name.offset,
                    "default takes a value and at least one fallback: write default(hr.x, 'fallback') "
                    "or hr.x | default('fallback')");
      }
      std::vector<PipeNode::Step> steps;
      for (std::size_t i = 1; i < a.size(); ++i) {
        const std::size_t end = i + 1 < a.size() ? a[i + 1].second : pos_ - 1;
        steps.push_back(PipeNode::Step{nullptr, "default(" + trimmed_slice(a[i].second, end) + ")",
                                       std::move(a[i].first)});
      }
      const std::string head_text = trimmed_slice(start, a[1].second);
      return std::make_shared<const PipeNode>(std::move(a[0].first),
                                              head_text.substr(0, head_text.size() - 1),
                                              std::move(steps));
    }
    const std::size_t start = peek().offset;
    auto value = parse_or();
    if (!value) return value;
    const std::size_t value_end = pos_;
    std::vector<TransformArgument> arguments;
    if (peek().kind == TokenKind::Comma) {
      take();
      auto parsed = parse_literal_arguments();
      if (!parsed) return std::unexpected(std::move(parsed.error()));
      arguments = std::move(*parsed);
    } else if (peek().kind == TokenKind::RParen) {
      take();
    } else {
      return unexpected_token(peek(), "',' or ')'");
    }
    auto step = make_step(*spec, name, std::move(arguments), true);
    if (!step) return std::unexpected(std::move(step.error()));
    std::vector<PipeNode::Step> steps;
    steps.push_back(std::move(*step));
    return std::make_shared<const PipeNode>(std::move(*value), trimmed_slice(start, value_end),
                                            std::move(steps));
  }

  static std::string arity_text(const TransformSpec& spec) {
    if (spec.min_arguments == spec.max_arguments) return std::to_string(spec.min_arguments);
    return fmt::format("{} to {}", spec.min_arguments, spec.max_arguments);
  }

  static std::string unknown_transform_message(std::string_view name) {
    std::string message = fmt::format("unknown transform '{}'", name);
    const auto similar = similar_transform_names(name);
    if (!similar.empty()) {
      message += "; did you mean ";
      for (std::size_t i = 0; i < similar.size(); ++i) {
        if (i > 0) message += i + 1 == similar.size() ? " or " : ", ";
        message += fmt::format("'{}'", similar[i]);
      }
      message += "?";
    }
    message += " (known:";
    for (const TransformSpec& spec : transform_catalogue()) message += fmt::format(" {}", spec.name);
    return message + ")";
  }

  ParseResult<NodePtr> parse_primary() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::String: return std::make_shared<const LiteralNode>(Value{take().text});
      case TokenKind::LParen: {
        take();
        auto inner = parse_or();
        if (!inner) return inner;
        if (peek().kind != TokenKind::RParen) return unexpected_token(peek(), "')'");
        take();
        return inner;
      }
      case TokenKind::Word: break;
      default: return unexpected_token(token, "a value (source.field, 'text', a number, today)");
    }
    if (token.numeric) return std::make_shared<const LiteralNode>(Value{take().text});
    if (token.text == "true" || token.text == "false")
      return std::make_shared<const LiteralNode>(Value{take().text == "true"});
    if (token.text == "null") {
      take();
      return std::make_shared<const LiteralNode>(Value{});
    }
    if (token.text == "today") {
      if (!parse_iso_date(options_.today) || options_.today.size() != 10) {
        return fail(token.offset,
                    fmt::format("'today' is not available: the run supplied {} instead of a "
                                "yyyy-MM-dd date",
                                options_.today.empty() ? "nothing" : quote_for_message(options_.today)));
      }
      take();
      return std::make_shared<const LiteralNode>(Value{options_.today});
    }
    if (is_keyword(token.text))
      return fail(token.offset, fmt::format("expected a value before '{}'", token.text));
    Token word = take();
    if (peek().kind == TokenKind::LParen) return parse_call(word);
    return parse_reference(word);
  }

  ParseResult<NodePtr> parse_reference(const Token& source) {
    if (peek().kind != TokenKind::Dot) {
      if (source.text != "if" && find_transform(source.text) != nullptr) {
        return fail(source.offset,
                    fmt::format("'{}' is a transform: write hr.field | {} or {}(hr.field)", source.text,
                                source.text, source.text));
      }
      return fail(source.offset,
                  fmt::format("'{}' is not a value: a reference names its source, as in "
                              "hr.{} (text needs quotes: '{}')",
                              source.text, source.text, source.text));
    }
    take();
    const Token& field_token = peek();
    if (field_token.kind != TokenKind::Word && field_token.kind != TokenKind::String) {
      return unexpected_token(field_token,
                              fmt::format("a field name after '{}.' (quote odd names: "
                                          "{}.'Табельный номер')",
                                          source.text, source.text));
    }
    const Token field = take();
    if (!options_.known_sources.empty()) {
      bool known = false;
      std::string names;
      for (const std::string& name : options_.known_sources) {
        known = known || name == source.text;
        names += (names.empty() ? "" : ", ") + name;
      }
      if (!known) {
        return fail(source.offset,
                    fmt::format("unknown source '{}' (the job's sources: {})", source.text, names));
      }
    }
    references_.push_back(Reference{source.text, field.text});
    offsets_.push_back(source.offset);
    return std::make_shared<const ReferenceNode>(source.text, field.text);
  }

  std::string_view text_;
  const CompileOptions& options_;
  std::size_t pos_ = 0;
  Token token_;
  bool peeked_ = false;
  std::vector<Reference> references_;
  std::vector<std::size_t> offsets_;  // of each reference's source name
  int depth_ = 0;                     // of parse_or/parse_not recursion
};

std::vector<Reference> unique_sorted(std::vector<Reference> references) {
  std::sort(references.begin(), references.end());
  references.erase(std::unique(references.begin(), references.end()), references.end());
  return references;
}

ParseError with_column(ParseError error, std::string_view text) {
  error.offset = std::min(error.offset, text.size());
  error.column = unicode::count_code_points(text.substr(0, error.offset)) + 1;
  return error;
}

std::string render(const Value& value) {
  if (const auto* s = value.string()) return *s;
  if (const auto* b = value.boolean()) return *b ? "true" : "false";
  return {};
}

}  // namespace

ParseResult<Expression> Expression::parse(std::string_view text, const CompileOptions& options) {
  Parser parser(text, options);
  auto root = parser.parse_expression();
  if (!root) return std::unexpected(with_column(std::move(root.error()), text));
  Expression expression;
  expression.root_ = std::move(*root);
  expression.text_ = std::string(text);
  expression.uses_ = parser.uses();
  expression.plain_ = dynamic_cast<const ReferenceNode*>(expression.root_.get()) != nullptr;
  expression.references_ = unique_sorted(parser.take_references());
  return expression;
}

EvalResult Expression::evaluate(const Scope& scope) const {
  auto value = root_->evaluate(scope);
  if (!value) value.error().message = fmt::format("in {}: {}", text_, value.error().message);
  return value;
}

ParseResult<Template> Template::parse(std::string_view text, const CompileOptions& options) {
  Parser parser(text, options);
  std::vector<std::string> expression_texts;
  auto parts = parser.parse_template(expression_texts);
  if (!parts) return std::unexpected(with_column(std::move(parts.error()), text));
  Template result;
  result.text_ = std::string(text);
  result.uses_ = parser.uses();
  result.references_ = unique_sorted(parser.take_references());
  std::size_t next_expression = 0;
  for (auto& [literal, node] : *parts) {
    Part part;
    part.literal = std::move(literal);
    if (node) {
      part.expression = std::move(node);
      part.expression_text = std::move(expression_texts[next_expression++]);
    }
    result.parts_.push_back(std::move(part));
  }
  return result;
}

EvalResult Template::evaluate(const Scope& scope) const {
  if (parts_.size() == 1 && parts_.front().expression) {
    auto value = parts_.front().expression->evaluate(scope);
    if (!value) {
      value.error().message =
          fmt::format("in {{{}}}: {}", parts_.front().expression_text, value.error().message);
    }
    return value;
  }
  std::string out;
  bool any_placeholder = false;
  bool any_value = false;
  for (const Part& part : parts_) {
    if (!part.expression) {
      out += part.literal;
      continue;
    }
    any_placeholder = true;
    auto value = part.expression->evaluate(scope);
    if (!value) {
      return std::unexpected(EvalError{
          fmt::format("in {{{}}}: {}", part.expression_text, value.error().message)});
    }
    if (const auto* list = value->list()) {
      if (list->size() > 1) {
        return std::unexpected(EvalError{fmt::format(
            "{{{}}} has {} values {} inside text; pick one with '| first' or write '| join(\", \")'",
            part.expression_text, list->size(), describe(*value))});
      }
      if (list->size() == 1) {
        out += list->front();
        any_value = true;
      }
      continue;
    }
    if (!value->is_null()) any_value = true;
    out += render(*value);
  }
  if (any_placeholder && !any_value) return Value{};
  return Value{std::move(out)};
}

}  // namespace daoctl::mapping
