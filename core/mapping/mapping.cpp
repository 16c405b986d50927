#include "core/mapping/mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace daoctl::mapping {

const Value* MappedRecord::find(std::string_view field) const noexcept {
  for (const FieldValue& value : values)
    if (value.field == field) return &value.value;
  return nullptr;
}

std::expected<Mapping, std::vector<FieldParseError>> Mapping::compile(
    const std::vector<std::pair<std::string, std::string>>& block,
    const CompileOptions& options) {
  Mapping mapping;
  std::vector<FieldParseError> errors;
  std::set<std::string, std::less<>> seen;
  for (const auto& [field, text] : block) {
    if (!seen.insert(field).second) {
      errors.push_back(FieldParseError{
          field, ParseError{0, 1, fmt::format("target field '{}' is mapped twice", field)}});
      continue;
    }
    auto compiled = Template::parse(text, options);
    if (!compiled) {
      errors.push_back(FieldParseError{field, std::move(compiled.error())});
      continue;
    }
    mapping.references_.insert(mapping.references_.end(), compiled->references().begin(),
                               compiled->references().end());
    mapping.fields_.emplace_back(field, std::move(*compiled));
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  auto& refs = mapping.references_;
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  return mapping;
}

MappedRecord Mapping::evaluate(const Scope& scope) const {
  MappedRecord record;
  evaluate(scope, record);
  return record;
}

void Mapping::evaluate(const Scope& scope, MappedRecord& out) const {
  out.values.resize(fields_.size());
  out.errors.clear();
  std::size_t written = 0;
  for (const auto& [field, compiled] : fields_) {
    auto value = compiled.evaluate(scope);
    if (!value) {
      out.errors.push_back(FieldError{field, std::move(value.error().message)});
      continue;
    }
    FieldValue& slot = out.values[written++];
    if (slot.field != field) slot.field = field;
    slot.value = std::move(*value);
  }
  out.values.resize(written);
}

std::vector<std::string> Mapping::fields() const {
  std::vector<std::string> names;
  names.reserve(fields_.size());
  for (const auto& [field, compiled] : fields_) names.push_back(field);
  return names;
}

Error to_error(const FieldParseError& error, std::string_view location) {
  Error e = error.error.to_error(location);
  e.message = fmt::format("mapping.{}: {}", error.field, e.message);
  return e;
}

Error to_error(const FieldError& error, std::string_view record) {
  Error e;
  e.kind = ErrorKind::Validation;
  e.message = fmt::format("cannot map field {}", error.field);
  e.object = std::string(record);
  e.detail = error.message;
  e.hint = "fix the source value, or add a default(...) or a lookup table to the mapping";
  return e;
}

}  // namespace daoctl::mapping
