#include "core/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace daoctl::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kFsi = "\xE2\x81\xA8";          // U+2068 FIRST STRONG ISOLATE
constexpr std::string_view kPdi = "\xE2\x81\xA9";          // U+2069 POP DIRECTIONAL ISOLATE

// The length of the valid UTF-8 sequence at text[at], or 0.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto b0 = static_cast<unsigned char>(text[at]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2, cp = b0 & 0x1F;
  else if (b0 >= 0xE0 && b0 <= 0xEF) len = 3, cp = b0 & 0x0F;
  else if (b0 >= 0xF0 && b0 <= 0xF4) len = 4, cp = b0 & 0x07;
  else return 0;
  if (at + len > text.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(text[at + i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;  // overlong, too big
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                                                  // surrogates
  if (cp >= 0x80 && cp <= 0x9F) return 0;                                                      // C1 controls
  return len;
}

// At most `max` code points of text, with "…" when cut (text is escaped later).
std::string shorten(std::string_view text, std::size_t max) {
  std::size_t at = 0, count = 0;
  while (at < text.size() && count < max) {
    auto len = utf8_length(text, at);
    at += len ? len : 1;
    ++count;
  }
  if (at >= text.size()) return std::string(text);
  return std::string(text.substr(0, at)) + "\xE2\x80\xA6";
}

// Text for an SVG <text>: escaped and bidi-isolated.
std::string svg_text(std::string_view text) {
  std::string out(kFsi);
  append_escaped(out, text);
  out += kPdi;
  return out;
}

// A round number >= value for an axis: 1, 2, 2.5 or 5 times a power of ten.
double nice_ceiling(double value) {
  if (value <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (step * power >= value) return step * power;
  return 10 * power;
}

std::string number(double value) {
  // Coordinates: one decimal, no trailing ".0".
  auto text = fmt::format("{:.1f}", value);
  if (text.size() > 2 && text.ends_with(".0")) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

constexpr std::string_view kStyle = R"css(
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--grid:#d1d9e0;--card:#f6f8fa;
--s0:#0969da;--s1:#bf3989;--s2:#1a7f37;--s3:#bc4c00;--s4:#8250df;--up:#1a7f37;--down:#d1242f;
--h0:#e8f1fb;--h1:#cfe2f7;--h2:#a9ccf1;--h3:#7fb2e8;--h4:#5596dd;--h5:#2f7ace;--h6:#155fb4;--h7:#0b4088}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--grid:#3d444d;--card:#151b23;
--s0:#4493f8;--s1:#db61a2;--s2:#3fb950;--s3:#db6d28;--s4:#ab7df8;--up:#3fb950;--down:#f85149;
--h0:#0c2d6b;--h1:#0f3d85;--h2:#144e9f;--h3:#1b62bb;--h4:#2f7ad3;--h5:#5597e3;--h6:#83b6ee;--h7:#b6d5f7}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg);
margin:0 auto;max-width:1040px;padding:16px 20px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--grid)}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted);margin:0 0 12px}.meta dt{display:inline;font-weight:600}.meta dd{display:inline;margin:0 16px 0 4px}
.note{color:var(--muted);font-size:13px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:8px 0}
.figure{background:var(--card);border:1px solid var(--grid);border-radius:6px;padding:8px 10px}
.figure .label{color:var(--muted);font-size:12px}.figure .value{font-size:22px;font-weight:600}
.figure .change{font-size:12px}.up{color:var(--up)}.down{color:var(--down)}
.wide{overflow-x:auto;content-visibility:auto;contain-intrinsic-size:auto 320px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
caption{text-align:left;color:var(--muted);font-size:12px;padding:2px 0}
th,td{border:1px solid var(--grid);padding:2px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.mark td{font-weight:600}
.badge{display:inline-block;border-radius:4px;padding:0 5px;font-size:12px;font-weight:600;color:#fff;background:var(--down)}
.badge.ok{background:var(--up)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{background:var(--card);border:1px solid var(--grid);border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-all}
svg{max-width:100%;height:auto;display:block;margin:6px 0}
svg text{fill:var(--fg);font-size:11px;font-family:system-ui,sans-serif}
svg .axis{stroke:var(--grid);stroke-width:1}svg .muted{fill:var(--muted)}
svg .line{fill:none;stroke-width:2}
.s0{stroke:var(--s0);fill:var(--s0)}.s1{stroke:var(--s1);fill:var(--s1)}.s2{stroke:var(--s2);fill:var(--s2)}
.s3{stroke:var(--s3);fill:var(--s3)}.s4{stroke:var(--s4);fill:var(--s4)}
svg .line.s0,svg .line.s1,svg .line.s2,svg .line.s3,svg .line.s4{fill:none}
.h0{fill:var(--h0)}.h1{fill:var(--h1)}.h2{fill:var(--h2)}.h3{fill:var(--h3)}.h4{fill:var(--h4)}.h5{fill:var(--h5)}
.h6{fill:var(--h6)}.h7{fill:var(--h7)}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.legend i.s0{background:var(--s0)}.legend i.s1{background:var(--s1)}.legend i.s2{background:var(--s2)}
.legend i.s3{background:var(--s3)}.legend i.s4{background:var(--s4)}
footer{margin-top:24px;color:var(--muted);font-size:12px}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
section{break-inside:avoid-page}h2{break-after:avoid-page}table{font-size:8pt;break-inside:auto}
tr{break-inside:avoid}.wide{overflow:visible;content-visibility:visible}thead{display:table-header-group}}
)css";

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const char c = text[at];
    switch (c) {
      case '&': out += "&amp;"; ++at; continue;
      case '<': out += "&lt;"; ++at; continue;
      case '>': out += "&gt;"; ++at; continue;
      case '"': out += "&quot;"; ++at; continue;
      case '\'': out += "&#39;"; ++at; continue;
      default: break;
    }
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t' && c != '\n') || b == 0x7F) {
      out += kReplacement;
      ++at;
      continue;
    }
    const auto len = utf8_length(text, at);
    if (len == 0) {
      out += kReplacement;
      ++at;
      continue;
    }
    out.append(text.substr(at, len));
    at += len;
  }
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  append_escaped(out, text);
  return out;
}

