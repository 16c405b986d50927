// JSON values -> SourceRecords, shared by the JSON file and HTTP JSON sources.
//
// Without selectors a record object is flattened: nested objects give dotted
// names ("address.city"), an array gives one value per element (arrays of
// objects give one value per element to each dotted sub-field, so
// "emails.value" lists every e-mail), null and [] give a field with no
// values, numbers are written as JSON writes them and booleans as
// "true"/"false". With selectors only the selected fields are produced, each
// taken by a JSON pointer relative to the record and flattened under the
// selector's name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/hr/record.hpp"
#include "core/text/encoding.hpp"

namespace daoctl::hr {

struct JsonFieldSelector {
  std::string name;     // field name in the record ("city")
  std::string pointer;  // RFC 6901 pointer into the record ("/address/city")
};

struct JsonRecordOptions {
  std::vector<JsonFieldSelector> fields;  // empty: flatten everything
  std::string key;  // when set, every record needs a value in this field
};

// Checks the selectors' pointer syntax once, before any record is read.
Status validate_json_record_options(const JsonRecordOptions& options);

// Converts one record. Errors (Parse) name `origin`: a record that is not an
// object, or one without a key value.
Result<SourceRecord> json_to_record(const nlohmann::json& value, std::string origin,
                                    const JsonRecordOptions& options);

// The array of records at `pointer` in `doc` ("" = the document itself).
// Errors (Parse) name `object` and say what was found instead.
Result<const nlohmann::json*> find_records_array(const nlohmann::json& doc,
                                                 const std::string& pointer,
                                                 const std::string& object);

// Line:column (columns in code points) of the byte at `offset` in UTF-8 `text`.
text::TextPosition position_of_byte(std::string_view text, size_t offset);

// Builds the Parse error for a nlohmann parse_error thrown while parsing
// `text`, with "object:line:column" computed by position_of_byte.
Error json_parse_error(const nlohmann::json::parse_error& e, std::string_view text,
                       const std::string& object);

}  // namespace daoctl::hr
