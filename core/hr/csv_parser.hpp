// RFC 4180 tokenizer for UTF-8 text pushed in chunks of any size.
//
// Accepts what real exports write: a configurable delimiter and quote, quoted
// fields with embedded delimiters, doubled quotes and line breaks (kept as
// written), CRLF, LF and CR line ends mixed, a last line without a line end,
// and blank lines (skipped and counted). A quote inside an unquoted field is
// kept literally, as Excel and Python's csv do. Text after a closing quote
// other than a delimiter or a line end is an error, and so is an input that
// ends inside a quoted field: that is how a truncated export shows, and a
// truncated export must never pass for a complete one.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/text/encoding.hpp"

namespace daoctl::hr {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

// Parses a configured delimiter: a single character, or "tab"/"\t".
Result<char> parse_csv_delimiter(std::string_view text);

struct CsvRow {
  std::span<const std::string> cells;
  std::span<const text::TextPosition> starts;  // where each cell starts (its quote, if quoted)
  text::TextPosition end;                      // where the row's line end is
  uint64_t line = 0;                           // line the row starts on
};

class CsvParser {
 public:
  // Called once per row; an error from it stops the parse and is returned.
  using RowSink = std::function<Status(const CsvRow&)>;

  // `object` names the input in errors ("employees.csv" -> "employees.csv:3:14").
  CsvParser(CsvDialect dialect, std::string object, RowSink sink);

  Status feed(std::string_view utf8);
  // Ends the input: emits a last row without a line end; errors when the
  // input ends inside a quoted field.
  Status finish();

  uint64_t blank_lines() const noexcept { return blank_lines_; }

 private:
  // Stray: a character after a closing quote, whose remaining bytes may be
  // in the next chunk; the error names it once it is whole, so a file read
  // in pieces of any size gives the same message as one read at once.
  enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted, Stray };
  void begin_cell();
  Status end_row(text::TextPosition end);
  Status stray_error() const;

  CsvDialect dialect_;
  std::string object_;
  RowSink sink_;
  State state_ = State::FieldStart;
  text::TextPosition pos_;
  bool pending_cr_ = false;  // previous char was CR: a following LF is the same line end
  bool row_started_ = false;
  std::vector<std::string> cells_;  // reused across rows to keep their capacity
  std::vector<text::TextPosition> starts_;
  size_t cell_count_ = 0;
  bool last_cell_quoted_ = false;
  uint64_t row_line_ = 1;
  uint64_t blank_lines_ = 0;
  std::string stray_;  // State::Stray: the bytes of the character so far
  size_t stray_len_ = 0;
  text::TextPosition stray_at_;
};

}  // namespace daoctl::hr
