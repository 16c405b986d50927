#include "connectors/ldap/directory.hpp"

namespace daoctl::ldap {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace

const std::vector<std::string>* LdapEntry::find(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (iequals(attribute.name, name)) return &attribute.values;
  }
  return nullptr;
}

std::optional<std::string> LdapEntry::first(std::string_view name) const {
  const auto* values = find(name);
  if (values == nullptr || values->empty()) return std::nullopt;
  return values->front();
}

const char* to_string(LdapFailure failure) noexcept {
  switch (failure) {
    case LdapFailure::Auth:
      return "auth";
    case LdapFailure::Network:
      return "network";
    case LdapFailure::Incomplete:
      return "incomplete";
    case LdapFailure::NoSuchObject:
      return "no-such-object";
    case LdapFailure::BadRequest:
      return "bad-request";
    case LdapFailure::Consumer:
      return "consumer";
    case LdapFailure::Other:
      return "other";
  }
  return "unknown";
}

}  // namespace daoctl::ldap
