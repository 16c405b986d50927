// LdapDirectory over OpenLDAP's libldap (2.5).
//
// One connection per LdapDirectory; not thread-safe (the sync reads a source
// from one thread). Searches are asynchronous underneath (ldap_search_ext +
// ldap_result one message at a time), so memory holds one entry, not a page.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <ldap.h>
#include <sys/time.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <vector>
#include <memory>
#include <utility>

#include "connectors/ldap/ad_changes.hpp"
#include "connectors/ldap/directory.hpp"
#include "connectors/ldap/ldap_sync.hpp"
#include "connectors/tls/certificate.hpp"
#include "core/ldap/range_option.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::ldap {

using text::iequals;

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  return fmt::format("{:g} s", static_cast<double>(ms.count()) / 1000.0);
}

// Which failure a result code means. Bind and search share it: a search that
// answers insufficientAccess is an authorization problem too.
LdapFailure classify(int rc) {
  switch (rc) {
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
    case LDAP_AUTH_UNKNOWN:
      return LdapFailure::Auth;
    case LDAP_SERVER_DOWN:
    case LDAP_TIMEOUT:
    case LDAP_CONNECT_ERROR:
    case LDAP_UNAVAILABLE:
    case LDAP_BUSY:
      return LdapFailure::Network;
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
    case LDAP_TIMELIMIT_EXCEEDED:
    case LDAP_REFERRAL:
    case LDAP_PARTIAL_RESULTS:
      return LdapFailure::Incomplete;
    case LDAP_NO_SUCH_OBJECT:
      return LdapFailure::NoSuchObject;
    case LDAP_FILTER_ERROR:
    case LDAP_PROTOCOL_ERROR:
    case LDAP_UNDEFINED_TYPE:
    case LDAP_INAPPROPRIATE_MATCHING:
    case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_PARAM_ERROR:
      return LdapFailure::BadRequest;
    default:
      return LdapFailure::Other;
  }
}

ErrorKind kind_for(LdapFailure failure) {
  switch (failure) {
    case LdapFailure::Auth:
      return ErrorKind::Auth;
    case LdapFailure::Network:
      return ErrorKind::Network;
    case LdapFailure::NoSuchObject:
      return ErrorKind::NotFound;
    case LdapFailure::BadRequest:
      return ErrorKind::Validation;
    case LdapFailure::Incomplete:
    case LdapFailure::Consumer:
    case LdapFailure::Other:
      return ErrorKind::Remote;
  }
  return ErrorKind::Remote;
}

std::unexpected<LdapError> ldap_failure(LdapFailure failure, int rc, std::string message,
                                        std::string object, std::string detail,
                                        std::string hint = {}) {
  LdapError e;
  e.failure = failure;
  e.result_code = rc;
  e.error.kind = kind_for(failure);
  e.error.message = std::move(message);
  e.error.object = std::move(object);
  e.error.detail = std::move(detail);
  e.error.hint = std::move(hint);
  return std::unexpected(std::move(e));
}

// "Invalid credentials (49): 80090308: LdapErr: DSID-0C09042F ..." — the result
// code's text, the number, and the server's diagnostic when there is one.
std::string describe_code(int rc, std::string_view diagnostic) {
  std::string out = fmt::format("{} ({})", ldap_err2string(rc), rc);
  if (!diagnostic.empty()) out += fmt::format(": {}", diagnostic);
  return out;
}

std::string session_diagnostic(LDAP* ld) {
  char* msg = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) != LDAP_OPT_SUCCESS || msg == nullptr)
    return {};
  std::string out = msg;
  ldap_memfree(msg);
  return out;
}

int session_result_code(LDAP* ld) {
  int rc = LDAP_OTHER;
  ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
  return rc;
}

std::string hint_for(LdapFailure failure) {
  switch (failure) {
    case LdapFailure::Auth:
      return "check bind_dn and the bind password, and that the account may read the directory";
    case LdapFailure::Network:
      return "check the URL, that the server is running, and the TLS settings";
    case LdapFailure::Incomplete:
      return "use paged results (page_size at most the server's limit, 1000 for AD) or ask for a "
             "higher limit";
    case LdapFailure::NoSuchObject:
      return "check base_dn";
    case LdapFailure::BadRequest:
      return "check the filter and the attribute names";
    default:
      return {};
  }
}

struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;

