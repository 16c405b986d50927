#include "core/schema/yaml_json.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "core/text/encoding.hpp"

namespace daoctl::schema {

void SourceMap::record(std::string pointer, SourcePosition position) {
  positions_.insert_or_assign(std::move(pointer), position);
}

std::optional<SourcePosition> SourceMap::find_exact(std::string_view pointer) const {
  auto it = positions_.find(pointer);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

void SourceMap::record_key(std::string pointer, SourcePosition position) {
  keys_.insert_or_assign(std::move(pointer), position);
}

std::optional<SourcePosition> SourceMap::find_key(std::string_view pointer) const {
  auto it = keys_.find(pointer);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::optional<SourcePosition> SourceMap::find(std::string_view pointer) const {
  for (;;) {
    if (auto found = find_exact(pointer)) return found;
    if (pointer.empty()) return std::nullopt;
    pointer = pointer.substr(0, pointer.rfind('/'));
  }
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string unescape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

namespace {

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

// The 1-based column of `mark` in characters: yaml-cpp counts bytes, so a
// value after Cyrillic or Hebrew text was reported columns to the right of
// where an editor shows it. `text` is the whole source; mark.pos its byte.
int column_of(std::string_view text, const YAML::Mark& mark) {
  if (mark.pos < 0 || mark.column < 0 || static_cast<std::size_t>(mark.pos) > text.size() || mark.column > mark.pos)
    return mark.column + 1;
  int column = 1;
  for (auto i = static_cast<std::size_t>(mark.pos - mark.column); i < static_cast<std::size_t>(mark.pos); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return column;
}

std::string where(std::string_view source_name, std::string_view text, const YAML::Mark& mark) {
  if (mark.is_null()) return std::string(source_name);
  return std::string(source_name) + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(column_of(text, mark));
}

std::optional<nlohmann::json> resolve_null(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nlohmann::json();
  return std::nullopt;
}

std::optional<nlohmann::json> resolve_bool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return nlohmann::json(true);
  if (s == "false" || s == "False" || s == "FALSE") return nlohmann::json(false);
  return std::nullopt;
}

// A decimal text as a double without exceptions: std::stod throws
// out_of_range for 99999e999 (found by fuzzing). Beyond the range of double a
// value becomes +-infinity, below it +-0, as YAML 1.2 float resolution allows.
double to_double(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    auto e = text.find_first_of("eE");
    const bool tiny = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (ec != std::errc()) {
    value = 0.0;  // unreachable: callers pass texts that matched a decimal pattern
  }
  (void)end;
  return negative ? -value : value;
}

// The YAML 1.2 core schema's number forms, matched by hand: std::regex
// (libstdc++) cost a few microseconds a scalar, and a document expanded
// through aliases to 100k scalars took seconds (10 s under the fuzzer's
// instrumentation, found by the billion-laughs regression timing out).
bool all_of_digits(std::string_view s, std::size_t from, bool (*digit)(char)) {
  if (from >= s.size()) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (!digit(s[i])) return false;
  return true;
}
bool is_dec(char c) { return c >= '0' && c <= '9'; }
bool is_oct(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && is_dec(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::optional<nlohmann::json> resolve_int(const std::string& s) {
  int base = 10;
  std::string digits = s;
  if (s.starts_with("0o") && all_of_digits(s, 2, is_oct)) {
    base = 8;
    digits = s.substr(2);
  } else if (s.starts_with("0x") && all_of_digits(s, 2, is_hex)) {
    base = 16;
    digits = s.substr(2);
  } else if (!all_of_digits(s, !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0, is_dec)) {
    return std::nullopt;
  }
  if (!digits.empty() && digits.front() == '+') digits.erase(0, 1);
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  std::int64_t signed_value = 0;
  if (auto [p, ec] = std::from_chars(first, last, signed_value, base);
      ec == std::errc() && p == last)
    return nlohmann::json(signed_value);
  std::uint64_t unsigned_value = 0;
  if (auto [p, ec] = std::from_chars(first, last, unsigned_value, base);
      ec == std::errc() && p == last)
    return nlohmann::json(unsigned_value);
  // Too large for 64 bits: keep the magnitude as a float rather than fail.
  return nlohmann::json(to_double(s));
}

std::optional<nlohmann::json> resolve_float(const std::string& s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF")
    return nlohmann::json(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF")
    return nlohmann::json(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN")
    return nlohmann::json(std::numeric_limits<double>::quiet_NaN());
  if (!is_core_float(s)) return std::nullopt;
  return nlohmann::json(to_double(s));
}

class Converter {
 public:
  Converter(std::string_view source_name, std::string_view text, SourceMap& positions, std::size_t max_nodes)
      : source_name_(source_name), text_(text), positions_(positions), nodes_left_(max_nodes) {}

  Result<nlohmann::json> convert(const YAML::Node& node, const std::string& pointer) {
    const YAML::Mark mark = node.Mark();
    // Aliases are expanded: nested ones ("billion laughs") would make a few
    // hundred bytes convert for ever. Without aliases a text has fewer nodes
    // than bytes, so the bound only stops runaway expansion.
    if (nodes_left_ == 0)
      return fail(ErrorKind::Parse, "cannot convert YAML to JSON", where(source_name_, text_, mark),
                  "the document expands to too many nodes through aliases");
    --nodes_left_;
    if (!mark.is_null()) positions_.record(pointer, {mark.line + 1, column_of(text_, mark)});
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nlohmann::json();
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        std::size_t index = 0;
        for (const auto& item : node) {
          auto value = convert(item, pointer + "/" + std::to_string(index++));
          if (!value) return value;
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) {
          const YAML::Node& key = entry.first;
          if (!key.IsScalar())
            return fail(ErrorKind::Parse, "cannot convert YAML to JSON",
                        where(source_name_, text_, key.Mark()), "mapping keys must be scalars");
          const std::string name = key.Scalar();
          if (auto bad = not_utf8(name, key.Mark())) return std::unexpected(std::move(*bad));
          if (object.contains(name))
            return fail(ErrorKind::Parse, "cannot convert YAML to JSON",
                        where(source_name_, text_, key.Mark()), "duplicate key \"" + name + "\"");
          const std::string member = pointer + "/" + escape_pointer_token(name);
          if (const YAML::Mark km = key.Mark(); !km.is_null())
            positions_.record_key(member, {km.line + 1, column_of(text_, km)});
          auto value = convert(entry.second, member);
          if (!value) return value;
          object[name] = std::move(*value);
        }
        return object;
      }
    }
    return nlohmann::json();
  }

 private:
  // JSON strings are UTF-8 (nlohmann's dump() throws on anything else): raw
  // bytes that are not, and escapes such as "\uD800" that yaml-cpp encodes
  // as surrogates, are refused where they are written.
  std::optional<Error> not_utf8(const std::string& text, const YAML::Mark& mark) const {
    const std::size_t valid = text::valid_utf8_prefix(text);
    if (valid == text.size()) return std::nullopt;
    Error e;
    e.kind = ErrorKind::Parse;
    e.message = "cannot convert YAML to JSON";
    e.object = where(source_name_, text_, mark);
    e.detail = "the text is not valid UTF-8 (byte " + std::to_string(valid + 1) + " of the value)";
    e.hint = "save the file as UTF-8";
    return e;
  }

  Result<nlohmann::json> scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (auto bad = not_utf8(text, node.Mark())) return std::unexpected(std::move(*bad));
    const std::string& tag = node.Tag();
    // yaml-cpp tags quoted and block scalars "!" and plain ones "?".
    if (tag == "!") return nlohmann::json(text);
    if (tag == "?" || tag.empty()) {
      if (auto v = resolve_null(text)) return *v;
      if (auto v = resolve_bool(text)) return *v;
      if (auto v = resolve_int(text)) return *v;
      if (auto v = resolve_float(text)) return *v;
      return nlohmann::json(text);
    }
    if (tag.starts_with(kCoreTagPrefix)) {
      const std::string_view type = std::string_view(tag).substr(kCoreTagPrefix.size());
      std::optional<nlohmann::json> v;
      if (type == "str") return nlohmann::json(text);
      if (type == "null") v = resolve_null(text);
      if (type == "bool") v = resolve_bool(text);
      if (type == "int") v = resolve_int(text);
      if (type == "float") {
        v = resolve_float(text);
        if (!v) v = resolve_int(text);
        if (v && v->is_number_integer()) v = nlohmann::json(v->get<double>());
      }
      if (v) return *v;
      return fail(ErrorKind::Parse, "cannot convert YAML to JSON", where(source_name_, text_, node.Mark()),
                  "\"" + text + "\" is not a valid !!" + std::string(type));
    }
    // Application tags (!foo) carry no JSON meaning: keep the text.
    return nlohmann::json(text);
  }

  std::string_view source_name_;
  std::string_view text_;
  SourceMap& positions_;
  std::size_t nodes_left_;
};

// Counts the documents of a stream, stopping after kMaxDocuments, and keeps
// where the second one's root is. yaml-cpp 0.7's LoadAll never stops on
// some invalid streams ("- x\n," or a line starting with ","): it keeps
// returning null documents until memory runs out (jbeder/yaml-cpp#1040).
class DocumentCounter final : public YAML::EventHandler {
 public:
  static constexpr int kMaxDocuments = 100;
  int documents = 0;
  YAML::Mark second_root = YAML::Mark::null_mark();

  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (documents == 2 && second_root.is_null()) second_root = mark;
  }
};

}  // namespace

Result<YamlDocument> parse_yaml(std::string_view text, std::string_view source_name) {
  YAML::Node root;
  DocumentCounter counter;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    while (counter.documents <= DocumentCounter::kMaxDocuments && parser.HandleNextDocument(counter)) {
    }
    if (counter.documents == 1) root = YAML::Load(std::string(text));  // the first document only
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::Parse, "cannot parse YAML", where(source_name, text, e.mark), e.msg);
  }
  YamlDocument out;
  if (counter.documents == 0) return out;
  if (counter.documents > 1)
    return fail(ErrorKind::Parse, "cannot parse YAML", where(source_name, text, counter.second_root),
                "expected one document, found " +
                    (counter.documents > DocumentCounter::kMaxDocuments
                         ? "more than " + std::to_string(DocumentCounter::kMaxDocuments)
                         : std::to_string(counter.documents)));
  Converter converter(source_name, text, out.positions, 2 * text.size() + 100'000);
  auto value = converter.convert(root, "");
  if (!value) return std::unexpected(std::move(value.error()));
  out.value = std::move(*value);
  return out;
}

}  // namespace daoctl::schema
