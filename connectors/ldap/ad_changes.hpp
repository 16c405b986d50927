// Active Directory change tracking by uSNChanged: the same contract as RFC
// 4533 refreshOnly (LdapDirectory::content_sync), for a directory without
// syncprov.
//
// Why uSNChanged and not the DirSync control (1.2.840.113556.1.4.841):
// DirSync needs the domain-wide "Replicating Directory Changes" right, which
// administrators rightly refuse to a sync account; it returns only the
// attributes that changed (each entry would be read again anyway); and it
// does not report an entry that stopped matching the filter (a disabled
// account under a filter that excludes them), which is exactly the change
// that matters here. uSNChanged needs read access only (it is what Okta's AD
// agent follows) and, read as below, reports every kind of change.
//
// The cookie is "usn;<USN>;<dsServiceName>;<unix seconds>": the DC's
// highestCommittedUSN read before the last read, which DC it was (USNs are
// per DC: another DC's cookie is stale), and when (a cookie older than
// kAdCookieMaxAge may predate tombstones the DC has already purged: stale).
//
// A change read from USN N, with H the DC's highestCommittedUSN now:
//  1. every object of the naming context with uSNChanged > N, deleted ones
//     included (LDAP_SERVER_SHOW_DELETED_OID), objectGUID only: what changed;
//  2. the job's own search with (uSNChanged>=N+1) added to its filter: the
//     changed entries that are still employees, delivered whole;
//  3. every GUID of 1 not in 2 is reported deleted (deleted, moved out of the
//     base, or no longer matching the filter); the caller ignores GUIDs it
//     never synced. 1 runs before 2, so an entry changing in between is at
//     worst delivered, never reported deleted while it is still there.
// The new cookie carries H (read first): a change after it is read again
// next time, which is harmless (applying an entry is idempotent).
#pragma once

#include <chrono>
#include <string>

#include "connectors/ldap/directory.hpp"

namespace daoctl::ldap {

inline constexpr std::chrono::hours kAdCookieMaxAge{24 * 30};

// What a DC's rootDSE says that the change tracking needs.
struct AdRoot {
  std::string usn;              // highestCommittedUSN
  std::string service;          // dsServiceName
  std::string naming_context;   // defaultNamingContext
};

bool is_usn_cookie(const std::string& cookie);

// Reads the DC's rootDSE; nullopt-like BadRequest when it is not AD (no
// highestCommittedUSN).
LdapResult<AdRoot> read_ad_root(LdapDirectory& dir, const std::string& url);

// How LdapDirectory::content_sync reads changes, decided with at most one
// read of the rootDSE: a saved RFC 4533 cookie needs none; a "usn;" cookie
// needs the DC's current USN; without a cookie, the rootDSE says which (slapd
// with syncprov lists RFC 4533's control in supportedControl, AD gives its
// highestCommittedUSN). An unreadable rootDSE without a cookie counts as RFC
// 4533, whose search then says what is wrong.
struct ChangeRead {
  bool usn = false;  // uSNChanged (usn_content_sync with `root`), else RFC 4533
  AdRoot root;
};
LdapResult<ChangeRead> choose_change_read(LdapDirectory& dir, const std::string& url, const std::string& cookie);

// The change read described above (cookie "" = a full read of `request`).
// `request.attributes` should not be empty; objectGUID is added.
LdapResult<ContentSyncResult> usn_content_sync(LdapDirectory& dir, const AdRoot& root, const std::string& url,
                                               const SearchRequest& request, const std::string& cookie,
                                               const SyncEntryCallback& on_entry, const SyncDeleteCallback& on_delete,
                                               std::chrono::system_clock::time_point now);

}  // namespace daoctl::ldap