struct ControlsFree {
  void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsFree>;

struct BerFree {
  void operator()(BerElement* b) const { ber_free(b, 0); }
};

// A berval cookie owned by libldap's allocator.
class PagingCookie {
 public:
  PagingCookie() = default;
  PagingCookie(const PagingCookie&) = delete;
  PagingCookie& operator=(const PagingCookie&) = delete;
  ~PagingCookie() { ber_memfree(value_.bv_val); }
  berval* get() { return value_.bv_len > 0 ? &value_ : nullptr; }
  bool empty() const { return value_.bv_len == 0; }
  // Takes ownership of a cookie parsed from a page response.
  void reset(berval fresh) {
    ber_memfree(value_.bv_val);
    value_ = fresh;
  }

 private:
  berval value_{0, nullptr};
};

int scope_value(SearchScope scope) {
  switch (scope) {
    case SearchScope::Base:
      return LDAP_SCOPE_BASE;
    case SearchScope::OneLevel:
      return LDAP_SCOPE_ONELEVEL;
    case SearchScope::Subtree:
      return LDAP_SCOPE_SUBTREE;
  }
  return LDAP_SCOPE_SUBTREE;
}

// Null-terminated char* array for libldap over strings the caller keeps alive.
class AttributeList {
 public:
  explicit AttributeList(const std::vector<std::string>& names) {
    for (const auto& n : names) pointers_.push_back(const_cast<char*>(n.c_str()));
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.size() > 1 ? pointers_.data() : nullptr; }

 private:
  std::vector<char*> pointers_;
};

class OpenLdapDirectory final : public LdapDirectory {
 public:
  OpenLdapDirectory(LDAP* ld, LdapConnectionOptions options)
      : ld_(ld), options_(std::move(options)) {
    // The password is only needed for the bind, which has happened.
    options_.bind_password.assign(options_.bind_password.size(), '\0');
    options_.bind_password.clear();
  }
  OpenLdapDirectory(const OpenLdapDirectory&) = delete;
  OpenLdapDirectory& operator=(const OpenLdapDirectory&) = delete;
  ~OpenLdapDirectory() override { ldap_unbind_ext_s(ld_, nullptr, nullptr); }

  LdapResult<SearchStats> search(const SearchRequest& request,
                                 const EntryCallback& on_entry) override;
  LdapResult<ContentSyncResult> content_sync(const SearchRequest& request, const std::string& cookie,
                                             const SyncEntryCallback& on_entry,
                                             const SyncDeleteCallback& on_delete) override {
    // Active Directory has no RFC 4533: its changes are read by uSNChanged
    // (ad_changes.hpp). A saved AD cookie says which at once; without one,
    // the rootDSE does (slapd with syncprov advertises the control).
    // One read of the rootDSE decides, and gives AD's current USN.
    auto how = choose_change_read(*this, options_.url, cookie);
    if (!how) return std::unexpected(how.error());
    if (how->usn)
      return usn_content_sync(*this, how->root, options_.url, request, cookie, on_entry, on_delete,
                              std::chrono::system_clock::now());
    return content_sync_refresh(ld_, options_.url, request, cookie, on_entry, on_delete);
  }
  LdapResult<void> follow_changes(const SearchRequest& request, const std::string& cookie,
                                  const std::function<void()>& on_change, const std::function<void()>& on_live,
                                  const std::function<bool()>& should_stop) override {
    return content_sync_follow(ld_, options_.url, request, cookie, on_change, on_live, should_stop);
  }

 private:
  std::string search_object(const SearchRequest& r) const {
    return fmt::format("LDAP search base \"{}\" filter \"{}\" on {}", r.base_dn, r.filter,
                       options_.url);
  }
  LdapResult<LdapEntry> read_entry(LDAPMessage* message, SearchStats& stats);
  LdapResult<void> complete_ranged_attributes(LdapEntry& entry, SearchStats& stats);
  std::unexpected<LdapError> wait_failed(int rc, const std::string& object);

