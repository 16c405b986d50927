#include "core/mapping/transforms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <regex>
#include <utility>

#include "core/mapping/date_pattern.hpp"
#include "core/mapping/unicode.hpp"

namespace daoctl::mapping {

namespace {

using TransformResult = std::expected<std::unique_ptr<const Transform>, ParseError>;
// What an element-wise step does to one string: true keeps it (possibly
// changed in place), false turns it into null (dropped from a list), an error
// names the value.
using ElementResult = std::expected<bool, std::string>;

template <class Function>
class ElementTransform final : public Transform {
 public:
  explicit ElementTransform(Function function) : function_(std::move(function)) {}

  std::expected<Value, std::string> apply(Value input) const override {
    if (auto* s = std::get_if<std::string>(&input.data)) {
      auto kept = function_(*s);
      if (!kept) return std::unexpected(std::move(kept.error()));
      return *kept ? std::move(input) : Value{};
    }
    if (auto* list = std::get_if<List>(&input.data)) {
      List out;
      out.reserve(list->size());
      for (std::string& item : *list) {
        auto kept = function_(item);
        if (!kept) return std::unexpected(std::move(kept.error()));
        if (*kept) out.push_back(std::move(item));
      }
      return Value{std::move(out)};
    }
    if (const auto* b = input.boolean()) {
      std::string text = *b ? "true" : "false";
      auto kept = function_(text);
      if (!kept) return std::unexpected(std::move(kept.error()));
      return *kept ? Value{std::move(text)} : Value{};
    }
    return input;  // null stays null
  }

 private:
  Function function_;
};

template <class Function>
class WholeValueTransform final : public Transform {
 public:
  explicit WholeValueTransform(Function function) : function_(std::move(function)) {}
  std::expected<Value, std::string> apply(Value input) const override {
    return function_(std::move(input));
  }

 private:
  Function function_;
};

template <class Function>
TransformResult element(Function function) {
  return std::make_unique<const ElementTransform<Function>>(std::move(function));
}

template <class Function>
TransformResult whole(Function function) {
  return std::make_unique<const WholeValueTransform<Function>>(std::move(function));
}

ParseError error_at(std::size_t offset, std::string message) {
  return ParseError{offset, 0, std::move(message)};
}

std::unexpected<ParseError> argument_error(const TransformCall& call, std::size_t index,
                                           std::string message) {
  return std::unexpected(error_at(call.arguments[index].offset, std::move(message)));
}

bool is_ascii_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// "Ivan Petrov-Vodkin" → "ivan.petrov.vodkin": ASCII letters and digits kept,
// every run of anything else becomes one dot, no dot at either end.
std::string slug(std::string_view text) {
  const std::string latin = unicode::lower(unicode::transliterate(text));
  std::string out;
  out.reserve(latin.size());
  bool pending_dot = false;
  for (const char c : latin) {
    if (is_ascii_alnum(c)) {
      if (pending_dot && !out.empty()) out.push_back('.');
      pending_dot = false;
      out.push_back(c);
    } else {
      pending_dot = true;
    }
  }
  return out;
}

// Russian numbers to E.164: 11 digits starting with 8 or 7 (with or without
// a leading +) become +7 and the last ten digits. Anything else keeps its
// digits and a leading +. The number ends at the first letter, ',' or ';'
// after the digits began, so "… доб. 123" and "…, 2nd line" do not leak into it.
std::string normalise_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = unicode::decode(text, pos);
    if (cp >= '0' && cp <= '9') {
      digits.push_back(static_cast<char>(cp));
    } else if (cp == '+' && digits.empty()) {
      plus = true;
    } else if (!digits.empty() && (cp == ',' || cp == ';' || (unicode::is_word_char(cp)))) {
      break;
    }
  }
  if (digits.empty()) return {};
  if (digits.size() == 11 && (digits[0] == '8' || digits[0] == '7') && !(plus && digits[0] == '8'))
    return "+7" + digits.substr(1);
  return plus ? "+" + digits : digits;
}

