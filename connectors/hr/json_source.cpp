#include "connectors/hr/json_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <functional>

namespace daoctl::hr {

using nlohmann::json;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Reads `path` in chunks, decodes to UTF-8 and hands each decoded piece to `consume`.
Status read_decoded(const JsonSourceOptions& options, ReadReport& report,
                    const std::function<Status(std::string_view)>& consume) {
  int fd = ::open(options.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Io, "cannot open HR export", options.path, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  auto decoder = text::Utf8Decoder::create(options.encoding, options.path);
  if (!decoder) return std::unexpected(decoder.error());
  std::string raw(options.chunk_size == 0 ? 64 * 1024 : options.chunk_size, '\0');
  std::string utf8;
  for (;;) {
    ssize_t n = ::read(fd, raw.data(), raw.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::Io, "cannot read HR export", options.path, std::strerror(errno));
    }
    if (n == 0) break;
    report.bytes += static_cast<uint64_t>(n);
    utf8.clear();
    if (auto st = decoder->feed(std::string_view(raw.data(), static_cast<size_t>(n)), utf8); !st)
      return st;
    if (auto st = consume(utf8); !st) return st;
  }
  utf8.clear();
  if (auto st = decoder->finish(utf8); !st) return st;
  return consume(utf8);
}

Status read_document(const JsonSourceOptions& options, const RecordSink& sink, ReadReport& report) {
  std::string text;
  auto st = read_decoded(options, report, [&text](std::string_view piece) -> Status {
    text.append(piece);
    return {};
  });
  if (!st) return st;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return std::unexpected(json_parse_error(e, text, options.path));
  } catch (const json::exception& e) {  // out_of_range: a number beyond double (1e400)
    return fail(ErrorKind::Parse, "malformed JSON in " + options.path, options.path, e.what());
  }
  std::string().swap(text);  // the DOM is all we need from here on
  auto records = find_records_array(doc, options.records_pointer, options.path);
  if (!records) return std::unexpected(records.error());
  size_t index = 0;
  for (const json& value : **records) {
    auto record = json_to_record(
        value, fmt::format("{}#{}/{}", options.path, options.records_pointer, index++), options.record);
    if (!record) return std::unexpected(record.error());
    ++report.records;
    if (auto sunk = sink(std::move(*record)); !sunk) return sunk;
  }
  return {};
}

Status read_lines(const JsonSourceOptions& options, const RecordSink& sink, ReadReport& report) {
  std::string pending;
  uint64_t line = 0;
  auto take_line = [&](std::string_view text) -> Status {
    ++line;
    if (is_blank(text)) {
      ++report.skipped_blank;
      return {};
    }
    std::string origin = fmt::format("{}:{}", options.path, line);
    json value;
    try {
      value = json::parse(text);
    } catch (const json::parse_error& e) {
      Error err = json_parse_error(e, text, options.path);
      size_t offset = e.byte == 0 ? 0 : e.byte - 1;
      err.object = fmt::format("{}:{}:{}", options.path, line,
                               position_of_byte(text, offset).column);
      return std::unexpected(std::move(err));
    } catch (const json::exception& e) {  // out_of_range: a number beyond double (1e400)
      return fail(ErrorKind::Parse, "malformed JSON in " + options.path, fmt::format("{}:{}", options.path, line),
                  e.what());
    }
    auto record = json_to_record(value, std::move(origin), options.record);
    if (!record) return std::unexpected(record.error());
    ++report.records;
    return sink(std::move(*record));
  };
  auto st = read_decoded(options, report, [&](std::string_view piece) -> Status {
    size_t start = 0;
    for (size_t nl = piece.find('\n'); nl != std::string_view::npos; nl = piece.find('\n', start)) {
      std::string_view segment = piece.substr(start, nl - start);
      start = nl + 1;
      if (!pending.empty()) {
        pending.append(segment);
        std::string whole;
        whole.swap(pending);
        if (auto r = take_line(whole); !r) return r;
      } else if (auto r = take_line(segment); !r) {
        return r;
      }
    }
    pending.append(piece.substr(start));
    return {};
  });
  if (!st) return st;
  // A last line without a line end is still a line; if it is a cut-off
  // record, parsing it fails, which is what a truncated file must do.
  if (!pending.empty()) return take_line(pending);
  return {};
}

}  // namespace

Result<ReadReport> read_json_file(const JsonSourceOptions& options, const RecordSink& sink) {
  if (auto st = validate_json_record_options(options.record); !st) return std::unexpected(st.error());
  JsonLayout layout = options.layout;
  if (layout == JsonLayout::Auto)
    layout = ends_with(options.path, ".jsonl") || ends_with(options.path, ".ndjson")
                 ? JsonLayout::Lines
                 : JsonLayout::Document;
  ReadReport report;
  Status st = layout == JsonLayout::Lines ? read_lines(options, sink, report)
                                          : read_document(options, sink, report);
  if (!st) return std::unexpected(st.error());
  report.complete = true;
  return report;
}

}  // namespace daoctl::hr
