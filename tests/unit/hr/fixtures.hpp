// Paths of the committed HR fixtures and a sink that collects records.
#pragma once

#include <string>
#include <vector>

#include "core/hr/record.hpp"

namespace daoctl::hr::test {

inline std::string fixture(const std::string& name) {
  return std::string(DAOCTL_SOURCE_DIR) + "/tests/fixtures/hr/" + name;
}

inline RecordSink collect_into(std::vector<SourceRecord>& out) {
  return [&out](SourceRecord&& r) -> Status {
    out.push_back(std::move(r));
    return {};
  };
}

// Field values of a record as one string per field: "name=v1|v2".
inline std::vector<std::string> describe_fields(const SourceRecord& r) {
  std::vector<std::string> out;
  for (const auto& f : r.fields) {
    std::string s = f.name + "=";
    for (size_t i = 0; i < f.values.size(); ++i) s += (i ? "|" : "") + f.values[i];
    out.push_back(s);
  }
  return out;
}

}  // namespace daoctl::hr::test
