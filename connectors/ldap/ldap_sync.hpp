// RFC 4533 Content Synchronization (refreshOnly) over libldap's ldap_sync_*
// API: the changes of a search since a cookie the server gave earlier.
//
// With no cookie the refresh delivers every entry of the search (a full
// read) and a cookie. With a cookie it delivers the entries added or
// modified since (whole entries; a modrdn is a modified entry with its new
// DN), the entryUUIDs of deleted ones (or of entries that left the search:
// moved out of the base, no longer matching the filter), and a new cookie
// (the old one stays valid when the server sends none: nothing changed).
// When the server cannot tell what was deleted since the cookie (slapd's
// sessionlog no longer covers it) it answers with a "present" phase or
// e-syncRefreshRequired; both are reported as `stale`, and the caller runs
// a full read instead of guessing deletions from absence.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "connectors/ldap/directory.hpp"

typedef struct ldap LDAP;  // NOLINT: libldap's handle

namespace daoctl::ldap {

// Formats a 16-byte UUID ("\x3a\x86…") as "3a86…-…"; other lengths unchanged.
std::string format_uuid(std::string_view bytes);

// `cookie` (slapd's "rid=000,csn=X", maybe with "sid=") with its CSN set
// back to `csn` when `csn` is older; unchanged when it is not, or when the
// cookie is of another form or carries several CSNs (several providers).
std::string cookie_at_most(const std::string& cookie, const std::string& csn);

// The refresh on an open, bound connection (OpenLdapDirectory::content_sync).
//
// With a cookie, the cookie returned is never newer than the contextCSN read
// just before the refresh (and a moment before it starts). slapd's syncprov
// moves the contextCSN before it appends a deletion to its sessionlog, so a
// refresh between the two can return a cookie past a deletion it did not
// list, and no refresh from that cookie lists it (e2e: sync_watch lost one
// so under load; bench/syncprov_race.sh, ldapsearch alone against Debian's
// slapd, lost 9 of 9,000 deletions keeping the server's cookie and 0 of
// 9,000 with this rule). From the earlier CSN the next refresh lists it;
// what was listed twice is applied twice, which converges.
// Callbacks run in server order; an error from one abandons the refresh
// (LdapFailure::Consumer). A server without the syncprov overlay refuses
// the critical control: BadRequest naming it.
LdapResult<ContentSyncResult> content_sync_refresh(LDAP* ld, const std::string& url, const SearchRequest& request,
                                                   const std::string& cookie, const SyncEntryCallback& on_entry,
                                                   const SyncDeleteCallback& on_delete);

// RFC 4533 refreshAndPersist used as a change signal (sync watch): the
// search asks for no attributes ("1.1"), starts from `cookie` (its refresh
// phase reports what changed since), and then stays open; every change the
// server reports, in either phase, calls `on_change` (entries are not
// delivered: the caller reads them through content_sync_refresh, whose
// cookie is the one it keeps). `on_live` is called once the refresh phase
// is over. Returns when `should_stop()` (asked at least every
// `poll_seconds`) or with an error when the server ends the search or the
// connection is lost; the caller reconnects.
LdapResult<void> content_sync_follow(LDAP* ld, const std::string& url, const SearchRequest& request,
                                     const std::string& cookie, const std::function<void()>& on_change,
                                     const std::function<void()>& on_live, const std::function<bool()>& should_stop,
                                     int poll_seconds = 1);

}  // namespace daoctl::ldap
