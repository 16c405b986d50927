// CSV/TSV HR exports: connectors/hr read_csv_file (encoding detection and
// conversion, header handling, ragged rows, key column) on a file, and the
// core tokenizer's chunking invariant: text fed in pieces of any size gives
// the same rows (and the same error) as the whole text at once.
//
// Input: byte 0 picks encoding/header/ragged/key, byte 1 the delimiter and a
// chunk size, the rest is the file.
#include <string>
#include <vector>

#include "common.hpp"
#include "connectors/hr/csv_source.hpp"
#include "core/hr/csv_parser.hpp"
#include "core/text/encoding.hpp"

using namespace daoctl;

namespace {

struct Rows {
  std::vector<std::vector<std::string>> cells;
  std::vector<uint64_t> lines;
  bool ok = true;
  std::string error;
};

Rows tokenize(std::string_view text, hr::CsvDialect dialect, size_t chunk) {
  Rows rows;
  hr::CsvParser parser(dialect, "f.csv", [&](const hr::CsvRow& row) -> Status {
    rows.cells.emplace_back(row.cells.begin(), row.cells.end());
    rows.lines.push_back(row.line);
    return {};
  });
  for (size_t i = 0; i < text.size(); i += chunk) {
    if (auto st = parser.feed(text.substr(i, chunk)); !st) {
      rows.ok = false;
      rows.error = st.error().describe();
      return rows;
    }
  }
  if (auto st = parser.finish(); !st) {
    rows.ok = false;
    rows.error = st.error().describe();
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t opts = data[0], opts2 = data[1];
  std::string_view body = fuzz::as_text(data + 2, size - 2);
  static const text::Encoding kEncodings[] = {
      text::Encoding::Auto,    text::Encoding::Utf8,        text::Encoding::Utf16,
      text::Encoding::Utf16Le, text::Encoding::Utf16Be,     text::Encoding::Windows1251,
      text::Encoding::Koi8R,   text::Encoding::Iso8859_1,   text::Encoding::Windows1252};
  static const char kDelims[] = {',', ';', '\t', '|'};

  hr::CsvSourceOptions o;
  o.encoding = kEncodings[(opts & 0x0f) % 9];
  o.header = (opts & 0x10) == 0;
  o.ragged_rows = (opts & 0x20) ? hr::RaggedRows::Tolerate : hr::RaggedRows::Error;
  if (opts & 0x40) o.key = "id";
  if (opts & 0x80) o.columns = {"id", "name", "mail"};
  o.delimiter = kDelims[opts2 & 3];
  o.chunk_size = 1 + (opts2 >> 2);  // small reads exercise every split point
  o.path = fuzz::scratch().write("input.csv", body).string();
  uint64_t records = 0;
  auto report = hr::read_csv_file(o, [&](hr::SourceRecord&& r) -> Status {
    FUZZ_CHECK(!r.origin.empty());
    records++;
    return {};
  });
  if (report) FUZZ_CHECK(report->records == records);

  // Decoding in chunks equals decoding at once.
  auto whole = text::decode_to_utf8(body, o.encoding, "f.csv");
  {
    auto dec = text::Utf8Decoder::create(o.encoding, "f.csv");
    FUZZ_CHECK(dec.has_value());
    std::string out;
    bool ok = true;
    for (size_t i = 0; ok && i < body.size(); i += o.chunk_size)
      ok = dec->feed(body.substr(i, o.chunk_size), out).has_value();
    if (ok) ok = dec->finish(out).has_value();
    FUZZ_CHECK(ok == whole.has_value());
    if (ok) {
      FUZZ_CHECK(out == *whole);
      FUZZ_CHECK(text::valid_utf8_prefix(out) == out.size());
    }
  }
  if (!whole) return 0;

  // Tokenizing in chunks equals tokenizing at once.
  hr::CsvDialect dialect{o.delimiter, '"'};
  auto a = tokenize(*whole, dialect, whole->size() + 1);
  auto b = tokenize(*whole, dialect, o.chunk_size);
  FUZZ_CHECK(a.ok == b.ok);
  FUZZ_CHECK(a.error == b.error);
  FUZZ_CHECK(a.cells == b.cells);
  FUZZ_CHECK(a.lines == b.lines);
  return 0;
}
