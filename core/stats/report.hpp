// The reports of `daoctl stats export` and the streaming writers of the text
// formats (CSV, JSON, NDJSON, Prometheus). Pure: writers write to a
// std::ostream given by the caller and keep nothing per row, so memory stays
// flat however many rows pass through (Prometheus excepted: see below).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/stats/period.hpp"

namespace daoctl::stats {

using nlohmann::json;

enum class ReportKind { Activity, Events, Audit, Awards };
std::optional<ReportKind> parse_report(std::string_view name);
const char* to_string(ReportKind kind) noexcept;

// How a cell is typed in typed formats (XLSX) and quoted in CSV.
enum class CellType { Text, Integer, Timestamp, Json };

struct ReportColumn {
  std::string key;     // member of the API row
  std::string header;  // column title; timestamps say "(UTC)"
  CellType type = CellType::Text;
};

// The columns of a report. Activity shows the department columns only when
// grouped by department and the user column only when grouped by user.
// Awards: period, period_start, badge_id, badge_name, awarded (per period and
// badge, /api/v1/stats/awards).
std::vector<ReportColumn> report_columns(ReportKind kind, GroupBy group_by);

// What one export covers; written into JSON output and Prometheus info.
struct ReportScope {
  ReportKind kind = ReportKind::Activity;
  TimeRange range;
  Granularity granularity = Granularity::Day;
  GroupBy group_by = GroupBy::None;
  std::string generated_at;  // RFC 3339 UTC
};

// A cell as text: strings verbatim, null/missing as "", numbers as JSON,
// objects (audit details) as compact JSON.
std::string cell_text(const json& row, const ReportColumn& column);

// One cell of a row already taken apart by the caller (see
// ReportWriter::row_cells): `text` as cell_text would give it, `bare` for an
// integer in an Integer column (written without the CSV guard).
struct CellView {
  std::string_view text;
  bool bare = false;
};

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void begin(const ReportScope& scope, const std::vector<ReportColumn>& columns) = 0;
  virtual void row(const json& item) = 0;
  virtual void end() = 0;
  // The fast path: a writer that only needs each column's text (CSV) says
  // so, and the caller hands it one CellView per column instead of a parsed
  // JSON row, so pages need not be built into documents. Same output as
  // row() for the same data.
  virtual bool takes_cells() const { return false; }
  virtual void row_cells(const std::vector<CellView>& /*cells*/) {}
};

// RFC 4180: CRLF line ends, fields quoted when needed, text cells through
// output::csv_field (formula-injection guard); integers written bare. With
// excel_bom the output starts with a UTF-8 BOM so Excel reads UTF-8.
std::unique_ptr<ReportWriter> make_csv_writer(std::ostream& out, bool excel_bom);
// One JSON document: {"report", "time_zone": "UTC", "from", "to", ...,
// "rows": [API rows...]}; rows streamed one per line.
std::unique_ptr<ReportWriter> make_json_writer(std::ostream& out);
// One API row per line (JSON Lines); every row carries its own UTC times.
std::unique_ptr<ReportWriter> make_ndjson_writer(std::ostream& out);

// Prometheus text exposition (version 0.0.4).
// A label value escaped: backslash, double quote and newline.
std::string prometheus_label_value(std::string_view value);
// `name{k="v",...} value\n`; labels in the given order, empty values kept.
std::string prometheus_sample(std::string_view name,
                              const std::vector<std::pair<std::string, std::string>>& labels,
                              std::int64_t value);

// The Prometheus metric families of a report: one family per counter, all
// gauges (a period's count, not a monotonic counter). The exposition format
// wants every sample of a family together, so PrometheusFamilies routes each
// row's samples to the family's spool stream; the caller concatenates the
// spools after the last row (spools can be temporary files: memory flat).
struct PrometheusFamily {
  std::string name;
  std::string help;
};
std::vector<PrometheusFamily> prometheus_families(ReportKind kind);
// The samples of one row, one per family in prometheus_families order; for
// the audit report, the row's action (counted by the caller instead).
std::vector<std::string> prometheus_row_samples(const ReportScope& scope, const json& row);

}  // namespace daoctl::stats
