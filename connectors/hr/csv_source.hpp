// Reads an HR export in CSV/TSV (1C:ZUP, BambooHR, Excel, ...) record by
// record, in any encoding text::Utf8Decoder knows, in constant memory.
//
// Each data row becomes a SourceRecord whose fields are the columns in header
// order (origin "path:line"); an empty cell is a field with no values.
// Header names are trimmed of surrounding spaces; a column with an empty name
// (the trailing ";" many exports write) is ignored.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/hr/record.hpp"
#include "core/text/encoding.hpp"

namespace daoctl::hr {

enum class RaggedRows {
  Error,     // a row with a different number of cells than columns is an error
  Tolerate,  // missing trailing cells have no values; extra trailing cells must be empty
};

struct CsvSourceOptions {
  std::string path;
  text::Encoding encoding = text::Encoding::Auto;
  char delimiter = ',';
  char quote = '"';
  // true: the first row names the columns. With `columns` set as well, the
  // first row is skipped and `columns` name the columns.
  bool header = true;
  std::vector<std::string> columns;
  RaggedRows ragged_rows = RaggedRows::Error;
  // When set, this column must exist and every record must have a value in it.
  std::string key;
  size_t chunk_size = 64 * 1024;  // bytes read per read(2)
  // Called once with the column names (from the header or `columns`), before
  // the first record; an error stops the read and is returned unchanged. The
  // sync checks here that every column its job names exists.
  std::function<Status(const std::vector<std::string>& columns)> on_columns;
};

// Reads only the header row (or takes `columns`): the column names, without
// the empty names of trailing delimiters. Errors as read_csv_file; a file with
// no header row is an error.
Result<std::vector<std::string>> read_csv_header(const CsvSourceOptions& options);

// Reads the whole file, passing each record to `sink`. Errors: Io (cannot
// open/read), Parse with "path:line:column" (bad bytes for the encoding, bad
// quoting, a file that ends inside a quoted field, duplicate header names, a
// missing key column or empty key, ragged rows), Config (no columns at all),
// or whatever `sink` returned.
Result<ReadReport> read_csv_file(const CsvSourceOptions& options, const RecordSink& sink);

}  // namespace daoctl::hr
