#include "core/mapping/source_record_scope.hpp"

namespace daoctl::mapping {

void SourceRecordScope::bind(std::string_view source, const hr::SourceRecord* record) {
  for (auto& [name, bound] : sources_) {
    if (name == source) {
      bound = record;
      return;
    }
  }
  sources_.emplace_back(std::string(source), record);
}

void SourceRecordScope::clear() noexcept {
  for (auto& [name, bound] : sources_) bound = nullptr;
}

const std::vector<std::string>* SourceRecordScope::find(std::string_view source,
                                                        std::string_view field) const {
  for (const auto& [name, bound] : sources_) {
    if (name != source) continue;
    if (bound == nullptr) return nullptr;
    const hr::Field* found = bound->find(field);
    return found == nullptr ? nullptr : &found->values;
  }
  return nullptr;
}

}  // namespace daoctl::mapping
