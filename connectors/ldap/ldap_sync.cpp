// RFC 4533 refreshOnly with libldap's ldap_sync_* (see ldap_sync.hpp).
#include "connectors/ldap/ldap_sync.hpp"

#include <fmt/format.h>
#include <ldap.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace daoctl::ldap {

namespace {

struct SyncRun {
  LDAP* ld = nullptr;
  const SyncEntryCallback* on_entry = nullptr;
  const SyncDeleteCallback* on_delete = nullptr;
  bool cookie_given = false;
  ContentSyncResult result;
  std::optional<Error> consumer_error;  // a callback failed
  bool presents = false;                 // the server used a present phase
  int refresh_deletes = -1;              // from the final syncDone control
  int done_code = LDAP_SUCCESS;          // the searchResultDone's result code
  std::string done_diagnostic;
};

int scope_of(SearchScope scope) {
  return scope == SearchScope::Base       ? LDAP_SCOPE_BASE
         : scope == SearchScope::OneLevel ? LDAP_SCOPE_ONELEVEL
                                          : LDAP_SCOPE_SUBTREE;
}

// The base, filter, attributes and connection stay the caller's: detached
// before ldap_sync_destroy, which would free them (and unbind).
void destroy_detached(ldap_sync_t& ls) {
  ls.ls_base = nullptr;
  ls.ls_filter = nullptr;
  ls.ls_attrs = nullptr;
  ls.ls_ld = nullptr;
  ldap_sync_destroy(&ls, 0);
}

SyncRun& run_of(ldap_sync_t* ls) { return *static_cast<SyncRun*>(ls->ls_private); }

LdapResult<LdapEntry> entry_of(LDAP* ld, LDAPMessage* msg) {
  LdapEntry entry;
  char* dn = ldap_get_dn(ld, msg);
  if (dn) {
    entry.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* ber = nullptr;
  for (char* a = ldap_first_attribute(ld, msg, &ber); a != nullptr; a = ldap_next_attribute(ld, msg, ber)) {
    LdapAttribute attribute;
    attribute.name = a;
    if (berval** values = ldap_get_values_len(ld, msg, a)) {
      for (berval** v = values; *v != nullptr; ++v) attribute.values.emplace_back((*v)->bv_val, (*v)->bv_len);
      ldap_value_free_len(values);
    }
    ldap_memfree(a);
    entry.attributes.push_back(std::move(attribute));
  }
  if (ber) ber_free(ber, 0);
  return entry;
}

int on_search_entry(ldap_sync_t* ls, LDAPMessage* msg, struct berval* uuid, ldap_sync_refresh_t phase) {
  SyncRun& run = run_of(ls);
  const std::string id = uuid ? format_uuid(std::string_view(uuid->bv_val, uuid->bv_len)) : std::string();
  switch (phase) {
    case LDAP_SYNC_CAPI_PRESENT:
      run.presents = true;
      return 0;
    case LDAP_SYNC_CAPI_DELETE: {
      ++run.result.deletes;
      if (auto st = (*run.on_delete)(id); !st) {
        run.consumer_error = st.error();
        return 1;
      }
      return 0;
    }
    case LDAP_SYNC_CAPI_ADD:
    case LDAP_SYNC_CAPI_MODIFY: {
      auto entry = entry_of(run.ld, msg);
      ++run.result.entries;
      if (auto st = (*run.on_entry)(*entry, id); !st) {
        run.consumer_error = st.error();
        return 1;
      }
      return 0;
    }
    default:
      return 0;
  }
}

int on_search_reference(ldap_sync_t*, LDAPMessage*) { return 0; }

int on_intermediate(ldap_sync_t* ls, LDAPMessage*, BerVarray uuids, ldap_sync_refresh_t phase) {
  SyncRun& run = run_of(ls);
  if (phase == LDAP_SYNC_CAPI_PRESENTS || phase == LDAP_SYNC_CAPI_PRESENTS_IDSET) {
    run.presents = true;
    return 0;
  }
  if (phase == LDAP_SYNC_CAPI_DELETES_IDSET && uuids)
    for (BerVarray u = uuids; u->bv_val != nullptr; ++u) {
      ++run.result.deletes;
      if (auto st = (*run.on_delete)(format_uuid(std::string_view(u->bv_val, u->bv_len))); !st) {
        run.consumer_error = st.error();
        return 1;
      }
    }
  return 0;
}

// The result code and diagnostic of a searchResultDone.
void read_done(LDAP* ld, LDAPMessage* msg, int& done_code, std::string& done_diagnostic) {
  int code = LDAP_SUCCESS;
  char* diagnostic = nullptr;
  if (ldap_parse_result(ld, msg, &code, nullptr, &diagnostic, nullptr, nullptr, 0) == LDAP_SUCCESS) {
    done_code = code;
    if (diagnostic) done_diagnostic = diagnostic;
  }
  if (diagnostic) ldap_memfree(diagnostic);
}

int on_search_result(ldap_sync_t* ls, LDAPMessage* msg, int refresh_deletes) {
  SyncRun& run = run_of(ls);
  run.refresh_deletes = refresh_deletes;
  read_done(run.ld, msg, run.done_code, run.done_diagnostic);
  return 0;
}

}  // namespace

std::string format_uuid(std::string_view bytes) {
  if (bytes.size() != 16) return std::string(bytes);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string cookie_at_most(const std::string& cookie, const std::string& csn) {
  const auto at = cookie.find("csn=");
  if (at == std::string::npos || (at != 0 && cookie[at - 1] != ',') || csn.empty()) return cookie;
  const std::string current = cookie.substr(at + 4);
  if (current.find_first_of(";,") != std::string::npos || csn.find_first_of(";,") != std::string::npos)
    return cookie;
  // CSNs (YYYYmmddHHMMSS.ffffffZ#count#sid#mod) order as strings.
  return csn < current ? cookie.substr(0, at + 4) + csn : cookie;
}

namespace {

// The contextCSN of the database holding `base`: the first entry from
// `base` up that has one (slapd keeps it on the suffix). nullopt when none
// can be read (access rules, another server) or it has several values.
std::optional<std::string> read_context_csn(LDAP* ld, const std::string& base) {
  LDAPDN dn = nullptr;
  if (ldap_str2dn(base.c_str(), &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || dn == nullptr) return std::nullopt;
  std::optional<std::string> found;
  for (int i = 0; dn[i] != nullptr && !found; ++i) {
    char* suffix = nullptr;
    if (ldap_dn2str(&dn[i], &suffix, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || suffix == nullptr) break;
    char attr[] = "contextCSN";
    char* attrs[] = {attr, nullptr};
    timeval timeout{10, 0};
    LDAPMessage* res = nullptr;
    const int rc = ldap_search_ext_s(ld, suffix, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, nullptr, nullptr,
                                     &timeout, 1, &res);
    ldap_memfree(suffix);
    if (rc == LDAP_SUCCESS)
      if (LDAPMessage* entry = ldap_first_entry(ld, res))
        if (berval** values = ldap_get_values_len(ld, entry, attr)) {
          if (ldap_count_values_len(values) == 1) found.emplace(values[0]->bv_val, values[0]->bv_len);
          ldap_value_free_len(values);
          if (!found) {  // several providers: no single CSN to go back to
            ldap_msgfree(res);
            break;
          }
        }
    if (res != nullptr) ldap_msgfree(res);
    if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT) break;
  }
  ldap_dnfree(dn);
  return found;
}

// Between reading the contextCSN and the refresh: long enough for a write
// whose CSN that read saw to reach the sessionlog (microseconds, unless
// slapd's thread is descheduled), short next to a batch.
constexpr auto kSettle = std::chrono::milliseconds(50);

}  // namespace

LdapResult<ContentSyncResult> content_sync_refresh(LDAP* ld, const std::string& url, const SearchRequest& request,
                                                   const std::string& cookie, const SyncEntryCallback& on_entry,
                                                   const SyncDeleteCallback& on_delete) {
  std::optional<std::string> csn_before;
  if (!cookie.empty()) {
    csn_before = read_context_csn(ld, request.base_dn);
    if (csn_before) std::this_thread::sleep_for(kSettle);
  }
  const std::string object =
      fmt::format("LDAP content sync base \"{}\" filter \"{}\" on {}", request.base_dn, request.filter, url);
  SyncRun run;
  run.ld = ld;
  run.on_entry = &on_entry;
  run.on_delete = &on_delete;
  run.cookie_given = !cookie.empty();

  ldap_sync_t ls;
  ldap_sync_initialize(&ls);
  // The strings stay ours: detached again before ldap_sync_destroy, which
  // would free them (and unbind the connection, which belongs to the caller).
  std::string base = request.base_dn, filter = request.filter;
  std::vector<char*> attrs;
  for (const auto& a : request.attributes) attrs.push_back(const_cast<char*>(a.c_str()));
  attrs.push_back(nullptr);
  ls.ls_base = base.data();
  ls.ls_filter = filter.data();
  ls.ls_attrs = attrs.size() > 1 ? attrs.data() : nullptr;
  ls.ls_scope = scope_of(request.scope);
  ls.ls_timeout = -1;
  ls.ls_ld = ld;
  ls.ls_private = &run;
  ls.ls_search_entry = on_search_entry;
  ls.ls_search_reference = on_search_reference;
  ls.ls_intermediate = on_intermediate;
  ls.ls_search_result = on_search_result;
  if (!cookie.empty()) ber_str2bv(cookie.c_str(), cookie.size(), 1, &ls.ls_cookie);

  const int rc = ldap_sync_init_refresh_only(&ls);
  if (ls.ls_cookie.bv_val != nullptr && ls.ls_cookie.bv_len > 0)
    run.result.cookie.assign(ls.ls_cookie.bv_val, ls.ls_cookie.bv_len);
  destroy_detached(ls);
  if (csn_before && !run.result.cookie.empty()) run.result.cookie = cookie_at_most(run.result.cookie, *csn_before);

  if (run.consumer_error)
    return std::unexpected(LdapError{LdapFailure::Consumer, rc, *run.consumer_error});
  const int code = rc != LDAP_SUCCESS ? rc : run.done_code;
  if (code == LDAP_SYNC_REFRESH_REQUIRED || (run.cookie_given && (run.presents || run.refresh_deletes == 0))) {
    // The server cannot list what was deleted since the cookie: the caller
    // does a full read (with every guard) instead of trusting absence.
    run.result.stale = true;
    return run.result;
  }
  if (code != LDAP_SUCCESS) {
    LdapFailure failure = LdapFailure::Other;
    ErrorKind kind = ErrorKind::Remote;
    std::string hint;
    if (code == LDAP_UNAVAILABLE_CRITICAL_EXTENSION || code == LDAP_UNWILLING_TO_PERFORM) {
      failure = LdapFailure::BadRequest;
      kind = ErrorKind::Config;
      hint = "the server does not offer RFC 4533 content sync here: on slapd load the syncprov overlay "
             "(moduleload syncprov; overlay syncprov) on this database";
    } else if (code == LDAP_SERVER_DOWN || code == LDAP_CONNECT_ERROR || code == LDAP_TIMEOUT) {
      failure = LdapFailure::Network;
      kind = ErrorKind::Network;
    } else if (code == LDAP_SIZELIMIT_EXCEEDED || code == LDAP_TIMELIMIT_EXCEEDED || code == LDAP_ADMINLIMIT_EXCEEDED) {
      failure = LdapFailure::Incomplete;
    } else if (code == LDAP_NO_SUCH_OBJECT) {
      failure = LdapFailure::NoSuchObject;
      kind = ErrorKind::NotFound;
    } else if (code == LDAP_INSUFFICIENT_ACCESS || code == LDAP_INVALID_CREDENTIALS) {
      failure = LdapFailure::Auth;
      kind = ErrorKind::Auth;
    }
    std::string detail = fmt::format("{} ({})", ldap_err2string(code), code);
    if (!run.done_diagnostic.empty()) detail += ": " + run.done_diagnostic;
    Error e;
    e.kind = kind;
    e.message = "the content sync (RFC 4533) failed";
    e.object = object;
    e.detail = detail;
    e.hint = hint;
    return std::unexpected(LdapError{failure, code, e});
  }
  return run.result;
}

namespace {

struct FollowRun {
  const std::function<void()>* on_change = nullptr;
  const std::function<void()>* on_live = nullptr;
  bool live = false;
  bool ended = false;  // a searchResultDone: the server ended the search
  int done_code = LDAP_SUCCESS;
  std::string done_diagnostic;
  LDAP* ld = nullptr;
};

FollowRun& follow_of(ldap_sync_t* ls) { return *static_cast<FollowRun*>(ls->ls_private); }

int follow_entry(ldap_sync_t* ls, LDAPMessage*, struct berval*, ldap_sync_refresh_t phase) {
  if (phase != LDAP_SYNC_CAPI_PRESENT) (*follow_of(ls).on_change)();
  return 0;
}

int follow_reference(ldap_sync_t*, LDAPMessage*) { return 0; }

int follow_intermediate(ldap_sync_t* ls, LDAPMessage*, BerVarray uuids, ldap_sync_refresh_t phase) {
  FollowRun& run = follow_of(ls);
  if (phase == LDAP_SYNC_CAPI_DELETES_IDSET && uuids && uuids->bv_val) (*run.on_change)();
  if (phase == LDAP_SYNC_CAPI_DONE && !run.live) {
    run.live = true;
    (*run.on_live)();
  }
  return 0;
}

int follow_result(ldap_sync_t* ls, LDAPMessage* msg, int) {
  FollowRun& run = follow_of(ls);
  run.ended = true;
  read_done(run.ld, msg, run.done_code, run.done_diagnostic);
  return 0;
}

}  // namespace

LdapResult<void> content_sync_follow(LDAP* ld, const std::string& url, const SearchRequest& request,
                                     const std::string& cookie, const std::function<void()>& on_change,
                                     const std::function<void()>& on_live, const std::function<bool()>& should_stop,
                                     int poll_seconds) {
  const std::string object =
      fmt::format("LDAP content sync (persist) base \"{}\" filter \"{}\" on {}", request.base_dn, request.filter, url);
  FollowRun run;
  run.ld = ld;
  run.on_change = &on_change;
  run.on_live = &on_live;
  ldap_sync_t ls;
  ldap_sync_initialize(&ls);
  std::string base = request.base_dn, filter = request.filter;
  char no_attributes[] = "1.1";
  char* attrs[] = {no_attributes, nullptr};
  ls.ls_base = base.data();
  ls.ls_filter = filter.data();
  ls.ls_attrs = attrs;
  ls.ls_scope = scope_of(request.scope);
  ls.ls_timeout = poll_seconds;
  ls.ls_ld = ld;
  ls.ls_private = &run;
  ls.ls_search_entry = follow_entry;
  ls.ls_search_reference = follow_reference;
  ls.ls_intermediate = follow_intermediate;
  ls.ls_search_result = follow_result;
  if (!cookie.empty()) ber_str2bv(cookie.c_str(), cookie.size(), 1, &ls.ls_cookie);

  int rc = ldap_sync_init_refresh_and_persist(&ls);
  // slapd ends the refresh phase of a search with a cookie that has nothing
  // to report without a refreshDone intermediate message: the search being
  // accepted is the sign it is live.
  if (rc == LDAP_SUCCESS && !run.ended && !run.live) {
    run.live = true;
    on_live();
  }
  while (rc == LDAP_SUCCESS && !run.ended && !should_stop()) rc = ldap_sync_poll(&ls);
  destroy_detached(ls);
  if (should_stop() && rc == LDAP_SUCCESS && !run.ended) return {};
  const int code = rc != LDAP_SUCCESS ? rc : run.done_code != LDAP_SUCCESS ? run.done_code : LDAP_SERVER_DOWN;
  LdapFailure failure = LdapFailure::Network;
  ErrorKind kind = ErrorKind::Network;
  std::string hint;
  if (code == LDAP_UNAVAILABLE_CRITICAL_EXTENSION || code == LDAP_UNWILLING_TO_PERFORM) {
    failure = LdapFailure::BadRequest;
    kind = ErrorKind::Config;
    hint = "the server does not offer RFC 4533 refreshAndPersist here: on slapd load the syncprov overlay";
  } else if (code == LDAP_SYNC_REFRESH_REQUIRED) {
    failure = LdapFailure::Other;  // the caller starts again without a cookie
  }
  std::string detail = fmt::format("{} ({})", ldap_err2string(code), code);
  if (!run.done_diagnostic.empty()) detail += ": " + run.done_diagnostic;
  Error e;
  e.kind = kind;
  e.message = run.ended ? "the directory ended the persistent content sync" : "the persistent content sync stopped";
  e.object = object;
  e.detail = detail;
  e.hint = hint;
  return std::unexpected(LdapError{failure, code, e});
}

}  // namespace daoctl::ldap
