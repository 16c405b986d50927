#include "connectors/ldap/ad_changes.hpp"

#include <fmt/format.h>

#include <charconv>
#include <unordered_set>

#include "core/ldap/ad_binary.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::ldap {

namespace {

// RFC 4533's Sync Request control (LDAP_CONTROL_SYNC in <ldap.h>).
constexpr std::string_view kContentSyncControl = "1.3.6.1.4.1.4203.1.9.1.1";

struct UsnCookie {
  unsigned long long usn = 0;
  std::string service;
  long long saved_at = 0;  // unix seconds
};

std::optional<UsnCookie> parse_cookie(const std::string& cookie) {
  // usn;<USN>;<dsServiceName>;<unix seconds> (a DN may hold ';' escaped as
  // "\;", never bare, so the last ';' ends it).
  if (!is_usn_cookie(cookie)) return std::nullopt;
  const auto a = cookie.find(';', 4);
  const auto z = cookie.rfind(';');
  if (a == std::string::npos || z == a) return std::nullopt;
  UsnCookie c;
  const std::string_view usn(cookie.data() + 4, a - 4);
  const std::string_view at(cookie.data() + z + 1, cookie.size() - z - 1);
  if (std::from_chars(usn.data(), usn.data() + usn.size(), c.usn).ec != std::errc{} ||
      std::from_chars(at.data(), at.data() + at.size(), c.saved_at).ec != std::errc{})
    return std::nullopt;
  c.service = cookie.substr(a + 1, z - a - 1);
  return c;
}

long long unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// A directory that cannot do what the job asks: the job or the server's
// configuration must change (exit 2, as RFC 4533 without syncprov).
std::unexpected<LdapError> bad(std::string message, std::string object, std::string detail, std::string hint = {}) {
  Error e;
  e.kind = ErrorKind::Config;
  e.message = std::move(message);
  e.object = std::move(object);
  e.detail = std::move(detail);
  e.hint = std::move(hint);
  return std::unexpected(LdapError{LdapFailure::BadRequest, 0, std::move(e)});
}

// The entry's objectGUID as text, or an error naming the entry.
Result<std::string> guid_of(const LdapEntry& e) {
  auto raw = e.first("objectGUID");
  if (!raw) return fail(ErrorKind::Parse, "an Active Directory entry came without objectGUID", e.dn);
  return format_object_guid(*raw);
}

}  // namespace

bool is_usn_cookie(const std::string& cookie) { return cookie.starts_with("usn;"); }

namespace {

// The rootDSE once: AD's attributes and whether RFC 4533's control is listed.
struct RootDse {
  AdRoot ad;
  bool content_sync = false;
};

LdapResult<RootDse> read_root_dse(LdapDirectory& dir) {
  SearchRequest root;
  root.base_dn = "";
  root.scope = SearchScope::Base;
  root.filter = "(objectClass=*)";
  root.attributes = {"highestCommittedUSN", "dsServiceName", "defaultNamingContext", "supportedControl"};
  root.page_size = 0;
  RootDse out;
  auto read = dir.search(root, [&](LdapEntry& e) -> Status {
    out.ad.usn = e.first("highestCommittedUSN").value_or("");
    out.ad.service = e.first("dsServiceName").value_or("");
    out.ad.naming_context = e.first("defaultNamingContext").value_or("");
    if (const auto* oids = e.find("supportedControl"))
      for (const auto& oid : *oids) out.content_sync = out.content_sync || oid == kContentSyncControl;
    return {};
  });
  if (!read) return std::unexpected(read.error());
  return out;
}

LdapResult<AdRoot> require_ad(AdRoot root, const std::string& url) {
  if (root.usn.empty() || root.service.empty() || root.naming_context.empty())
    return bad("this directory cannot follow changes", "the rootDSE of " + url,
               "it offers neither RFC 4533 content sync nor Active Directory's highestCommittedUSN",
               "on slapd load the syncprov overlay (moduleload syncprov; overlay syncprov) on this database");
  return root;
}

}  // namespace