// The shape check of `email`: one '@', a non-empty local part without spaces,
// a domain of at least two non-empty dot-separated labels without spaces.
std::optional<std::string> email_shape_problem(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos) return "has no '@'";
  if (address.find('@', at + 1) != std::string_view::npos) return "has more than one '@'";
  const auto local = address.substr(0, at);
  const auto domain = address.substr(at + 1);
  if (local.empty()) return "has nothing before '@'";
  if (domain.empty()) return "has no domain after '@'";
  for (const char c : address) {
    if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
      return fmt::format("contains '{}'", c == '\t' ? std::string("\\t") : std::string(1, c));
  }
  if (domain.find('.') == std::string_view::npos) return "has a domain without a dot";
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return "has an empty label in its domain";
  return std::nullopt;
}

TransformResult make_simple(std::string (*function)(std::string_view)) {
  return element([function](std::string& s) -> ElementResult {
    s = function(s);
    return true;
  });
}

TransformResult make_trim(const TransformCall&, const CompileOptions&) {
  return make_simple(unicode::trim);
}
TransformResult make_lower(const TransformCall&, const CompileOptions&) {
  return make_simple(unicode::lower);
}
TransformResult make_upper(const TransformCall&, const CompileOptions&) {
  return make_simple(unicode::upper);
}
TransformResult make_title(const TransformCall&, const CompileOptions&) {
  return make_simple(unicode::title);
}
TransformResult make_translit(const TransformCall&, const CompileOptions&) {
  return make_simple(unicode::transliterate);
}

TransformResult make_slug(const TransformCall&, const CompileOptions&) {
  return element([](std::string& s) -> ElementResult {
    s = slug(s);
    return !s.empty();
  });
}

std::expected<DatePattern, ParseError> compile_pattern_argument(const TransformCall& call) {
  auto pattern = DatePattern::compile(call.arguments[0].text);
  if (!pattern) return argument_error(call, 0, pattern.error());
  return std::move(*pattern);
}

TransformResult make_date(const TransformCall& call, const CompileOptions&) {
  auto pattern = compile_pattern_argument(call);
  if (!pattern) return std::unexpected(std::move(pattern.error()));
  return element([pattern = std::move(*pattern)](std::string& s) -> ElementResult {
    if (unicode::trim(s).empty()) return false;
    // Already ISO (a connector may have parsed the column): accepted as is, so
    // adding `dates:` to a source does not break existing mappings.
    auto date = pattern.parse(s);
    if (!date) date = parse_iso_date(s);
    if (!date) {
      return std::unexpected(fmt::format("{} is not a date in the pattern {}",
                                         quote_for_message(s), pattern.text()));
    }
    s = format_iso_date(*date);
    return true;
  });
}

TransformResult make_date_format(const TransformCall& call, const CompileOptions&) {
  auto pattern = compile_pattern_argument(call);
  if (!pattern) return std::unexpected(std::move(pattern.error()));
  return element([pattern = std::move(*pattern)](std::string& s) -> ElementResult {
    if (unicode::trim(s).empty()) return false;
    const auto date = parse_iso_date(s);
    if (!date) {
      return std::unexpected(fmt::format(
          "{} is not an ISO date (yyyy-MM-dd); convert it first with date('<its pattern>')",
          quote_for_message(s)));
    }
    s = pattern.format(*date);
    return true;
  });
}

TransformResult make_default(const TransformCall& call, const CompileOptions&) {
  return whole([fallback = call.arguments[0].text](Value v) -> std::expected<Value, std::string> {
    const auto* s = v.string();
    const auto* l = v.list();
    if (v.is_null() || (s && s->empty()) || (l && l->empty())) return Value{fallback};
    return v;
  });
}