  LDAP* ld_;
  LdapConnectionOptions options_;
};

std::unexpected<LdapError> OpenLdapDirectory::wait_failed(int rc, const std::string& object) {
  if (rc == 0) {
    return ldap_failure(LdapFailure::Network, LDAP_TIMEOUT, "LDAP server did not answer in time",
                        object,
                        fmt::format("no reply within {}", seconds_text(options_.operation_timeout)),
                        hint_for(LdapFailure::Network));
  }
  const int code = session_result_code(ld_);
  const LdapFailure failure =
      classify(code) == LdapFailure::Other ? LdapFailure::Network : classify(code);
  return ldap_failure(failure, code, "lost the LDAP connection during a search", object,
                      describe_code(code, session_diagnostic(ld_)), hint_for(failure));
}

// Walks the entry's BER once (ldap_get_dn_ber + ldap_get_attribute_ber, as
// ldapsearch does); ldap_get_values_len would rescan the entry per attribute.
// Values point into the message buffer and are copied before it is freed.
LdapResult<LdapEntry> OpenLdapDirectory::read_entry(LDAPMessage* message, SearchStats& stats) {
  LdapEntry entry;
  BerElement* raw_ber = nullptr;
  berval dn{0, nullptr};
  int rc = ldap_get_dn_ber(ld_, message, &raw_ber, &dn);
  std::unique_ptr<BerElement, BerFree> ber(raw_ber);
  if (rc != LDAP_SUCCESS) {
    return ldap_failure(LdapFailure::Other, rc, "cannot decode an LDAP search entry", options_.url,
                        describe_code(rc, {}));
  }
  entry.dn.assign(dn.bv_val, dn.bv_len);
  berval name{0, nullptr};
  BerVarray values = nullptr;
  for (rc = ldap_get_attribute_ber(ld_, message, ber.get(), &name, &values); rc == LDAP_SUCCESS;
       rc = ldap_get_attribute_ber(ld_, message, ber.get(), &name, &values)) {
    if (name.bv_val == nullptr) break;
    LdapAttribute attribute;
    attribute.name.assign(name.bv_val, name.bv_len);
    if (values != nullptr) {
      for (berval* v = values; v->bv_val != nullptr; ++v)
        attribute.values.emplace_back(v->bv_val, v->bv_len);
      ber_memfree(values);
      values = nullptr;
    }
    entry.attributes.push_back(std::move(attribute));
  }
  if (rc != LDAP_SUCCESS) {
    return ldap_failure(LdapFailure::Other, rc, "cannot decode an LDAP search entry",
                        fmt::format("entry \"{}\"", entry.dn), describe_code(rc, {}));
  }
  auto ranged = complete_ranged_attributes(entry, stats);
  if (!ranged) return std::unexpected(std::move(ranged.error()));
  return entry;
}

constexpr const char* kRangeHint =
    "the directory served a large attribute (AD ranged retrieval) inconsistently, so the run stopped "
    "before any change; run it again, and check the domain controller if it persists";

// AD returns at most MaxValRange values of a large attribute and names the
// chunk "member;range=0-1499". The rest is read with base searches asking for
// "member;range=1500-*" until a chunk ends in '*'. A chunk that does not start
// where the previous one ended would silently lose members, so it is an error.
LdapResult<void> OpenLdapDirectory::complete_ranged_attributes(LdapEntry& entry,
                                                               SearchStats& stats) {
  for (auto& attribute : entry.attributes) {
    auto parsed = parse_range_option(attribute.name);
    if (!parsed) {
      return ldap_failure(LdapFailure::Other, LDAP_DECODING_ERROR, parsed.error().message,
                          fmt::format("entry \"{}\"", entry.dn), parsed.error().detail);
    }
    if (!*parsed) continue;
    RangeOption range = std::move(**parsed);
    // A first chunk that does not start at 0 has lost the values before it.
    if (range.first != 0) {
      return ldap_failure(LdapFailure::Incomplete, LDAP_OTHER, "the server skipped values of a large attribute",
                          fmt::format("ranged attribute {} of \"{}\"", range.attribute, entry.dn),
                          fmt::format("the first chunk is \"{}\", not from 0", attribute.name), kRangeHint);
    }
    attribute.name = range.attribute;
    while (range.last) {
      const std::uint64_t next = *range.last + 1;
      const std::string object =
          fmt::format("ranged attribute {} of \"{}\" from {}", range.attribute, entry.dn, next);
      std::vector<std::string> wanted{range_request(range.attribute, next)};
      AttributeList attrs(wanted);
      timeval tv = to_timeval(options_.operation_timeout);
      LDAPMessage* raw = nullptr;
      const int rc = ldap_search_ext_s(ld_, entry.dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)",
                                       attrs.get(), 0, nullptr, nullptr, &tv, 1, &raw);
      MessagePtr result(raw);
      ++stats.range_requests;
      if (rc != LDAP_SUCCESS) {
        const LdapFailure failure =
            classify(rc) == LdapFailure::NoSuchObject ? LdapFailure::Incomplete : classify(rc);
        return ldap_failure(failure, rc, "cannot read the next range of a large attribute", object,
                            describe_code(rc, session_diagnostic(ld_)), hint_for(failure));
      }
      LDAPMessage* chunk_entry = ldap_first_entry(ld_, result.get());
      bool found = false;
      BerElement* raw_chunk_ber = nullptr;
      for (char* name = chunk_entry ? ldap_first_attribute(ld_, chunk_entry, &raw_chunk_ber)
                                    : nullptr;
           name != nullptr; name = ldap_next_attribute(ld_, chunk_entry, raw_chunk_ber)) {
        std::string chunk_name = name;
        ldap_memfree(name);
        auto chunk = parse_range_option(chunk_name);
        if (!chunk || !*chunk || !iequals((*chunk)->attribute, range.attribute)) continue;
        if ((*chunk)->first != next) {
          std::unique_ptr<BerElement, BerFree> cleanup(raw_chunk_ber);
          return ldap_failure(
              LdapFailure::Incomplete, LDAP_OTHER, "the server skipped values of a large attribute",
              object, fmt::format("asked for values from {}, got \"{}\"", next, chunk_name), kRangeHint);
        }
        if (berval** values = ldap_get_values_len(ld_, chunk_entry, chunk_name.c_str())) {
          for (berval** v = values; *v != nullptr; ++v)
            attribute.values.emplace_back((*v)->bv_val, (*v)->bv_len);
          ldap_value_free_len(values);
        }
        range = std::move(**chunk);
        found = true;
        break;
      }
      std::unique_ptr<BerElement, BerFree> cleanup(raw_chunk_ber);
      if (!found) {
        return ldap_failure(
            LdapFailure::Incomplete, LDAP_OTHER, "the server did not return the next range", object,
            fmt::format("no \"{};range={}-…\" in the reply", range.attribute, next), kRangeHint);
      }
    }
  }
  return {};
}

