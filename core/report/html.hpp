// HTML pages and inline SVG charts that daoctl writes (stats report, plan
// review). Pure: everything appends to a std::string.
//
// One escaping function, escape(), is used for every piece of text that
// reaches a page, in element content and in attribute values alike; every
// other function here takes plain text and escapes it. Text that came from
// outside (names, department paths from HR files) is also isolated for the
// bidirectional algorithm (<bdi> in HTML, FSI..PDI in SVG), so a right-to-left
// name cannot reorder the text around it.
//
// Every chart draws one element carrying a `data-mark` attribute per data
// point (a line's point, a bar, a heat map cell), so a browser test can count
// them against the data. Charts are readable without JavaScript and every
// chart is followed by a table of its numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daoctl::report {

// & < > " ' escaped; bytes that are not valid UTF-8 and C0 controls other
// than tab and newline (and DEL) become U+FFFD. Safe in element content and
// in double- or single-quoted attribute values.
std::string escape(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

// <bdi>escaped</bdi>: text from outside, isolated for bidi.
std::string user_text(std::string_view text);

// "1,234,567" (thousands separated by a thin space-free comma), "-12".
std::string format_int(std::int64_t value);
// value with `decimals` decimals ("12.5"); "–" for NaN.
std::string format_decimal(double value, int decimals);
// "+12.5 %", "-3.0 %", "new" (previous 0, current > 0), "0.0 %" (both 0).
std::string format_change(double current, double previous);

// The start of a self-contained page: doctype, charset, a CSP meta tag that
// forbids every request (default-src 'none'; style-src 'unsafe-inline';
// img-src data:), the style sheet (light and dark colour schemes, print on
// A4) and <h1>title</h1>. `lang` is the document language.
void begin_page(std::string& out, std::string_view title);
void end_page(std::string& out);

// A table. Cells are plain text; `numeric[i]` right-aligns column i.
struct Table {
  std::string caption;
  std::vector<std::string> headers;
  std::vector<bool> numeric;
  std::vector<std::vector<std::string>> rows;
  std::string css_class;  // optional class of the <table>
  std::string id;         // optional id of the <table> (tests find tables by it)
};
void append_table(std::string& out, const Table& table);

// A line chart: one polyline per series over shared x labels, a circle with
// data-mark per point that has a value. Values are counts (>= 0).
struct Series {
  std::string name;
  std::vector<std::optional<std::int64_t>> values;  // one per label; nullopt: no data
};
struct LineChart {
  std::string title;  // aria-label and <title>
  std::vector<std::string> labels;
  std::vector<Series> series;
};
void append_line_chart(std::string& out, const LineChart& chart);
// The number of marks append_line_chart draws.
std::size_t line_chart_marks(const LineChart& chart);

// A horizontal bar chart; a bar with no value is listed without a mark.
struct Bar {
  std::string label;
  std::optional<double> value;
  std::string value_text;  // shown at the bar's end
};
struct BarChart {
  std::string title;
  std::vector<Bar> bars;
  std::optional<double> max;  // scale; default the largest value
};
void append_bar_chart(std::string& out, const BarChart& chart);
std::size_t bar_chart_marks(const BarChart& chart);

// A heat map: rows x columns; a cell with a value is a rect with data-mark,
// coloured in one of 8 steps of `level` (0..1).
struct HeatCell {
  std::int64_t value = 0;
  double level = 0;
};
struct HeatMap {
  std::string title;
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  std::vector<std::vector<std::optional<HeatCell>>> cells;  // [row][column]
};
void append_heat_map(std::string& out, const HeatMap& map);
std::size_t heat_map_marks(const HeatMap& map);

// Headline figures: a row of cards, each a label, a value and (when there is a
// period to compare) its change; plan pages pass counts with neither.
struct Figure {
  std::string label;
  std::string value;
  std::string previous;
  std::string change;  // format_change
  int direction = 0;   // -1, 0, +1: colours the change
};
void append_figures(std::string& out, const std::vector<Figure>& figures);

// The page's facts (period, generation time, platform...): <dl class="meta">.
void append_meta(std::string& out, const std::vector<std::pair<std::string, std::string>>& items);

}  // namespace daoctl::report