TransformResult make_replace(const TransformCall& call, const CompileOptions&) {
  std::regex pattern;
  try {
    pattern = std::regex(call.arguments[0].text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return argument_error(call, 0,
                          fmt::format("invalid regular expression {}: {}",
                                      quote_for_message(call.arguments[0].text), e.what()));
  }
  const std::string replacement = call.arguments.size() > 1 ? call.arguments[1].text : "";
  return element([pattern = std::move(pattern), replacement](std::string& s) -> ElementResult {
    s = std::regex_replace(s, pattern, replacement);
    return true;
  });
}

TransformResult make_lookup(const TransformCall& call, const CompileOptions& options) {
  const std::string& name = call.arguments[0].text;
  const auto found = options.lookup_tables.find(name);
  if (found == options.lookup_tables.end()) {
    std::string known;
    for (const auto& [table_name, table] : options.lookup_tables)
      known += (known.empty() ? "" : ", ") + table_name;
    return argument_error(
        call, 0,
        fmt::format("unknown lookup table '{}' ({})", name,
                    known.empty() ? "the job defines no lookup tables" : "known: " + known));
  }
  auto table = std::make_shared<const LookupTable>(found->second);
  return element([table, name](std::string& s) -> ElementResult {
    const auto hit = table->entries.find(s);
    if (hit != table->entries.end()) {
      s = hit->second;
      return true;
    }
    if (table->fallback) {
      s = *table->fallback;
      return true;
    }
    return std::unexpected(fmt::format(
        "{} is not a key of lookup table '{}', which has no default", quote_for_message(s), name));
  });
}

TransformResult make_split(const TransformCall& call, const CompileOptions&) {
  const std::string separator = call.arguments[0].text;
  if (separator.empty()) return argument_error(call, 0, "split needs a non-empty separator");
  return whole([separator](Value v) -> std::expected<Value, std::string> {
    List out;
    auto split_one = [&](std::string_view text) {
      std::size_t start = 0;
      while (start <= text.size()) {
        const auto end = std::min(text.find(separator, start), text.size());
        const auto part = text.substr(start, end - start);
        // Blank parts ("a,,b", a trailing separator) are never list items.
        if (!unicode::trim(part).empty()) out.emplace_back(part);
        start = end + separator.size();
      }
    };
    if (const auto* s = v.string()) {
      split_one(*s);
    } else if (const auto* l = v.list()) {
      for (const auto& item : *l) split_one(item);
    } else if (const auto* b = v.boolean()) {
      out.emplace_back(*b ? "true" : "false");
    } else {
      return v;
    }
    return Value{std::move(out)};
  });
}

TransformResult make_join(const TransformCall& call, const CompileOptions&) {
  return whole([separator = call.arguments[0].text](Value v) -> std::expected<Value, std::string> {
    const auto* l = v.list();
    if (!l) return v;
    if (l->empty()) return Value{};
    std::string out;
    for (std::size_t i = 0; i < l->size(); ++i) {
      if (i > 0) out += separator;
      out += (*l)[i];
    }
    return Value{std::move(out)};
  });
}

TransformResult make_first(const TransformCall&, const CompileOptions&) {
  return whole([](Value v) -> std::expected<Value, std::string> {
    auto* l = std::get_if<List>(&v.data);
    if (!l) return v;
    if (l->empty()) return Value{};
    return Value{std::move(l->front())};
  });
}

TransformResult make_prefix(const TransformCall& call, const CompileOptions&) {
  return element([prefix = call.arguments[0].text](std::string& s) -> ElementResult {
    if (!s.empty()) s.insert(0, prefix);
    return true;
  });
}

TransformResult make_suffix(const TransformCall& call, const CompileOptions&) {
  return element([suffix = call.arguments[0].text](std::string& s) -> ElementResult {
    if (!s.empty()) s += suffix;
    return true;
  });
}

TransformResult make_digits(const TransformCall&, const CompileOptions&) {
  return element([](std::string& s) -> ElementResult {
    std::erase_if(s, [](char c) { return c < '0' || c > '9'; });
    return !s.empty();
  });
}

TransformResult make_phone(const TransformCall&, const CompileOptions&) {
  return element([](std::string& s) -> ElementResult {
    s = normalise_phone(s);
    return !s.empty();
  });
}

TransformResult make_email(const TransformCall&, const CompileOptions&) {
  return element([](std::string& s) -> ElementResult {
    std::string address = unicode::lower(unicode::trim(s));
    if (address.empty()) return false;
    if (auto problem = email_shape_problem(address)) {
      return std::unexpected(
          fmt::format("{} is not an e-mail address: it {}", quote_for_message(s), *problem));
    }
    s = std::move(address);
    return true;
  });
}

TransformResult make_bool(const TransformCall&, const CompileOptions&) {
  return whole([](Value v) -> std::expected<Value, std::string> { return Value{truthy(v)}; });
}

TransformResult make_not(const TransformCall&, const CompileOptions&) {
  return whole([](Value v) -> std::expected<Value, std::string> { return Value{!truthy(v)}; });
}

constexpr std::array catalogue = {
    TransformSpec{"trim", "trim", "remove leading and trailing white space (Unicode)", 0, 0,
                  make_trim},
    TransformSpec{"lower", "lower", "lower case (Latin, Latin-1, Cyrillic)", 0, 0, make_lower},
    TransformSpec{"upper", "upper", "upper case (Latin, Latin-1, Cyrillic)", 0, 0, make_upper},
    TransformSpec{"title", "title", "first letter of every word upper case, the rest lower", 0,
                  0, make_title},
    TransformSpec{"translit", "translit", "Cyrillic to Latin (ICAO Doc 9303)", 0, 0,
                  make_translit},
    TransformSpec{"slug", "slug", "translit, lower, every run of non-alphanumerics becomes '.'",
                  0, 0, make_slug},
    TransformSpec{"login", "login", "same as slug", 0, 0, make_slug},
    TransformSpec{"date", "date('dd.MM.yyyy')", "parse a date in the pattern to yyyy-MM-dd", 1,
                  1, make_date},
    TransformSpec{"date_format", "date_format('dd.MM.yyyy')",
                  "format a yyyy-MM-dd date in the pattern", 1, 1, make_date_format},
    // The parser builds default(expression) itself (the argument is any
    // expression, evaluated only when needed); make_default serves callers
    // that build a call from literal arguments.
    TransformSpec{"default", "default(expression)",
                  "the expression's value when the value is null, \"\" or an empty list", 1, 1,
                  make_default},
    TransformSpec{"replace", "replace('regex', 'with')",
                  "ECMAScript regex replace of every match ($1 for groups)", 1, 2, make_replace},
    TransformSpec{"lookup", "lookup(table)", "replace by the entry of a lookup table", 1, 1,
                  make_lookup},
    TransformSpec{"split", "split(',')", "split a string into a list, blank parts dropped", 1, 1,
                  make_split},
    TransformSpec{"join", "join(', ')", "join a list into a string", 1, 1, make_join},
    TransformSpec{"first", "first", "the first element of a list", 0, 0, make_first},
    TransformSpec{"prefix", "prefix('text')", "prepend text to non-empty values", 1, 1,
                  make_prefix},
    TransformSpec{"suffix", "suffix('text')", "append text to non-empty values", 1, 1,
                  make_suffix},
    TransformSpec{"digits", "digits", "keep only the digits 0-9", 0, 0, make_digits},
    TransformSpec{"phone", "phone", "normalise a phone number (Russian numbers to +7…)", 0, 0,
                  make_phone},
    TransformSpec{"email", "email", "trim, lower and check the shape of an e-mail address", 0, 0,
                  make_email},
    TransformSpec{"bool", "bool", "true or false by the truth rules", 0, 0, make_bool},
    TransformSpec{"not", "not", "the negated truth value", 0, 0, make_not},
};

}  // namespace