std::string user_text(std::string_view text) {
  std::string out = "<bdi>";
  append_escaped(out, text);
  out += "</bdi>";
  return out;
}

std::string format_int(std::int64_t value) {
  auto digits = std::to_string(value < 0 ? -(value + 1) + std::uint64_t{1} : static_cast<std::uint64_t>(value));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_decimal(double value, int decimals) {
  if (std::isnan(value)) return "\xE2\x80\x93";
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_change(double current, double previous) {
  if (previous == 0) return current == 0 ? "0.0 %" : "new";
  const double change = (current - previous) / previous * 100.0;
  return fmt::format("{}{:.1f} %", change > 0 ? "+" : "", change);
}

void begin_page(std::string& out, std::string_view title) {
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"daoctl\">\n";
  out += "<title>";
  append_escaped(out, title);
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>";
  append_escaped(out, title);
  out += "</h1>\n";
}

void end_page(std::string& out) { out += "</body>\n</html>\n"; }

void append_table(std::string& out, const Table& table) {
  out += "<div class=\"wide\"><table";
  if (!table.css_class.empty()) {
    out += " class=\"";
    append_escaped(out, table.css_class);
    out += '"';
  }
  if (!table.id.empty()) {
    out += " id=\"";
    append_escaped(out, table.id);
    out += '"';
  }
  out += ">";
  if (!table.caption.empty()) {
    out += "<caption>";
    append_escaped(out, table.caption);
    out += "</caption>";
  }
  auto numeric = [&](std::size_t i) { return i < table.numeric.size() && table.numeric[i]; };
  out += "<thead><tr>";
  for (std::size_t i = 0; i < table.headers.size(); ++i) {
    out += numeric(i) ? "<th scope=\"col\" class=\"n\">" : "<th scope=\"col\">";
    append_escaped(out, table.headers[i]);
    out += "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += numeric(i) ? "<td class=\"n\">" : "<td>";
      if (numeric(i)) append_escaped(out, row[i]);
      else out += user_text(row[i]);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

std::size_t line_chart_marks(const LineChart& chart) {
  std::size_t n = 0;
  for (const auto& s : chart.series)
    for (std::size_t i = 0; i < s.values.size() && i < chart.labels.size(); ++i)
      if (s.values[i]) ++n;
  return n;
}

void append_line_chart(std::string& out, const LineChart& chart) {
  constexpr double left = 64, right = 16, top = 14, bottom = 44, width = 760, height = 260;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const std::size_t n = chart.labels.size();
  std::int64_t max_value = 0;
  for (const auto& s : chart.series)
    for (const auto& v : s.values)
      if (v) max_value = std::max(max_value, *v);
  const double y_max = nice_ceiling(static_cast<double>(max_value));
  auto x_of = [&](std::size_t i) { return n <= 1 ? left + plot_w / 2 : left + plot_w * static_cast<double>(i) / static_cast<double>(n - 1); };
  auto y_of = [&](std::int64_t v) { return top + plot_h - plot_h * static_cast<double>(v) / y_max; };

  out += fmt::format("<svg class=\"chart line-chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" aria-label=\"", width, height);
  append_escaped(out, chart.title);
  out += "\"><title>";
  append_escaped(out, chart.title);
  out += "</title>\n";
  // Grid: 0, half and the top of the scale.
  for (double f : {0.0, 0.5, 1.0}) {
    const double y = top + plot_h - plot_h * f;
    out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", number(left), number(y),
                       number(width - right), number(y));
    out += fmt::format("<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", number(left - 6),
                       number(y + 4), escape(format_int(static_cast<std::int64_t>(std::llround(y_max * f)))));
  }
  // X labels: at most about 12.
  const std::size_t every = std::max<std::size_t>(1, (n + 11) / 12);
  for (std::size_t i = 0; i < n; i += every)
    out += fmt::format("<text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", number(x_of(i)),
                       number(height - bottom + 16), svg_text(shorten(chart.labels[i], 12)));
  out += '\n';
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const auto& series = chart.series[s];
    const auto css = fmt::format("s{}", s % 5);
    std::string path;
    bool pen_down = false;
    for (std::size_t i = 0; i < n && i < series.values.size(); ++i) {
      if (!series.values[i]) {
        pen_down = false;
        continue;
      }
      path += fmt::format("{}{} {}", pen_down ? " L" : (path.empty() ? "M" : " M"), number(x_of(i)),
                          number(y_of(*series.values[i])));
      pen_down = true;
    }
    if (!path.empty()) out += fmt::format("<path class=\"line {}\" d=\"{}\"/>\n", css, path);
    for (std::size_t i = 0; i < n && i < series.values.size(); ++i) {
      if (!series.values[i]) continue;
      out += fmt::format("<circle data-mark class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"2.5\"><title>", css, number(x_of(i)),
                         number(y_of(*series.values[i])));
      append_escaped(out, series.name + " " + chart.labels[i] + ": " + format_int(*series.values[i]));
      out += "</title></circle>";
    }
    out += '\n';
  }
  out += "</svg>\n<p class=\"legend\">";
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    out += fmt::format("<span><i class=\"s{}\"></i>", s % 5);
    append_escaped(out, chart.series[s].name);
    out += "</span>";
  }
  out += "</p>\n";
}

std::size_t bar_chart_marks(const BarChart& chart) {
  return static_cast<std::size_t>(
      std::count_if(chart.bars.begin(), chart.bars.end(), [](const Bar& b) { return b.value.has_value(); }));
}

void append_bar_chart(std::string& out, const BarChart& chart) {
  constexpr double width = 760, label_w = 280, value_w = 90, row_h = 18, top = 4;
  const double plot_w = width - label_w - value_w;
  double max = chart.max.value_or(0);
  if (!chart.max)
    for (const auto& b : chart.bars)
      if (b.value) max = std::max(max, *b.value);
  if (max <= 0) max = 1;
  const double height = top * 2 + row_h * static_cast<double>(std::max<std::size_t>(1, chart.bars.size()));
  out += fmt::format("<svg class=\"chart bar-chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" aria-label=\"",
                     width, number(height));
  append_escaped(out, chart.title);
  out += "\"><title>";
  append_escaped(out, chart.title);
  out += "</title>\n";
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& bar = chart.bars[i];
    const double y = top + row_h * static_cast<double>(i);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", number(label_w - 6), number(y + 13),
                       svg_text(shorten(bar.label, 40)));
    double end = label_w;
    if (bar.value) {
      const double w = std::max(0.0, plot_w * std::min(*bar.value, max) / max);
      out += fmt::format("<rect data-mark class=\"s0\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>",
                         number(label_w), number(y + 3), number(w), number(row_h - 5));
      append_escaped(out, bar.label + ": " + bar.value_text);
      out += "</title></rect>";
      end += w;
    }
    out += fmt::format("<text class=\"muted\" x=\"{}\" y=\"{}\">{}</text>\n", number(end + 4), number(y + 13),
                       escape(bar.value_text));
  }
  out += "</svg>\n";
}

