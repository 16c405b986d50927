// Where `daoctl stats export` writes: an atomic output file, an XLSX
// workbook (libxlsxwriter, constant-memory mode) and the Prometheus spooler.
// These touch the file system, so they live beside the command rather than
// in core/stats (which holds the pure writers).
#pragma once

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/local/interrupt_cleanup.hpp"
#include "core/error.hpp"
#include "core/stats/report.hpp"

namespace daoctl::commands {

using local::create_registered_temporary;
using local::InterruptCleanup;

// A file written under a temporary name in the target's directory and
// renamed over the target by commit() after fsync: a reader, or an
// interrupted export, never sees a half file under the final name. Without
// commit() the destructor removes the temporary file, and an interrupt
// (Ctrl-C, SIGTERM: cli's handler) removes it too.
class AtomicOutputFile {
 public:
  // Errors: Io naming the directory (cannot create the temporary file).
  static Result<std::unique_ptr<AtomicOutputFile>> create(const std::string& path);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  std::ostream& stream() { return stream_; }
  const std::string& temp_path() const { return temp_path_; }
  // Flushes, fsyncs and renames. Errors: Io naming the file and errno text.
  Status commit();

 private:
  AtomicOutputFile(std::string path, std::string temp_path, InterruptCleanup on_interrupt);
  std::string path_;
  std::string temp_path_;
  std::ofstream stream_;
  std::vector<char> buffer_;
  bool committed_ = false;
  InterruptCleanup on_interrupt_;
};

// One XLSX workbook, one worksheet per report, typed cells: integers as
// numbers, timestamps as date-time cells (UTC, said in the header), text as
// inline strings (never formulas, so "=HYPERLINK(...)" stays text). A report
// longer than Excel's 1,048,576 rows continues on "name (2)", "name (3)"...
class XlsxWorkbookWriter : public stats::ReportWriter {
 public:
  // Errors: Io (the workbook cannot be created at `path`).
  static Result<std::unique_ptr<XlsxWorkbookWriter>> create(const std::string& path);
  ~XlsxWorkbookWriter() override;

  void begin(const stats::ReportScope& scope, const std::vector<stats::ReportColumn>& columns) override;
  void row(const stats::json& item) override;
  void end() override {}
  // Writes the zip container. Errors: Io with libxlsxwriter's reason.
  Status close();

 private:
  struct Impl;
  explicit XlsxWorkbookWriter(std::unique_ptr<Impl> impl);
  void start_sheet();
  std::unique_ptr<Impl> impl_;
};

// Prometheus text exposition for several reports: each family's samples are
// spooled to an anonymous temporary file while rows stream in, and finish()
// writes every family (HELP, TYPE, samples) in one block. Audit rows are
// counted per action (bounded by the number of distinct actions).
class PrometheusWriter : public stats::ReportWriter {
 public:
  explicit PrometheusWriter(std::ostream& out) : out_(out) {}
  ~PrometheusWriter() override;
  PrometheusWriter(const PrometheusWriter&) = delete;
  PrometheusWriter& operator=(const PrometheusWriter&) = delete;

  void begin(const stats::ReportScope& scope, const std::vector<stats::ReportColumn>& columns) override;
  void row(const stats::json& item) override;
  void end() override;
  // Errors: Io when a spool file cannot be created or read back.
  Status finish();

 private:
  struct Spool {
    stats::PrometheusFamily family;
    std::FILE* file = nullptr;
  };
  std::ostream& out_;
  stats::ReportScope scope_;
  std::vector<Spool> spools_;      // every family of every report, in order
  std::size_t first_spool_ = 0;    // the current report's first family
  std::vector<std::string> info_;  // daoffice_stats_export_info samples
  std::vector<std::string> rows_;  // daoffice_stats_export_rows samples
  std::int64_t row_count_ = 0;
  std::map<std::string, std::int64_t> audit_actions_;
  bool spool_failed_ = false;
};

}  // namespace daoctl::commands
