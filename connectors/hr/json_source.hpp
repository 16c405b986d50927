// Reads employee records from a JSON file: a JSON document holding an array
// of records (at the root, or at a JSON pointer such as /Report_Entry for a
// Workday report or /data/employees), or JSON Lines (one record per line).
//
// A document is parsed whole (nlohmann DOM: memory grows with the file, about
// 5-10x its size); JSON Lines are read in chunks, in constant memory. Records
// become SourceRecords as described in core/hr/json_records.hpp, with origin
// "path#/pointer/index" for a document and "path:line" for JSON Lines.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/hr/json_records.hpp"
#include "core/hr/record.hpp"
#include "core/text/encoding.hpp"

namespace daoctl::hr {

enum class JsonLayout {
  Auto,      // Lines for *.jsonl and *.ndjson, Document otherwise
  Document,
  Lines,
};

struct JsonSourceOptions {
  std::string path;
  text::Encoding encoding = text::Encoding::Auto;  // RFC 8259 says UTF-8; a BOM is tolerated
  JsonLayout layout = JsonLayout::Auto;
  std::string records_pointer;  // Document only: "" = the root is the array
  JsonRecordOptions record;
  size_t chunk_size = 64 * 1024;
};

// Errors: Io, Parse with "path:line:column" for malformed JSON (or bytes
// invalid in the encoding), Parse naming the record's origin for a record
// that is not an object or has no key, Config for bad pointers, or whatever
// `sink` returned.
Result<ReadReport> read_json_file(const JsonSourceOptions& options, const RecordSink& sink);

}  // namespace daoctl::hr
