#include "connectors/hr/csv_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <optional>

#include "core/hr/csv_parser.hpp"

namespace daoctl::hr {

namespace {

std::string trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string at(const std::string& path, text::TextPosition p) {
  return fmt::format("{}:{}:{}", path, p.line, p.column);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Turns parser rows into records: header handling, column checks, key checks.
class CsvRecordBuilder {
 public:
  CsvRecordBuilder(const CsvSourceOptions& options, const RecordSink& sink, ReadReport& report)
      : options_(options), sink_(sink), report_(report) {}

  Status configure_explicit_columns() {
    if (options_.columns.empty()) {
      if (!options_.header)
        return fail(ErrorKind::Config, fmt::format("cannot read {}", options_.path), {},
                    "header: false needs the column names in columns:");
      return {};
    }
    for (size_t i = 0; i < options_.columns.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (!options_.columns[i].empty() && options_.columns[i] == options_.columns[j])
          return fail(ErrorKind::Config, fmt::format("cannot read {}", options_.path), {},
                      fmt::format("columns: names '{}' twice", options_.columns[i]));
      }
    }
    names_ = options_.columns;
    if (auto st = check_key(text::TextPosition{}); !st) return st;
    return announce_columns();
  }

  Status on_row(const CsvRow& row) {
    if (options_.header && !header_seen_) {
      header_seen_ = true;
      if (!options_.columns.empty()) return {};
      return take_header(row);
    }
    return take_data(row);
  }

  bool header_seen() const { return header_seen_; }

 private:
  Status take_header(const CsvRow& row) {
    names_.clear();
    for (size_t i = 0; i < row.cells.size(); ++i) {
      std::string name = trim_spaces(row.cells[i]);
      if (!name.empty()) {
        for (size_t j = 0; j < names_.size(); ++j) {
          if (names_[j] == name)
            return fail(ErrorKind::Parse,
                        fmt::format("duplicate column name '{}' in the header of {}", name,
                                    options_.path),
                        at(options_.path, row.starts[i]),
                        fmt::format("column {} repeats column {}", i + 1, j + 1),
                        "rename one of them in the export, or name the columns in columns:");
        }
      }
      names_.push_back(std::move(name));
    }
    if (auto st = check_key(row.starts.front()); !st) return st;
    return announce_columns();
  }

  Status announce_columns() {
    if (!options_.on_columns) return {};
    std::vector<std::string> named;
    for (const auto& n : names_)
      if (!n.empty()) named.push_back(n);
    return options_.on_columns(named);
  }

  Status check_key(text::TextPosition header_pos) {
    if (options_.key.empty()) return {};
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == options_.key) {
        key_index_ = i;
        return {};
      }
    }
    std::string listed;
    for (const auto& n : names_) {
      if (n.empty()) continue;
      listed += listed.empty() ? "" : ", ";
      listed += "'" + n + "'";
    }
    std::string hint = "check key: against the header";
    if (names_.size() == 1)
      hint = fmt::format("the header has a single column: check delimiter: (now '{}')",
                         options_.delimiter == '\t' ? std::string("tab")
                                                    : std::string(1, options_.delimiter));
    return fail(ErrorKind::Parse,
                fmt::format("key column '{}' is not in the columns of {}", options_.key,
                            options_.path),
                options_.columns.empty() ? at(options_.path, header_pos) : options_.path,
                "columns: " + listed, std::move(hint));
  }

