// The Scope of one joined employee: each source name bound to that source's
// hr::SourceRecord (CSV/JSON rows and the LDAP adapter's entries).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hr/record.hpp"
#include "core/mapping/scope.hpp"

namespace daoctl::mapping {

class SourceRecordScope final : public Scope {
 public:
  // Binds `source` to `record` (not owned; must outlive the evaluation).
  // A source left unbound, or bound to nullptr (no record joined from it),
  // reads as missing: every reference to it is null.
  void bind(std::string_view source, const hr::SourceRecord* record);
  // Unbinds every record but keeps the source names, for the next employee.
  void clear() noexcept;

  const std::vector<std::string>* find(std::string_view source,
                                       std::string_view field) const override;

 private:
  // Jobs have a handful of sources: a vector beats a map.
  std::vector<std::pair<std::string, const hr::SourceRecord*>> sources_;
};

}  // namespace daoctl::mapping
