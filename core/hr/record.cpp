#include "core/hr/record.hpp"

namespace daoctl::hr {

const Field* SourceRecord::find(std::string_view name) const noexcept {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

Field* SourceRecord::find(std::string_view name) noexcept {
  for (auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::string_view SourceRecord::first(std::string_view name) const noexcept {
  const Field* f = find(name);
  if (f == nullptr || f->values.empty()) return {};
  return f->values.front();
}

Field& SourceRecord::field(std::string_view name) {
  if (Field* f = find(name)) return *f;
  fields.push_back(Field{std::string(name), {}});
  return fields.back();
}

void SourceRecord::add(std::string_view name, std::string value) {
  field(name).values.push_back(std::move(value));
}

}  // namespace daoctl::hr
