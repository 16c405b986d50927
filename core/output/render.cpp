#include "core/output/render.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

namespace daoctl::output {

Result<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "yaml") return Format::Yaml;
  if (name == "csv") return Format::Csv;
  return fail(ErrorKind::Usage, "unknown output format", "--output " + std::string(name),
              "accepted formats are table, json, yaml, csv");
}

const char* to_string(Format format) noexcept {
  switch (format) {
    case Format::Table: return "table";
    case Format::Json: return "json";
    case Format::Yaml: return "yaml";
    case Format::Csv: return "csv";
  }
  return "table";
}

namespace {

// Decodes one UTF-8 sequence starting at s[i]; returns the code point and
// advances i. An invalid byte decodes as itself (width one) and advances one.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = 1;
  char32_t cp = b0;
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else if (b0 >= 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xC2 && b0 < 0xE0) {
    len = 2;
    cp = b0 & 0x1F;
  } else {
    ++i;
    return b0;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return b0;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

bool is_wide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
         (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::string scalar_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return text;
}

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

}  // namespace

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const char32_t cp = next_code_point(utf8, i);
    if (cp >= 0x0300 && cp <= 0x036F) continue;
    width += is_wide(cp) ? 2 : 1;
  }
  return width;
}

std::string cell_text(const json& item, const Column& column) {
  if (column.extract) return one_line(column.extract(item));
  const json::json_pointer pointer(column.pointer);
  if (!item.contains(pointer)) return "";
  const json& v = item.at(pointer);
  if (v.is_array()) {
    std::string joined;
    for (const auto& element : v) {
      if (!joined.empty()) joined += ", ";
      joined += element.is_structured() ? element.dump() : scalar_text(element);
    }
    return one_line(joined);
  }
  if (v.is_object()) return one_line(v.dump());
  return one_line(scalar_text(v));
}

void append_csv_field(std::string& out, std::string_view text) {
  const bool guard = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                                       text[0] == '\t' || text[0] == '\r');
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    if (guard) out += '\'';
    out += text;
    return;
  }
  out += '"';
  if (guard) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(std::string_view text) {
  std::string field;
  append_csv_field(field, text);
  return field;
}

void render_table(std::ostream& out, const std::vector<json>& items,
                  const std::vector<Column>& columns, RenderStyle style) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(items.size());
  std::vector<std::size_t> widths;
  for (const auto& c : columns) widths.push_back(display_width(c.header));
  for (const auto& item : items) {
    auto& row = rows.emplace_back();
    for (std::size_t k = 0; k < columns.size(); ++k) {
      row.push_back(cell_text(item, columns[k]));
      widths[k] = std::max(widths[k], display_width(row.back()));
    }
  }
  // Lines are built whole so trailing padding (an empty last cell) can be cut.
  auto emit = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (header && style.colour) line += kBold;
      line += cells[k];
      if (header && style.colour) line += kReset;
      if (k + 1 != cells.size()) {
        line.append(widths[k] - display_width(cells[k]), ' ');
        line += "  ";
      }
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  std::vector<std::string> headers;
  for (const auto& c : columns) headers.push_back(c.header);
  emit(headers, true);
  for (const auto& row : rows) emit(row, false);
}

void render_csv(std::ostream& out, const std::vector<json>& items,
                const std::vector<Column>& columns) {
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out << ',';
    out << csv_field(columns[k].header);
  }
  out << "\r\n";
  for (const auto& item : items) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      if (k) out << ',';
      out << csv_field(cell_text(item, columns[k]));
    }
    out << "\r\n";
  }
}

void render_json(std::ostream& out, const json& value) {
  // error_handler replace: invalid UTF-8 from a peer must not abort the output.
  out << value.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

namespace {

// A plain YAML 1.1/1.2 scalar that a reader would take for a bool, null or
// number; such strings must be quoted to survive a round trip.
bool reads_as_non_string(const std::string& s) {
  static const std::regex special(
      R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$)");
  static const std::regex number(
      R"(^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$)");
  return s.empty() || std::regex_match(s, special) || std::regex_match(s, number);
}

void emit_yaml(YAML::Emitter& em, const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      em << YAML::BeginMap;
      for (const auto& [key, value] : v.items()) {
        em << YAML::Key;
        if (reads_as_non_string(key)) em << YAML::DoubleQuoted;
        em << key << YAML::Value;
        emit_yaml(em, value);
      }
      em << YAML::EndMap;
      break;
    case json::value_t::array:
      em << YAML::BeginSeq;
      for (const auto& element : v) emit_yaml(em, element);
      em << YAML::EndSeq;
      break;
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (reads_as_non_string(s)) em << YAML::DoubleQuoted;
      em << s;
      break;
    }
    case json::value_t::boolean:
      em << v.get<bool>();
      break;
    case json::value_t::null:
    case json::value_t::discarded:
      em << YAML::Null;
      break;
    default:
      em << v.dump();
      break;
  }
}

}  // namespace

void render_yaml(std::ostream& out, const json& value) {
  YAML::Emitter em;
  em.SetIndent(2);
  em.SetSeqFormat(YAML::Block);
  em.SetMapFormat(YAML::Block);
  if ((value.is_array() || value.is_object()) && value.empty()) {
    out << (value.is_array() ? "[]\n" : "{}\n");
    return;
  }
  emit_yaml(em, value);
  out << em.c_str() << '\n';
}

void render_list(std::ostream& out, const std::vector<json>& items,
                 const std::vector<Column>& columns, Format format, RenderStyle style) {
  switch (format) {
    case Format::Table:
      render_table(out, items, columns, style);
      break;
    case Format::Csv:
      render_csv(out, items, columns);
      break;
    case Format::Json:
      render_json(out, json(items));
      break;
    case Format::Yaml:
      render_yaml(out, json(items));
      break;
  }
}

}  // namespace daoctl::output
