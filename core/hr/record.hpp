// The record model every employee source produces (CSV, JSON, HTTP JSON, and
// the LDAP connector's adapter) and the sync engine consumes.
//
// A SourceRecord is an ordered list of fields, each a name and its values
// (UTF-8 strings), in the order the source wrote them. Fields are few (tens),
// so a vector with linear lookup is cheaper than a map and keeps the order for
// diagnostics. "Has a value" is !values.empty() for every source: an empty CSV
// cell, a JSON null and an absent LDAP attribute all have no values.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace daoctl::hr {

struct Field {
  std::string name;
  std::vector<std::string> values;
};

struct SourceRecord {
  // Where the record starts, for error messages: "employees.csv:12" for CSV
  // and JSON Lines, "employees.json#/Report_Entry/3" for a JSON document,
  // "https://hr.example/api/employees?page=2#/data/7" for an HTTP page.
  std::string origin;
  std::vector<Field> fields;

  // The field named `name` (exact, case-sensitive match), or nullptr.
  const Field* find(std::string_view name) const noexcept;
  Field* find(std::string_view name) noexcept;
  // The first value of `name`, or an empty view when it has none.
  std::string_view first(std::string_view name) const noexcept;
  // Appends `value` to field `name`, creating the field at the end if needed.
  void add(std::string_view name, std::string value);
  // Ensures field `name` exists (possibly with no values) and returns it.
  Field& field(std::string_view name);
};

// Receives records one at a time; an error stops the read and is returned by
// the reader unchanged, so a consumer can abort a read with its own reason.
using RecordSink = std::function<Status(SourceRecord&&)>;

// What a completed read reports. A reader returns a ReadReport only when it
// read its whole input: a truncated file, a failed page or a parse error is an
// Error, never a short report. The deprovisioning guards rely on that: they
// may trust `records` as the full population of the source.
struct ReadReport {
  uint64_t records = 0;        // records passed to the sink
  uint64_t skipped_blank = 0;  // rows with no data at all (blank lines, ";;;;")
  uint64_t ragged_rows = 0;    // rows with fewer/more cells than columns, when tolerated
  uint64_t pages = 0;          // HTTP pages fetched (0 for files)
  uint64_t bytes = 0;          // input bytes read (files) or body bytes received (HTTP)
  bool complete = false;       // true when the input ended where its format says it may end
};

}  // namespace daoctl::hr
