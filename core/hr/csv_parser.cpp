#include "core/hr/csv_parser.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace daoctl::hr {

Result<char> parse_csv_delimiter(std::string_view text) {
  if (text == "tab" || text == "TAB" || text == "\\t" || text == "\t") return '\t';
  if (text.size() == 1 && text[0] != '\n' && text[0] != '\r' && text[0] != '"') return text[0];
  return fail(ErrorKind::Config, fmt::format("invalid CSV delimiter '{}'", text), {},
              "a delimiter is one character", "use one of , ; | or tab");
}

CsvParser::CsvParser(CsvDialect dialect, std::string object, RowSink sink)
    : dialect_(dialect), object_(std::move(object)), sink_(std::move(sink)) {}

void CsvParser::begin_cell() {
  if (cells_.size() <= cell_count_) {
    cells_.emplace_back();
    starts_.emplace_back();
  }
  cells_[cell_count_].clear();
  ++cell_count_;
}

Status CsvParser::feed(std::string_view utf8) {
  const char delimiter = dialect_.delimiter;
  const char quote = dialect_.quote;
  const size_t n = utf8.size();
  for (size_t i = 0; i < n;) {
    if (state_ == State::Stray) {
      const size_t take = std::min(stray_len_ - stray_.size(), n - i);
      stray_.append(utf8.data() + i, take);
      i += take;
      if (stray_.size() == stray_len_) return stray_error();
      continue;
    }
    if (state_ == State::Unquoted || state_ == State::Quoted) {
      // Copy a run of ordinary characters at once: appending byte by byte
      // was the parser's main cost.
      const char stop = state_ == State::Unquoted ? delimiter : quote;
      size_t j = i;
      while (j < n && utf8[j] != stop && utf8[j] != '\n' && utf8[j] != '\r') ++j;
      if (j > i) {
        cells_[cell_count_ - 1].append(utf8.data() + i, j - i);
        for (size_t k = i; k < j; ++k)
          pos_.column += (static_cast<unsigned char>(utf8[k]) & 0xC0) != 0x80;
        pending_cr_ = false;
        i = j;
        continue;
      }
    }
    const char c = utf8[i++];
    if (pending_cr_ && c == '\n') {
      // The LF of a CRLF: the line was counted at the CR.
      pending_cr_ = false;
      if (state_ == State::Quoted) cells_[cell_count_ - 1].push_back(c);
      continue;
    }
    const text::TextPosition here = pos_;
    const bool line_end = c == '\n' || c == '\r';
    if (line_end) {
      ++pos_.line;
      pos_.column = 1;
      pending_cr_ = c == '\r';
    } else {
      pending_cr_ = false;
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++pos_.column;
    }
    switch (state_) {
      case State::FieldStart:
        if (!row_started_) {
          row_started_ = true;
          row_line_ = here.line;
          cell_count_ = 0;
        }
        begin_cell();
        starts_[cell_count_ - 1] = here;
        last_cell_quoted_ = c == quote;
        if (c == quote) {
          state_ = State::Quoted;
        } else if (c == delimiter) {
          // An empty cell; the next character starts the next one.
        } else if (line_end) {
          if (auto st = end_row(here); !st) return st;
        } else {
          cells_[cell_count_ - 1].push_back(c);
          state_ = State::Unquoted;
        }
        break;
      case State::Unquoted:
        if (c == delimiter) {
          state_ = State::FieldStart;
        } else if (line_end) {
          if (auto st = end_row(here); !st) return st;
        } else {
          cells_[cell_count_ - 1].push_back(c);
        }
        break;
      case State::Quoted:
        if (c == quote)
          state_ = State::QuoteInQuoted;
        else
          cells_[cell_count_ - 1].push_back(c);
        break;
      case State::QuoteInQuoted:
        if (c == quote) {
          cells_[cell_count_ - 1].push_back(c);
          state_ = State::Quoted;
        } else if (c == delimiter) {
          state_ = State::FieldStart;
        } else if (line_end) {
          if (auto st = end_row(here); !st) return st;
        } else {
          // The character itself, as the file has it ('Б', not "a non-ASCII
          // character"); its other bytes may still be on their way.
          const auto uc = static_cast<unsigned char>(c);
          stray_.assign(1, c);
          stray_len_ = uc >= 0xF0 ? 4 : uc >= 0xE0 ? 3 : uc >= 0xC0 ? 2 : 1;
          stray_at_ = here;
          state_ = State::Stray;
          const size_t take = std::min(stray_len_ - 1, n - i);
          stray_.append(utf8.data() + i, take);
          i += take;
          if (stray_.size() == stray_len_) return stray_error();
        }
        break;
      case State::Stray:
        // Unreachable: a Stray state ends the parse once the character is whole.
        break;
    }
  }
  return {};
}

Status CsvParser::end_row(text::TextPosition end) {
  state_ = State::FieldStart;
  row_started_ = false;
  if (cell_count_ == 1 && cells_[0].empty() && !last_cell_quoted_) {
    ++blank_lines_;
    return {};
  }
  CsvRow row;
  row.cells = std::span<const std::string>(cells_.data(), cell_count_);
  row.starts = std::span<const text::TextPosition>(starts_.data(), cell_count_);
  row.end = end;
  row.line = row_line_;
  return sink_(row);
}

Status CsvParser::stray_error() const {
  const auto uc = static_cast<unsigned char>(stray_[0]);
  const std::string shown = uc >= 0x20 && uc < 0x7F ? fmt::format("'{}'", stray_)
                            : uc < 0x80 ? fmt::format("a control character (0x{:02X})", uc)
                            : uc >= 0xC0 && stray_.size() == stray_len_
                                ? fmt::format("'{}'", stray_)
                                : std::string("an invalid UTF-8 byte");
  const char quote = dialect_.quote;
  return fail(ErrorKind::Parse, fmt::format("malformed CSV in {}", object_),
              fmt::format("{}:{}:{}", object_, stray_at_.line, stray_at_.column),
              fmt::format("unexpected {} after the closing quote of a field", shown),
              fmt::format("a {} inside a quoted field must be doubled ({}{})", quote, quote, quote));
}

Status CsvParser::finish() {
  if (state_ == State::Stray) return stray_error();  // the file ends inside the character
  if (state_ == State::Quoted) {
    const text::TextPosition open = starts_[cell_count_ - 1];
    return fail(ErrorKind::Parse,
                fmt::format("cannot read {}: the file ends inside a quoted field", object_),
                fmt::format("{}:{}:{}", object_, open.line, open.column),
                "the quoted field that starts here is never closed: the export is truncated or "
                "has an unbalanced quote",
                "re-export the file; a partial export is never used for a sync");
  }
  if (!row_started_) return {};
  if (state_ == State::FieldStart) {
    // The input ended right after a delimiter: the row's last cell is empty.
    begin_cell();
    starts_[cell_count_ - 1] = pos_;
    last_cell_quoted_ = false;
  }
  return end_row(pos_);
}

}  // namespace daoctl::hr