std::size_t heat_map_marks(const HeatMap& map) {
  std::size_t n = 0;
  for (const auto& row : map.cells)
    for (const auto& cell : row)
      if (cell) ++n;
  return n;
}

void append_heat_map(std::string& out, const HeatMap& map) {
  constexpr double label_w = 230, top = 22, row_h = 13, max_w = 760;
  const std::size_t columns = map.column_labels.size();
  const double cell_w = columns ? std::clamp(std::floor((max_w - label_w) / static_cast<double>(columns)), 4.0, 40.0) : 10;
  const double width = label_w + cell_w * static_cast<double>(columns) + 4;
  const double height = top + row_h * static_cast<double>(map.row_labels.size()) + 4;
  out += fmt::format("<svg class=\"chart heat-map\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" aria-label=\"",
                     number(width), number(height));
  append_escaped(out, map.title);
  out += "\"><title>";
  append_escaped(out, map.title);
  out += "</title>\n";
  // Column labels: at most about 8.
  const std::size_t every = std::max<std::size_t>(1, (columns + 7) / 8);
  for (std::size_t c = 0; c < columns; c += every)
    out += fmt::format("<text class=\"muted\" x=\"{}\" y=\"14\">{}</text>", number(label_w + cell_w * static_cast<double>(c)),
                       svg_text(map.column_labels[c]));
  out += '\n';
  const auto cell_width = number(std::max(1.0, cell_w - 1));
  const auto cell_height = number(row_h - 1);
  for (std::size_t r = 0; r < map.row_labels.size(); ++r) {
    const double y = top + row_h * static_cast<double>(r);
    out += fmt::format("<g transform=\"translate(0 {})\"><text x=\"{}\" y=\"10\" text-anchor=\"end\">{}</text>", number(y),
                       number(label_w - 6), svg_text(shorten(map.row_labels[r], 34)));
    if (r < map.cells.size()) {
      for (std::size_t c = 0; c < columns && c < map.cells[r].size(); ++c) {
        const auto& cell = map.cells[r][c];
        if (!cell) continue;
        const int step = std::clamp(static_cast<int>(std::floor(std::clamp(cell->level, 0.0, 1.0) * 8)), 0, 7);
        out += fmt::format("<rect data-mark class=\"h{}\" x=\"{}\" width=\"{}\" height=\"{}\"/>", step,
                           number(label_w + cell_w * static_cast<double>(c)), cell_width, cell_height);
      }
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
}

void append_meta(std::string& out, const std::vector<std::pair<std::string, std::string>>& items) {
  out += "<dl class=\"meta\">";
  for (const auto& [term, value] : items) {
    out += "<dt>";
    append_escaped(out, term);
    out += "</dt><dd>";
    append_escaped(out, value);
    out += "</dd>";
  }
  out += "</dl>\n";
}

void append_figures(std::string& out, const std::vector<Figure>& figures) {
  out += "<div class=\"figures\">\n";
  for (const auto& f : figures) {
    out += "<div class=\"figure\"><div class=\"label\">";
    append_escaped(out, f.label);
    out += "</div><div class=\"value\">";
    append_escaped(out, f.value);
    if (f.change.empty() && f.previous.empty()) {  // a count with no period to compare (plan pages)
      out += "</div></div>\n";
      continue;
    }
    out += "</div><div class=\"change";
    out += f.direction > 0 ? " up" : f.direction < 0 ? " down" : "";
    out += "\">";
    append_escaped(out, f.change);
    out += " <span class=\"note\">(previous ";
    append_escaped(out, f.previous);
    out += ")</span></div></div>\n";
  }
  out += "</div>\n";
}

}  // namespace daoctl::report
