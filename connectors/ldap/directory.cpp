#include "connectors/ldap/directory.hpp"

#include "core/text/ascii.hpp"

namespace daoctl::ldap {

using text::iequals;

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

LdapResult<ContentSyncResult> LdapDirectory::content_sync(const SearchRequest&, const std::string&,
                                                          const SyncEntryCallback&, const SyncDeleteCallback&) {
  Error e;
  e.kind = ErrorKind::Validation;
  e.message = "this directory cannot follow changes (RFC 4533)";
  return std::unexpected(LdapError{LdapFailure::BadRequest, 0, e});
}

LdapResult<void> LdapDirectory::follow_changes(const SearchRequest&, const std::string&, const std::function<void()>&,
                                               const std::function<void()>&, const std::function<bool()>&) {
  Error e;
  e.kind = ErrorKind::Validation;
  e.message = "this directory cannot follow changes as they happen (RFC 4533 refreshAndPersist)";
  return std::unexpected(LdapError{LdapFailure::BadRequest, 0, e});
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