LdapResult<SearchStats> OpenLdapDirectory::search(const SearchRequest& request,
                                                  const EntryCallback& on_entry) {
  SearchStats stats;
  const std::string object = search_object(request);
  AttributeList attrs(request.attributes);
  PagingCookie cookie;
  while (true) {
    LDAPControl* page_control = nullptr;
    if (request.page_size > 0) {
      // Not critical: a server without RFC 2696 answers unpaged, and then a
      // server-side limit shows up as sizeLimitExceeded, which is an error.
      const int rc = ldap_create_page_control(ld_, static_cast<ber_int_t>(request.page_size),
                                              cookie.get(), 0, &page_control);
      if (rc != LDAP_SUCCESS) {
        return ldap_failure(LdapFailure::Other, rc, "cannot build the paged-results control",
                            object, describe_code(rc, {}));
      }
    }
    // LDAP_SERVER_SHOW_DELETED_OID has no value.
    char show_deleted_oid[] = "1.2.840.113556.1.4.417";
    LDAPControl show_deleted{show_deleted_oid, {0, nullptr}, 0};
    LDAPControl* server_controls[3] = {nullptr, nullptr, nullptr};
    std::size_t n_controls = 0;
    if (page_control) server_controls[n_controls++] = page_control;
    if (request.show_deleted) server_controls[n_controls++] = &show_deleted;
    int msgid = 0;
    int rc = ldap_search_ext(ld_, request.base_dn.c_str(), scope_value(request.scope),
                             request.filter.c_str(), attrs.get(), 0,
                             n_controls > 0 ? server_controls : nullptr, nullptr, nullptr,
                             LDAP_NO_LIMIT, &msgid);
    ldap_control_free(page_control);
    if (rc != LDAP_SUCCESS) {
      const LdapFailure failure =
          classify(rc) == LdapFailure::Other ? LdapFailure::Network : classify(rc);
      return ldap_failure(failure, rc, "cannot send the LDAP search", object,
                          describe_code(rc, session_diagnostic(ld_)), hint_for(failure));
    }
    ++stats.pages;

    bool page_done = false;
    while (!page_done) {
      timeval tv = to_timeval(options_.operation_timeout);
      LDAPMessage* raw = nullptr;
      rc = ldap_result(ld_, msgid, LDAP_MSG_ONE, &tv, &raw);
      MessagePtr message(raw);
      if (rc <= 0) {
        if (rc == 0) ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
        return wait_failed(rc, object);
      }
      switch (ldap_msgtype(message.get())) {
        case LDAP_RES_SEARCH_ENTRY: {
          auto entry = read_entry(message.get(), stats);
          if (!entry) {
            ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
            return std::unexpected(std::move(entry.error()));
          }
          ++stats.entries;
          if (auto consumed = on_entry(*entry); !consumed) {
            ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
            LdapError e;
            e.failure = LdapFailure::Consumer;
            e.error = std::move(consumed.error());
            return std::unexpected(std::move(e));
          }
          break;
        }
        case LDAP_RES_SEARCH_REFERENCE:
          // Continuation references point at other naming contexts (AD's
          // DomainDnsZones, Configuration); referral chasing is off, and the
          // entries of this naming context are complete without them.
          break;
        case LDAP_RES_SEARCH_RESULT: {
          int result_code = LDAP_OTHER;
          char* diagnostic = nullptr;
          LDAPControl** raw_controls = nullptr;
          const int parse_rc = ldap_parse_result(ld_, message.get(), &result_code, nullptr,
                                                 &diagnostic, nullptr, &raw_controls, 0);
          ControlsPtr controls(raw_controls);
          const std::string diag = diagnostic ? diagnostic : "";
          ldap_memfree(diagnostic);
          if (parse_rc != LDAP_SUCCESS) {
            return ldap_failure(LdapFailure::Other, parse_rc, "cannot parse the LDAP search result",
                                object, describe_code(parse_rc, session_diagnostic(ld_)));
          }
          if (result_code != LDAP_SUCCESS) {
            const LdapFailure failure = classify(result_code);
            std::string message_text =
                failure == LdapFailure::Incomplete
                    ? fmt::format("LDAP search stopped by a server limit after {} entries",
                                  stats.entries)
                    : std::string("LDAP search failed");
            return ldap_failure(failure, result_code, std::move(message_text), object,
                                describe_code(result_code, diag), hint_for(failure));
          }
          if (request.page_size == 0) return stats;
          LDAPControl* response =
              ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls.get(), nullptr);
          if (response == nullptr) {
            // The server ignored the (non-critical) control and answered in
            // full; after the first page that would mean a lost paging state.
            if (stats.pages == 1) return stats;
            return ldap_failure(
                LdapFailure::Incomplete, LDAP_OTHER, "the server stopped paging mid-search", object,
                fmt::format("page {} came without a paged-results response control", stats.pages));
          }
          ber_int_t estimate = 0;
          berval fresh{0, nullptr};
          const int page_rc = ldap_parse_pageresponse_control(ld_, response, &estimate, &fresh);
          if (page_rc != LDAP_SUCCESS) {
            return ldap_failure(LdapFailure::Incomplete, page_rc,
                                "cannot read the paged-results cookie", object,
                                describe_code(page_rc, {}));
          }
          cookie.reset(fresh);
          if (cookie.empty()) return stats;
          page_done = true;
          break;
        }
        default:
          break;
      }
    }
  }
}