std::span<const TransformSpec> transform_catalogue() noexcept { return catalogue; }

const TransformSpec* find_transform(std::string_view name) noexcept {
  for (const TransformSpec& spec : catalogue)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto code_points = [](std::string_view text) {
    std::u32string out;
    std::size_t pos = 0;
    while (pos < text.size()) out.push_back(unicode::decode(text, pos));
    return out;
  };
  const std::u32string x = code_points(a);
  const std::u32string y = code_points(b);
  // Optimal string alignment: a swap of neighbours ("jion") is one edit.
  const std::size_t width = y.size() + 1;
  std::vector<std::size_t> d((x.size() + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * width + j]; };
  for (std::size_t i = 0; i <= x.size(); ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= y.size(); ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t cost = x[i - 1] == y[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(x.size(), y.size());
}

std::vector<std::string_view> similar_transform_names(std::string_view name) {
  // Up to a third of the name may be wrong (at least one edit, at most three):
  // "lowr" → lower, "trnaslit" → translit, but "x" suggests nothing.
  const std::size_t limit = std::clamp<std::size_t>(unicode::count_code_points(name) / 3, 1, 3);
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  for (const TransformSpec& spec : catalogue) {
    const std::size_t distance = edit_distance(unicode::lower(name), spec.name);
    if (distance <= limit) scored.emplace_back(distance, spec.name);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& l, const auto& r) { return l.first < r.first; });
  std::vector<std::string_view> names;
  for (const auto& [distance, known] : scored) names.push_back(known);
  return names;
}

}  // namespace daoctl::mapping
