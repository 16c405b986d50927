// The narrow interface the employee sync reads directories through, so that the
// sync can be tested with a fake, and its libldap implementation's options.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::ldap {

// One attribute with all its values. Values are raw bytes: UTF-8 text for
// string syntaxes, exact octets for binary ones (jpegPhoto, objectGUID).
// For an AD ranged attribute, `name` is the description without the range
// option ("member") and `values` holds every chunk, in server order.
struct LdapAttribute {
  std::string name;
  std::vector<std::string> values;
};

struct LdapEntry {
  std::string dn;
  std::vector<LdapAttribute> attributes;

  // Case-insensitive lookup by attribute description ("mail", "cn;lang-de").
  // nullptr when the entry has no such attribute.
  const std::vector<std::string>* find(std::string_view name) const;
  // The first value, or nullopt when the attribute is absent.
  std::optional<std::string> first(std::string_view name) const;
};

enum class SearchScope { Base, OneLevel, Subtree };

struct SearchRequest {
  std::string base_dn;
  SearchScope scope = SearchScope::Subtree;
  // A complete RFC 4515 filter. Build values into it with escape_filter_value /
  // equality_filter (core/ldap/filter.hpp), never by pasting raw text.
  std::string filter = "(objectClass=*)";
  std::vector<std::string> attributes;  // empty: all user attributes
  // RFC 2696 page size; 0 sends no paging control (one unpaged search).
  std::uint32_t page_size = 1000;
  // Active Directory: also return deleted objects (LDAP_SERVER_SHOW_DELETED_OID,
  // sent non-critical); other servers ignore it.
  bool show_deleted = false;
};

// What went wrong with a directory operation, for callers that must react
// differently (the sync's safety guards treat Incomplete as a failed read).
enum class LdapFailure {
  Auth,          // bind refused: bad credentials, account locked, strong auth required
  Network,       // cannot connect, TLS failure, connection lost, timeout
  Incomplete,    // the server cut the result short: sizeLimitExceeded (4),
                 // adminLimitExceeded (11), timeLimitExceeded (3), a referral
                 // that was not followed, a paging cookie that stopped making sense
  NoSuchObject,  // the search base does not exist (32)
  BadRequest,    // the server refused the request: bad filter, unknown attribute, protocol
  Consumer,      // the entry callback returned an error; the search was abandoned
  Other,
};

const char* to_string(LdapFailure failure) noexcept;

struct LdapError {
  LdapFailure failure = LdapFailure::Other;
  int result_code = 0;  // the LDAP result code (negative for client-side libldap codes)
  Error error;  // kind Auth / Network / Remote / NotFound / Validation; never holds a password
};

template <class T>
using LdapResult = std::expected<T, LdapError>;

struct SearchStats {
  std::uint64_t entries = 0;
  std::uint64_t pages = 0;           // search requests sent for the main search
  std::uint64_t range_requests = 0;  // extra base searches for AD ranged attributes
};

// Called once per entry, in server order. The entry is only valid during the
// call (memory stays bounded by one page), and the callee may move values
// out of it (the sync moves them into its records instead of copying).
// Returning an error abandons the search, which then fails with
// LdapFailure::Consumer carrying that error.
using EntryCallback = std::function<Status(LdapEntry&)>;

// RFC 4533 refreshOnly (connectors/ldap/ldap_sync.hpp has the details).
struct ContentSyncResult {
  std::string cookie;          // the cookie to resume from next time
  bool stale = false;          // the cookie was too old: do a full read
  std::uint64_t entries = 0;   // added or modified entries delivered
  std::uint64_t deletes = 0;   // deleted entryUUIDs delivered
};

// `uuid` is the entry's entryUUID as text (lower-case 8-4-4-4-12).
using SyncEntryCallback = std::function<Status(LdapEntry& entry, std::string_view uuid)>;
using SyncDeleteCallback = std::function<Status(std::string_view uuid)>;

class LdapDirectory {
 public:
  virtual ~LdapDirectory() = default;

  // Runs a search and streams the entries. Success means every entry the server
  // has for the request was delivered; a cut-short result is always an error.
  // AD ranged attributes are fetched to the end before the entry is delivered.
  virtual LdapResult<SearchStats> search(const SearchRequest& request,
                                         const EntryCallback& on_entry) = 0;

  // RFC 4533 refreshOnly from `cookie` ("" = everything): see ldap_sync.hpp.
  // A directory that cannot do it says so (BadRequest).
  virtual LdapResult<ContentSyncResult> content_sync(const SearchRequest& request, const std::string& cookie,
                                                     const SyncEntryCallback& on_entry,
                                                     const SyncDeleteCallback& on_delete);

  // RFC 4533 refreshAndPersist as a change signal: see content_sync_follow
  // in ldap_sync.hpp. A directory that cannot do it says so (BadRequest).
  virtual LdapResult<void> follow_changes(const SearchRequest& request, const std::string& cookie,
                                          const std::function<void()>& on_change,
                                          const std::function<void()>& on_live,
                                          const std::function<bool()>& should_stop);
};

struct LdapConnectionOptions {
  std::string url;                  // ldap://host[:port] or ldaps://host[:port] (one URL)
  bool start_tls = false;           // upgrade an ldap:// connection; failure is an error
  std::string ca_file;              // PEM bundle; empty: the system default
  bool require_certificate = true;  // verify the server certificate and name
  std::chrono::milliseconds network_timeout{10'000};     // connect
  std::chrono::milliseconds operation_timeout{120'000};  // each bind/search round trip
  std::string bind_dn;                                   // empty: anonymous bind
  // The bind password. It is sent to the server and nowhere else: never logged,
  // never part of an Error. Callers load it from an env variable, file or helper.
  std::string bind_password;
};

// Connects and binds with libldap. Errors: Auth when the bind is refused (with
// the server's diagnostic), Network when the server cannot be reached, TLS fails
// or the operation times out, Config for an unusable URL or CA file.
LdapResult<std::unique_ptr<LdapDirectory>> connect_ldap(const LdapConnectionOptions& options);

}  // namespace daoctl::ldap