// Why TLS to an LDAP server failed, found by looking at its certificate
// ourselves: libldap only says "Can't contact LDAP server (-1)". One more
// connection (with StartTLS first for ldap://), verified against the same CA
// file and host name. nullopt when the certificate is fine (the failure is
// something else) or cannot be fetched.
struct TlsDiagnosis {
  std::string detail;
  std::string hint;
};

std::optional<TlsDiagnosis> diagnose_tls(const LdapConnectionOptions& options, bool ldaps) {
  std::string_view rest = options.url;
  rest.remove_prefix(ldaps ? 8 : 7);
  rest = rest.substr(0, rest.find_first_of("/?"));
  tls::ProbeOptions probe;
  probe.port = ldaps ? 636 : 389;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    probe.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.starts_with(":")) probe.port = std::atoi(std::string(rest.substr(1)).c_str());
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    probe.host = std::string(rest.substr(0, colon));
    probe.port = std::atoi(std::string(rest.substr(colon + 1)).c_str());
  } else {
    probe.host = std::string(rest);
  }
  if (probe.host.empty() || probe.port <= 0) return std::nullopt;
  probe.ca_file = options.ca_file;
  probe.ldap_starttls = !ldaps;
  probe.timeout = std::min<std::chrono::milliseconds>(options.network_timeout, std::chrono::seconds(10));
  auto cert = tls::probe_certificate(probe);
  if (!cert) return std::nullopt;
  const auto now = std::chrono::system_clock::now();
  const bool expired = cert->not_after.time_since_epoch().count() != 0 && now > cert->not_after;
  const bool early = cert->not_before.time_since_epoch().count() != 0 && now < cert->not_before;
  if (cert->verified && cert->host_matches && !expired && !early) return std::nullopt;

  auto day = [](std::chrono::system_clock::time_point t) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(t));
  };
  std::string names;
  for (const auto& n : cert->names) names += (names.empty() ? "" : ", ") + n;
  if (names.empty()) names = cert->subject + " (no subjectAltName)";
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
  if (expired) {
    problems.push_back("the certificate expired on " + day(cert->not_after));
    fixes.push_back("renew the server's certificate");
  } else if (early) {
    problems.push_back("the certificate is not valid before " + day(cert->not_before) +
                       " (check this machine's clock)");
    fixes.push_back("check the clocks of this machine and the server");
  }
  if (!cert->chain_trusted && !expired && !early) {
    problems.push_back(fmt::format("the certificate is not trusted: {} (issuer {}), checked against {}",
                                   cert->verify_error.empty() ? "unknown reason" : cert->verify_error,
                                   cert->issuer.empty() ? "unknown" : cert->issuer,
                                   options.ca_file.empty() ? "the system CA store"
                                                           : "ca_file " + options.ca_file));
    fixes.push_back(fmt::format("set the source's ca_file to the PEM certificate of the CA that issued it ({})",
                                cert->issuer));
  }
  if (!cert->host_matches) {
    problems.push_back(fmt::format("the host name {} is not among the certificate's names ({})", probe.host, names));
    std::string carried;
    for (const auto& n : cert->names)
      if (n.starts_with("DNS:") || n.starts_with("IP:")) {
        carried = n.substr(n.find(':') + 1);
        break;
      }
    fixes.push_back(carried.empty()
                        ? "connect with the host name the certificate carries, or reissue it for " + probe.host
                        : fmt::format("use the host name the certificate carries in the url ({}://{}:{}), or "
                                      "reissue the certificate for {}",
                                      ldaps ? "ldaps" : "ldap", carried, probe.port, probe.host));
  }
  if (problems.empty()) return std::nullopt;
  TlsDiagnosis d;
  for (const auto& p : problems) d.detail += (d.detail.empty() ? "TLS: " : "; ") + p;
  d.detail += fmt::format(" (certificate subject {}, valid {} to {})", cert->subject, day(cert->not_before),
                          day(cert->not_after));
  for (const auto& f : fixes) d.hint += (d.hint.empty() ? "" : "; ") + f;
  d.hint += "; never insecure: true outside a test";
  return d;
}

