// What an expression reads: the values of `source.field` for one record.
//
// The mapping language does not know the record types of the connectors (LDAP
// entries, HR rows, JSON objects); the sync adapts its joined record to this
// interface. Sources are the names of the job file's `sources:` (ad, hr, …).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace daoctl::mapping {

class Scope {
 public:
  virtual ~Scope() = default;
  // The values of one field, or nullptr when the source or the field is
  // missing from this record. The pointer must stay valid while the record is
  // being evaluated. A reference yields null for nullptr or no values, the
  // string for one value and a list for several.
  virtual const std::vector<std::string>* find(std::string_view source,
                                               std::string_view field) const = 0;
};

}  // namespace daoctl::mapping
