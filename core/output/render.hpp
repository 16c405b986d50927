// Rendering of command results: human tables, stable JSON, YAML and CSV.
//
// Pure functions over std::ostream: no terminal detection here. cli/ decides
// whether colour is allowed and passes it in RenderStyle.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::output {

using nlohmann::json;

enum class Format { Table, Json, Yaml, Csv };

// "table" | "json" | "yaml" | "csv" -> Format; anything else is a Usage error
// that lists the accepted names.
Result<Format> parse_format(std::string_view name);
const char* to_string(Format format) noexcept;

// One table/CSV column: a header and where its value comes from. `pointer` is
// an RFC 6901 JSON pointer into each item ("/emails/0/value"); when `extract`
// is set it is used instead (computed columns such as member counts).
struct Column {
  std::string header;
  std::string pointer;
  std::function<std::string(const json& item)> extract;
};

struct RenderStyle {
  bool colour = false;  // bold headers; only when cli/ found a colour terminal
};

// Number of terminal columns a UTF-8 string occupies: one per code point
// (so Cyrillic aligns like ASCII), zero for combining marks (U+0300..U+036F),
// two for East Asian wide/fullwidth code points. Invalid bytes count one each.
std::size_t display_width(std::string_view utf8);

// The text of one cell: strings verbatim, null/missing as "", booleans as
// true/false, numbers as JSON, arrays of scalars joined with ", ", objects as
// compact JSON. Control characters become spaces so rows stay on one line.
std::string cell_text(const json& item, const Column& column);

// One CSV field: RFC 4180 quoting (fields containing , " CR or LF are quoted,
// quotes doubled) after the formula-injection guard: a field starting with
// = + - @ TAB or CR gets a leading apostrophe so spreadsheets show it as text.
std::string csv_field(std::string_view text);
// csv_field appended to `out`, without a temporary string.
void append_csv_field(std::string& out, std::string_view text);

// Columns separated by two spaces, every column but the last padded to its
// widest cell, trailing spaces cut; a header row first; only the header for an
// empty list.
void render_table(std::ostream& out, const std::vector<json>& items,
                  const std::vector<Column>& columns, RenderStyle style);
// Header row of column names, then one row per item; CRLF line ends (RFC 4180).
void render_csv(std::ostream& out, const std::vector<json>& items,
                const std::vector<Column>& columns);
// Pretty JSON with two-space indent and a final newline; key order as given.
void render_json(std::ostream& out, const json& value);
// Block-style YAML; strings that would read back as another type are quoted.
void render_yaml(std::ostream& out, const json& value);

// Renders a list in any format: table/csv use the columns, json/yaml print the
// items themselves as an array.
void render_list(std::ostream& out, const std::vector<json>& items,
                 const std::vector<Column>& columns, Format format, RenderStyle style);

}  // namespace daoctl::output