// A failure to set up TLS named by its cause when the certificate explains it.
std::unexpected<LdapError> tls_failure_or(std::unexpected<LdapError> failure, const LdapConnectionOptions& options,
                                          bool ldaps) {
  LdapError& e = failure.error();
  if (!(ldaps || options.start_tls) || !options.require_certificate) return failure;
  if (e.failure != LdapFailure::Network) return failure;
  auto d = diagnose_tls(options, ldaps);
  if (!d) return failure;
  e.error.message = "the LDAP server's TLS certificate was refused";
  e.error.detail = d->detail + "; libldap said: " + e.error.detail;
  e.error.hint = d->hint;
  return failure;
}

}  // namespace

LdapResult<std::unique_ptr<LdapDirectory>> connect_ldap(const LdapConnectionOptions& options) {
  const std::string object = fmt::format("LDAP server {}", options.url);
  const bool ldaps = options.url.rfind("ldaps://", 0) == 0;
  if (!ldaps && options.url.rfind("ldap://", 0) != 0) {
    return ldap_failure(LdapFailure::BadRequest, LDAP_PARAM_ERROR, "unsupported LDAP URL", object,
                        "the URL must start with ldap:// or ldaps://");
  }
  if (ldaps && options.start_tls) {
    return ldap_failure(LdapFailure::BadRequest, LDAP_PARAM_ERROR, "StartTLS on an ldaps:// URL",
                        object, "ldaps:// is TLS from the start; StartTLS applies to ldap:// only",
                        "use either ldaps:// or ldap:// with start_tls");
  }
  // An empty password with a DN is an "unauthenticated bind" (RFC 4513 5.1.2):
  // many servers answer success and treat it as anonymous, which would hide a
  // missing secret. A password without a DN is the same trap the other way.
  if (options.bind_dn.empty() != options.bind_password.empty()) {
    return ldap_failure(LdapFailure::Auth, LDAP_PARAM_ERROR, "incomplete LDAP bind credentials",
                        object,
                        options.bind_dn.empty()
                            ? "a bind password is set but bind_dn is empty"
                            : fmt::format("bind_dn \"{}\" has an empty password", options.bind_dn),
                        "set both bind_dn and the password, or neither for an anonymous bind");
  }

  LDAP* raw = nullptr;
  int rc = ldap_initialize(&raw, options.url.c_str());
  if (rc != LDAP_SUCCESS) {
    return ldap_failure(LdapFailure::BadRequest, rc, "invalid LDAP URL", object,
                        describe_code(rc, {}));
  }
  std::unique_ptr<LDAP, int (*)(LDAP*)> ld(
      raw, [](LDAP* l) { return ldap_unbind_ext_s(l, nullptr, nullptr); });

  const int version = LDAP_VERSION3;
  timeval network_timeout = to_timeval(options.network_timeout);
  timeval operation_timeout = to_timeval(options.operation_timeout);
  const int require_cert =
      options.require_certificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
  bool ok =
      ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_RESTART, LDAP_OPT_ON) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &network_timeout) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &operation_timeout) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert) == LDAP_OPT_SUCCESS;
  if (ok && !options.ca_file.empty()) {
    ok = ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, options.ca_file.c_str()) ==
         LDAP_OPT_SUCCESS;
  }
  if (!ok) {
    return ldap_failure(LdapFailure::Other, LDAP_OPT_ERROR, "cannot set LDAP connection options",
                        object, session_diagnostic(ld.get()));
  }
  // Per-handle TLS settings take effect only in a fresh TLS context; this is
  // also where an unreadable CA file is reported.
  const int is_server = 0;
  rc = ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &is_server);
  if (rc != LDAP_OPT_SUCCESS) {
    return ldap_failure(LdapFailure::BadRequest, rc, "cannot set up TLS for LDAP", object,
                        options.ca_file.empty()
                            ? describe_code(rc, session_diagnostic(ld.get()))
                            : fmt::format("CA file \"{}\": {}", options.ca_file,
                                          describe_code(rc, session_diagnostic(ld.get()))),
                        "check that the CA file exists and holds PEM certificates");
  }

  if (options.start_tls) {
    rc = ldap_start_tls_s(ld.get(), nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
      const LdapFailure failure =
          classify(rc) == LdapFailure::Other ? LdapFailure::Network : classify(rc);
      return tls_failure_or(
          ldap_failure(failure, rc, "StartTLS failed", object, describe_code(rc, session_diagnostic(ld.get())),
                       "check that the server offers StartTLS and that its certificate matches the CA file"),
          options, ldaps);
    }
  }

  berval credentials{static_cast<ber_len_t>(options.bind_password.size()),
                     const_cast<char*>(options.bind_password.data())};
  rc = ldap_sasl_bind_s(ld.get(), options.bind_dn.empty() ? nullptr : options.bind_dn.c_str(),
                        LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
  if (rc != LDAP_SUCCESS) {
    const LdapFailure failure =
        classify(rc) == LdapFailure::Other ? LdapFailure::Network : classify(rc);
    const std::string who =
        options.bind_dn.empty() ? "anonymous" : fmt::format("\"{}\"", options.bind_dn);
    std::string message = failure == LdapFailure::Auth ? fmt::format("LDAP bind as {} refused", who)
                          : failure == LdapFailure::Network
                              ? std::string("cannot reach the LDAP server")
                              : fmt::format("LDAP bind as {} failed", who);
    return tls_failure_or(ldap_failure(failure, rc, std::move(message), object,
                                       describe_code(rc, session_diagnostic(ld.get())), hint_for(failure)),
                          options, ldaps);
  }
  return std::unique_ptr<LdapDirectory>(new OpenLdapDirectory(ld.release(), options));
}

}  // namespace daoctl::ldap
