#include "commands/stats/sinks.hpp"

#include "connectors/local/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace daoctl::commands {

// ------------------------------------------------------------ FdOutputBuffer

FdOutputBuffer::FdOutputBuffer(int fd, std::size_t size) : fd_(fd), buffer_(size) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

FdOutputBuffer::~FdOutputBuffer() { close(); }

void FdOutputBuffer::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FdOutputBuffer::write_all(const char* p, std::size_t n) {
  if (error_ == 0 && n > 0) error_ = fd_ < 0 ? EBADF : local::write_all(fd_, p, n);
  return error_ == 0;
}

bool FdOutputBuffer::drain() {
  const bool ok = write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return ok;
}

FdOutputBuffer::int_type FdOutputBuffer::overflow(int_type ch) {
  if (!drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

std::streamsize FdOutputBuffer::xsputn(const char* s, std::streamsize n) {
  if (n < epptr() - pptr()) return std::streambuf::xsputn(s, n);
  // More than the room left: what is buffered, then the block itself.
  if (!drain() || !write_all(s, static_cast<std::size_t>(n))) return 0;
  return n;
}

// ------------------------------------------------------------ AtomicOutputFile

AtomicOutputFile::AtomicOutputFile(std::string path, std::string temp_path, int fd, InterruptCleanup on_interrupt)
    : path_(std::move(path)),
      temp_path_(std::move(temp_path)),
      buffer_(fd, 1 << 16),
      stream_(&buffer_),
      on_interrupt_(std::move(on_interrupt)) {}

Result<std::unique_ptr<AtomicOutputFile>> AtomicOutputFile::create(const std::string& path) {
  std::filesystem::path target(path);
  auto dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  InterruptCleanup on_interrupt;
  int fd = -1;
  std::string temp = create_registered_temporary((dir / ("." + target.filename().string() + ".tmp-")).string(),
                                                 false, on_interrupt, &fd);
  if (temp.empty())
    return fail(ErrorKind::Io, "cannot create the output file", path, std::strerror(errno),
                "check that the directory exists and is writable");
  // Written through `fd`, never opened again by name (FdOutputBuffer).
  return std::unique_ptr<AtomicOutputFile>(new AtomicOutputFile(path, temp, fd, std::move(on_interrupt)));
}

AtomicOutputFile::~AtomicOutputFile() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

Status AtomicOutputFile::commit() {
  stream_.flush();
  if (!buffer_.drain() || !stream_)
    return fail(ErrorKind::Io, "cannot write the output file", path_,
                buffer_.error() != 0 ? std::strerror(buffer_.error()) : "write failed");
  if (::fsync(buffer_.fd()) != 0)
    return fail(ErrorKind::Io, "cannot flush the output file to disk", path_, std::strerror(errno));
  buffer_.close();
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    return fail(ErrorKind::Io, "cannot move the finished output into place", path_, std::strerror(errno));
  committed_ = true;
  on_interrupt_.release();
  return {};
}

// ------------------------------------------------------------ XLSX

namespace {
constexpr lxw_row_t kExcelMaxRows = 1'048'576;
}

struct XlsxWorkbookWriter::Impl {
  lxw_workbook* workbook = nullptr;
  lxw_format* header = nullptr;
  lxw_format* datetime = nullptr;
  lxw_worksheet* sheet = nullptr;
  std::string report;
  int sheet_part = 0;
  lxw_row_t next_row = 0;
  std::vector<stats::ReportColumn> columns;
  std::string path;
  // libxlsxwriter's own temporaries (one per worksheet in constant_memory
  // mode) go in a private directory of ours: it makes each as tmp.XXXXXXXXXX
  // and unlinks it only after open(2), so an interrupt in between left an
  // empty file in $TMPDIR (CI saw one). The directory is registered, and the
  // signal handler empties and removes it.
  std::string tmpdir;
  InterruptCleanup tmpdir_cleanup;
  ~Impl() {
    if (workbook) workbook_close(workbook);
    if (!tmpdir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(tmpdir, ignored);
    }
  }
};

XlsxWorkbookWriter::XlsxWorkbookWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

// A workbook that was never closed still owns memory and temporary files:
// Impl's destructor closes it and removes its temporary directory.
XlsxWorkbookWriter::~XlsxWorkbookWriter() = default;

Result<std::unique_ptr<XlsxWorkbookWriter>> XlsxWorkbookWriter::create(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  const std::string prefix = local::temporary_directory() + "/daoctl-xlsx-tmp-";
  impl->tmpdir = create_registered_temporary(prefix, true, impl->tmpdir_cleanup);
  if (impl->tmpdir.empty())
    return fail(ErrorKind::Io, "cannot create a temporary directory for the workbook", prefix + "*",
                std::strerror(errno));
  lxw_workbook_options options{};
  options.tmpdir = impl->tmpdir.data();
  options.constant_memory = LXW_TRUE;  // rows are flushed as they are written: memory stays flat
  options.use_zip64 = LXW_TRUE;
  impl->workbook = workbook_new_opt(path.c_str(), &options);
  if (!impl->workbook) return fail(ErrorKind::Io, "cannot create the XLSX workbook", path);
  impl->header = workbook_add_format(impl->workbook);
  format_set_bold(impl->header);
  impl->datetime = workbook_add_format(impl->workbook);
  format_set_num_format(impl->datetime, "yyyy-mm-dd hh:mm:ss");
  return std::unique_ptr<XlsxWorkbookWriter>(new XlsxWorkbookWriter(std::move(impl)));
}

void XlsxWorkbookWriter::start_sheet() {
  ++impl_->sheet_part;
  auto name = impl_->sheet_part == 1 ? impl_->report : fmt::format("{} ({})", impl_->report, impl_->sheet_part);
  impl_->sheet = workbook_add_worksheet(impl_->workbook, name.c_str());
  impl_->next_row = 0;
  for (std::size_t c = 0; c < impl_->columns.size(); ++c) {
    worksheet_write_string(impl_->sheet, 0, static_cast<lxw_col_t>(c), impl_->columns[c].header.c_str(),
                           impl_->header);
    worksheet_set_column(impl_->sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                         impl_->columns[c].type == stats::CellType::Timestamp ? 20 : 14, nullptr);
  }
  worksheet_freeze_panes(impl_->sheet, 1, 0);
  impl_->next_row = 1;
}

void XlsxWorkbookWriter::begin(const stats::ReportScope& scope, const std::vector<stats::ReportColumn>& columns) {
  impl_->report = stats::to_string(scope.kind);
  impl_->columns = columns;
  impl_->sheet_part = 0;
  start_sheet();
}

void XlsxWorkbookWriter::row(const stats::json& item) {
  if (impl_->next_row >= kExcelMaxRows) start_sheet();
  auto r = impl_->next_row++;
  for (std::size_t c = 0; c < impl_->columns.size(); ++c) {
    const auto& column = impl_->columns[c];
    auto col = static_cast<lxw_col_t>(c);
    auto it = item.find(column.key);
    if (it == item.end() || it->is_null()) continue;  // a blank cell
    if (column.type == stats::CellType::Integer && it->is_number()) {
      worksheet_write_number(impl_->sheet, r, col, it->get<double>(), nullptr);
      continue;
    }
    auto text = stats::cell_text(item, column);
    if (column.type == stats::CellType::Timestamp) {
      if (auto at = stats::parse_instant(text)) {
        auto day = stats::day_of(*at);
        auto civil = stats::civil_from_days(day);
        auto seconds = *at - day * 86400;
        lxw_datetime dt{civil.year, civil.month, civil.day, static_cast<int>(seconds / 3600),
                        static_cast<int>(seconds % 3600 / 60), static_cast<double>(seconds % 60)};
        worksheet_write_datetime(impl_->sheet, r, col, &dt, impl_->datetime);
        continue;
      }
    }
    worksheet_write_string(impl_->sheet, r, col, text.c_str(), nullptr);
  }
}

Status XlsxWorkbookWriter::close() {
  auto status = workbook_close(impl_->workbook);
  impl_->workbook = nullptr;
  if (status != LXW_NO_ERROR)
    return fail(ErrorKind::Io, "cannot write the XLSX workbook", impl_->path, lxw_strerror(status));
  return {};
}

// ------------------------------------------------------------ Prometheus

PrometheusWriter::~PrometheusWriter() {
  for (auto& s : spools_)
    if (s.file) std::fclose(s.file);
}

void PrometheusWriter::begin(const stats::ReportScope& scope, const std::vector<stats::ReportColumn>&) {
  scope_ = scope;
  row_count_ = 0;
  audit_actions_.clear();
  first_spool_ = spools_.size();
  for (auto& family : stats::prometheus_families(scope.kind)) {
    Spool spool{family, std::tmpfile()};
    if (!spool.file) spool_failed_ = true;
    spools_.push_back(std::move(spool));
  }
  info_.push_back(stats::prometheus_sample(
      "daoffice_stats_export_info",
      {{"report", stats::to_string(scope.kind)},
       {"from", stats::format_rfc3339(scope.range.from)},
       {"to", stats::format_rfc3339(scope.range.to)},
       {"time_zone", "UTC"},
       {"granularity", scope.kind == stats::ReportKind::Activity || scope.kind == stats::ReportKind::Awards
                           ? stats::to_string(scope.granularity)
                           : ""},
       {"group_by", scope.kind == stats::ReportKind::Activity ? stats::to_string(scope.group_by) : ""}},
      1));
}

void PrometheusWriter::row(const stats::json& item) {
  ++row_count_;
  auto samples = stats::prometheus_row_samples(scope_, item);
  if (scope_.kind == stats::ReportKind::Audit) {
    ++audit_actions_[samples.at(0)];
    return;
  }
  for (std::size_t i = 0; i < samples.size() && first_spool_ + i < spools_.size(); ++i)
    if (auto* f = spools_[first_spool_ + i].file) std::fwrite(samples[i].data(), 1, samples[i].size(), f);
}

void PrometheusWriter::end() {
  if (scope_.kind == stats::ReportKind::Audit && first_spool_ < spools_.size()) {
    const auto& family = spools_[first_spool_].family;
    for (const auto& [action, count] : audit_actions_) {
      auto line = stats::prometheus_sample(family.name, {{"action", action}}, count);
      if (auto* f = spools_[first_spool_].file) std::fwrite(line.data(), 1, line.size(), f);
    }
  }
  rows_.push_back(stats::prometheus_sample("daoffice_stats_export_rows", {{"report", stats::to_string(scope_.kind)}},
                                           row_count_));
}

Status PrometheusWriter::finish() {
  if (spool_failed_)
    return fail(ErrorKind::Io, "cannot create a temporary spool file for the Prometheus output", "$TMPDIR",
                std::strerror(errno));
  out_ << "# HELP daoffice_stats_export_info What the export covers; all times are UTC.\n"
       << "# TYPE daoffice_stats_export_info gauge\n";
  for (const auto& line : info_) out_ << line;
  out_ << "# HELP daoffice_stats_export_rows Rows read from the platform per report.\n"
       << "# TYPE daoffice_stats_export_rows gauge\n";
  for (const auto& line : rows_) out_ << line;
  std::vector<char> buffer(1 << 16);
  for (auto& spool : spools_) {
    out_ << "# HELP " << spool.family.name << ' ' << spool.family.help << "\n# TYPE " << spool.family.name
         << " gauge\n";
    std::rewind(spool.file);
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), spool.file)) > 0)
      out_.write(buffer.data(), static_cast<std::streamsize>(n));
    if (std::ferror(spool.file))
      return fail(ErrorKind::Io, "cannot read back a Prometheus spool file", spool.family.name, std::strerror(errno));
  }
  out_.flush();
  return {};
}

}  // namespace daoctl::commands