LdapResult<AdRoot> read_ad_root(LdapDirectory& dir, const std::string& url) {
  auto dse = read_root_dse(dir);
  if (!dse) return std::unexpected(dse.error());
  return require_ad(std::move(dse->ad), url);
}

LdapResult<ChangeRead> choose_change_read(LdapDirectory& dir, const std::string& url, const std::string& cookie) {
  if (!cookie.empty() && !is_usn_cookie(cookie)) return ChangeRead{};
  auto dse = read_root_dse(dir);
  if (cookie.empty() && (!dse || dse->content_sync)) return ChangeRead{};
  if (!dse) return std::unexpected(dse.error());
  auto root = require_ad(std::move(dse->ad), url);
  if (!root) return std::unexpected(root.error());
  return ChangeRead{true, std::move(*root)};
}

LdapResult<ContentSyncResult> usn_content_sync(LdapDirectory& dir, const AdRoot& root, const std::string& url,
                                               const SearchRequest& request, const std::string& cookie,
                                               const SyncEntryCallback& on_entry, const SyncDeleteCallback& on_delete,
                                               std::chrono::system_clock::time_point now) {
  ContentSyncResult result;
  const std::string object =
      fmt::format("Active Directory changes (uSNChanged) base \"{}\" filter \"{}\" on {}", request.base_dn,
                  request.filter, url);
  std::optional<UsnCookie> from;
  if (!cookie.empty()) {
    from = parse_cookie(cookie);
    if (!from) return bad("the saved cookie is not an Active Directory one", object, "cookie: " + cookie,
                          "delete the job's .cursor.json in the state directory: the next run is a full one");
    if (!text::iequals(from->service, root.service) ||
        now - std::chrono::system_clock::time_point(std::chrono::seconds(from->saved_at)) > kAdCookieMaxAge) {
      // Another DC (its USNs are its own) or a cookie from before tombstones
      // the DC may have purged: what was deleted since cannot be listed.
      result.stale = true;
      return result;
    }
  }
  result.cookie = fmt::format("usn;{};{};{}", root.usn, root.service, unix_seconds(now));

  SearchRequest job = request;
  if (job.attributes.empty()) job.attributes.push_back("*");
  job.attributes.push_back("objectGUID");
  // An entry delivered to the caller, by GUID.
  auto deliver = [&](std::unordered_set<std::string>* seen) {
    return [&, seen](LdapEntry& e) -> Status {
      auto guid = guid_of(e);
      if (!guid) return std::unexpected(guid.error());
      if (seen) seen->insert(*guid);
      ++result.entries;
      return on_entry(e, *guid);
    };
  };
  if (!from) {
    auto read = dir.search(job, deliver(nullptr));
    if (!read) return std::unexpected(read.error());
    return result;
  }

  // 1. What changed anywhere in the naming context, tombstones included.
  std::vector<std::string> changed;
  SearchRequest all;
  all.base_dn = root.naming_context;
  all.scope = SearchScope::Subtree;
  all.filter = fmt::format("(uSNChanged>={})", from->usn + 1);
  all.attributes = {"objectGUID"};
  all.page_size = request.page_size;
  all.show_deleted = true;
  auto listed = dir.search(all, [&](LdapEntry& e) -> Status {
    auto guid = guid_of(e);
    if (!guid) return std::unexpected(guid.error());
    changed.push_back(std::move(*guid));
    return {};
  });
  if (!listed) return std::unexpected(listed.error());
  // 2. Which of them are still employees, whole.
  std::unordered_set<std::string> present;
  job.filter = fmt::format("(&{}(uSNChanged>={}))", request.filter, from->usn + 1);
  auto read = dir.search(job, deliver(&present));
  if (!read) return std::unexpected(read.error());
  // 3. The others are gone from the search.
  for (const auto& guid : changed) {
    if (present.count(guid)) continue;
    ++result.deletes;
    if (auto st = on_delete(guid); !st) return std::unexpected(LdapError{LdapFailure::Consumer, 0, st.error()});
  }
  return result;
}

}  // namespace daoctl::ldap
