// Where `daoctl stats export` writes: an atomic output file, an XLSX
// workbook (libxlsxwriter, constant-memory mode) and the Prometheus spooler.
// These touch the file system, so they live beside the command rather than
// in core/stats (which holds the pure writers).
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "connectors/local/interrupt_cleanup.hpp"
#include "core/error.hpp"
#include "core/stats/report.hpp"

namespace daoctl::commands {

using local::create_registered_temporary;
using local::InterruptCleanup;

// An output buffer over a file descriptor it owns. AtomicOutputFile writes
// through the descriptor that created its temporary (O_EXCL): opening the
// path again with O_CREAT would make the file again if an interrupt's
// cleanup (on a job's watcher thread, while the main thread goes on) had
// just removed it - CI saw such a leftover.
class FdOutputBuffer final : public std::streambuf {
 public:
  FdOutputBuffer(int fd, std::size_t size);
  ~FdOutputBuffer() override;
  FdOutputBuffer(const FdOutputBuffer&) = delete;
  FdOutputBuffer& operator=(const FdOutputBuffer&) = delete;
  int fd() const { return fd_; }
  // Writes what is buffered; false if a write failed, now or before.
  bool drain();
  // The errno of the write that failed, 0 if none did.
  int error() const { return error_; }
  // Closes the descriptor (the lock on the temporary goes with it).
  void close();

 protected:
  int_type overflow(int_type ch) override;
  int sync() override { return drain() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool write_all(const char* p, std::size_t n);
  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

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
  AtomicOutputFile(std::string path, std::string temp_path, int fd, InterruptCleanup on_interrupt);
  std::string path_;
  std::string temp_path_;
  FdOutputBuffer buffer_;
  std::ostream stream_;
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