  Status take_data(const CsvRow& row) {
    const size_t columns = names_.size();
    const size_t cells = row.cells.size();
    if (cells != columns) {
      bool extra_data = false;
      size_t first_extra_data = 0;
      for (size_t i = columns; i < cells; ++i) {
        if (!row.cells[i].empty()) {
          extra_data = true;
          first_extra_data = i;
          break;
        }
      }
      if (options_.ragged_rows == RaggedRows::Error || extra_data) {
        text::TextPosition where = cells > columns ? row.starts[extra_data ? first_extra_data
                                                                           : columns]
                                                   : row.end;
        std::string detail = fmt::format("the row has {} cell{}, the header has {} column{}", cells,
                                         cells == 1 ? "" : "s", columns, columns == 1 ? "" : "s");
        if (extra_data && options_.ragged_rows == RaggedRows::Tolerate)
          detail += fmt::format(", and cell {} is not empty", first_extra_data + 1);
        return fail(ErrorKind::Parse, fmt::format("ragged row in {}", options_.path),
                    at(options_.path, where), std::move(detail),
                    cells < columns ? "fix the export, or set ragged_rows: tolerate"
                                    : "check delimiter: and quote: against the file");
      }
      ++report_.ragged_rows;
    }
    bool any_value = false;
    for (const auto& cell : row.cells) any_value = any_value || !cell.empty();
    if (!any_value) {
      ++report_.skipped_blank;
      return {};
    }
    SourceRecord record;
    record.origin = fmt::format("{}:{}", options_.path, row.line);
    record.fields.reserve(columns);
    for (size_t i = 0; i < columns; ++i) {
      if (names_[i].empty()) continue;
      Field f{names_[i], {}};
      if (i < cells && !row.cells[i].empty()) f.values.push_back(row.cells[i]);
      record.fields.push_back(std::move(f));
    }
    if (key_index_) {
      size_t k = *key_index_;
      if (k >= cells || row.cells[k].empty())
        return fail(ErrorKind::Parse,
                    fmt::format("record in {} has no value in key column '{}'", options_.path,
                                options_.key),
                    at(options_.path, k < cells ? row.starts[k] : row.end),
                    "every record needs a key to be matched", "fix the export");
    }
    ++report_.records;
    return sink_(std::move(record));
  }

  const CsvSourceOptions& options_;
  const RecordSink& sink_;
  ReadReport& report_;
  std::vector<std::string> names_;
  std::optional<size_t> key_index_;
  bool header_seen_ = false;
};

}  // namespace

Result<ReadReport> read_csv_file(const CsvSourceOptions& options, const RecordSink& sink) {
  ReadReport report;
  CsvRecordBuilder builder(options, sink, report);
  if (auto st = builder.configure_explicit_columns(); !st) return std::unexpected(st.error());

  FileDescriptor fd(::open(options.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return fail(ErrorKind::Io, "cannot open HR export", options.path, std::strerror(errno));

  auto decoder = text::Utf8Decoder::create(options.encoding, options.path);
  if (!decoder) return std::unexpected(decoder.error());
  CsvParser parser(CsvDialect{options.delimiter, options.quote}, options.path,
                   [&builder](const CsvRow& row) { return builder.on_row(row); });

  std::string raw(options.chunk_size == 0 ? 64 * 1024 : options.chunk_size, '\0');
  std::string utf8;
  for (;;) {
    ssize_t n = ::read(fd.get(), raw.data(), raw.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::Io, "cannot read HR export", options.path, std::strerror(errno));
    }
    if (n == 0) break;
    report.bytes += static_cast<uint64_t>(n);
    utf8.clear();
    if (auto st = decoder->feed(std::string_view(raw.data(), static_cast<size_t>(n)), utf8); !st)
      return std::unexpected(st.error());
    if (auto st = parser.feed(utf8); !st) return std::unexpected(st.error());
  }
  utf8.clear();
  if (auto st = decoder->finish(utf8); !st) return std::unexpected(st.error());
  if (auto st = parser.feed(utf8); !st) return std::unexpected(st.error());
  if (auto st = parser.finish(); !st) return std::unexpected(st.error());
  if (options.header && !builder.header_seen())
    return fail(ErrorKind::Parse, fmt::format("cannot read {}: the file has no header row",
                                              options.path),
                options.path, "the file is empty", "check the export job that writes it");
  report.skipped_blank += parser.blank_lines();
  report.complete = true;
  return report;
}

Result<std::vector<std::string>> read_csv_header(const CsvSourceOptions& options) {
  std::vector<std::string> columns;
  bool got = false;
  // Stops the read at the header: a sentinel error that is not returned.
  CsvSourceOptions o = options;
  o.chunk_size = 4096;
  o.key.clear();
  o.on_columns = [&](const std::vector<std::string>& names) -> Status {
    columns = names;
    got = true;
    return fail(ErrorKind::Internal, "header read");
  };
  auto report = read_csv_file(o, [](SourceRecord&&) -> Status { return {}; });
  if (got) return columns;
  if (!report) return std::unexpected(report.error());
  return fail(ErrorKind::Parse, fmt::format("cannot read {}: the file has no header row", options.path),
              options.path, "the file is empty", "check the export job that writes it");
}

}  // namespace daoctl::hr
