#include "connectors/sources/job_sources.hpp"

#include <fmt/format.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "connectors/hr/csv_source.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "connectors/hr/json_source.hpp"
#include "connectors/ldap/directory.hpp"
#include "core/config/config_files.hpp"
#include "core/ldap/account_state.hpp"
#include "core/ldap/ad_binary.hpp"
#include "core/ldap/dn.hpp"
#include "core/ldap/group_graph.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::sources {

using text::iequals;

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

Error source_error(const sync::SourceSpec& s, Error cause) {
  Error e = std::move(cause);
  e.message = fmt::format("cannot read source {} ({}): {}", s.name, s.type, e.message);
  return e;
}

Result<text::Encoding> encoding_of(const json& cfg) {
  return text::parse_encoding(cfg.value("encoding", "auto"));
}

// Which of the job's fields a source's records have carried so far, for
// sources whose records carry only the fields they have (JSON objects, LDAP
// entries): a field the job names must be on at least one record. Once every
// field was seen it costs nothing per record.
class FieldPresence {
 public:
  explicit FieldPresence(const sync::SourceSpec& s) : source_(s) {
    // A field the job declares (fields:) exists even when no record has it.
    for (const auto& u : s.uses)
      if (std::find(pending_.begin(), pending_.end(), u.field) == pending_.end() &&
          std::find(s.declared_fields.begin(), s.declared_fields.end(), u.field) == s.declared_fields.end())
        pending_.push_back(u.field);
  }
  void see(const hr::SourceRecord& r) {
    if (pending_.empty()) return;
    for (const auto& f : r.fields) {
      if (std::find(names_.begin(), names_.end(), f.name) == names_.end()) names_.push_back(f.name);
    }
    std::erase_if(pending_, [&](const std::string& p) { return r.find(p) != nullptr; });
  }
  Status check(std::string_view read) const {
    if (pending_.empty()) return {};
    return sync::check_fields(
        source_, [&](std::string_view f) { return std::find(pending_.begin(), pending_.end(), f) == pending_.end(); },
        names_, read);
  }

 private:
  const sync::SourceSpec& source_;
  std::vector<std::string> pending_;
  std::vector<std::string> names_;
};

// The groups of a group search (sources.<name>.groups) and which of them each
// member is in. Members are keyed by canonical DN (member, uniqueMember) or,
// for posixGroup's memberUid, by kUidKey + the folded uid.
struct DirectoryGroups {
  std::vector<std::string> dn, id, name;  // per group, in search order
  ldap::Memberships memberships;
  bool by_uid = false;  // some group lists memberUid: users are matched by uid too
};

constexpr std::string_view kUidKey = "\x01uid:";

// uniqueMember may carry an optional uid after the DN ("cn=x,dc=y#'0101'B").
std::string_view without_unique_id(std::string_view v) {
  if (v.size() < 4 || v.back() != 'B' || v[v.size() - 2] != '\'') return v;
  auto hash = v.rfind("#'");
  if (hash == std::string_view::npos) return v;
  for (auto ch : v.substr(hash + 2, v.size() - hash - 4))
    if (ch != '0' && ch != '1') return v;
  return v.substr(0, hash);
}

std::string first_rdn_value(const std::string& dn) {
  auto parsed = ldap::parse_dn(dn);
  if (!parsed || parsed->empty() || parsed->rdns().front().avas.empty()) return dn;
  return parsed->rdns().front().avas.front().value;
}

// Groups with the same name (two `Dev` in different OUs) get the values of
// their parent RDNs as far up as makes them differ ("Dev (Engineering)",
// "Dev (Sales)"); the platform keeps group names unique. Decided over every
// group the search finds, so a name does not depend on who is a member.
void disambiguate_names(DirectoryGroups& g) {
  std::unordered_map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < g.name.size(); ++i) by_name[ldap::fold_case(g.name[i])].push_back(i);
  for (auto& [folded, same] : by_name) {
    if (same.size() < 2) continue;
    std::vector<std::vector<std::string>> parents(same.size());
    std::size_t depth = 0;
    for (std::size_t k = 0; k < same.size(); ++k) {
      if (auto dn = ldap::parse_dn(g.dn[same[k]]))
        for (std::size_t r = 1; r < dn->rdns().size(); ++r)
          if (!dn->rdns()[r].avas.empty()) parents[k].push_back(dn->rdns()[r].avas.front().value);
      depth = std::max(depth, parents[k].size());
    }
    bool done = false;
    for (std::size_t level = 1; level <= depth && !done; ++level) {
      std::vector<std::string> names;
      std::set<std::string> distinct;
      for (std::size_t k = 0; k < same.size(); ++k) {
        std::string path;
        for (std::size_t r = 0; r < std::min(level, parents[k].size()); ++r) path += (r ? "/" : "") + parents[k][r];
        names.push_back(g.name[same[k]] + " (" + path + ")");
        distinct.insert(ldap::fold_case(names.back()));
      }
      if (distinct.size() == same.size()) {
        for (std::size_t k = 0; k < same.size(); ++k) g.name[same[k]] = names[k];
        done = true;
      }
    }
    if (!done)
      for (auto i : same) g.name[i] += " (" + g.id[i] + ")";
  }
}

Result<DirectoryGroups> read_groups(ldap::LdapDirectory& dir, const sync::SourceSpec& s, bool ad,
                                    std::vector<std::string>& warnings) {
  const json& c = s.config;
  const json& gc = c.at("groups");
  ldap::SearchRequest req;
  req.base_dn = gc.value("base_dn", c.at("base_dn").get<std::string>());
  const std::string scope = gc.value("scope", "sub");
  req.scope = scope == "base" ? ldap::SearchScope::Base
              : scope == "one" ? ldap::SearchScope::OneLevel : ldap::SearchScope::Subtree;
  req.filter = gc.value("filter", ad ? "(objectClass=group)"
                                     : "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)"
                                       "(objectClass=posixGroup))");
  req.page_size = c.value("page_size", 1000u);
  const std::string id_attr = gc.value("id", ad ? "objectGUID" : "entryUUID");
  const bool guid = iequals(id_attr, "objectGUID");
  req.attributes = {"member", "uniqueMember", "memberUid", id_attr};
  DirectoryGroups g;
  ldap::GroupGraph graph;
  std::vector<std::string> members;
  auto stats = dir.search(req, [&](ldap::LdapEntry& e) -> Status {
    auto id = e.first(id_attr);
    if (!id || id->empty())
      return fail(ErrorKind::Config, fmt::format("group {} has no {}", e.dn, id_attr), "source " + s.name, "",
                  fmt::format("groups are known by {} so that a renamed group stays the same group; set "
                              "sources.{}.groups.id to an attribute every group has",
                              id_attr, s.name));
    if (guid)
      if (auto text = ldap::format_object_guid(*id)) id = *text;
    members.clear();
    for (const char* attr : {"member", "uniqueMember"})
      if (const auto* values = e.find(attr))
        for (const auto& v : *values) members.push_back(ldap::canonical_dn(without_unique_id(v)));
    if (const auto* values = e.find("memberUid"))
      for (const auto& v : *values) {
        members.push_back(std::string(kUidKey) + ldap::fold_case(v));
        g.by_uid = true;
      }
    std::string key = ldap::canonical_dn(e.dn);
    if (graph.is_group(key))
      return fail(ErrorKind::Remote, fmt::format("the group search returned {} twice", e.dn), "source " + s.name);
    graph.add_group(key, members);
    g.dn.push_back(e.dn);
    g.id.push_back(std::move(*id));
    g.name.push_back(first_rdn_value(e.dn));
    return {};
  });
  if (!stats) {
    Error e = stats.error().error;
    e.message = "the group search (groups:) failed: " + e.message;
    return std::unexpected(e);
  }
  {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < g.id.size(); ++i)
      if (!ids.insert(g.id[i]).second)
        return fail(ErrorKind::Remote, fmt::format("two groups have {} {}", id_attr, g.id[i]), "source " + s.name,
                    "the groups.id attribute must differ between groups");
  }
  g.memberships = graph.memberships(gc.value("nested", true));
  if (g.dn.empty())
    warnings.push_back(fmt::format("the group search found no groups under {} with {}; nobody is in any group "
                                   "from it",
                                   req.base_dn, req.filter));
  std::unordered_map<std::string_view, std::string_view> dn_of;
  for (std::size_t i = 0; i < g.dn.size(); ++i) dn_of.emplace(g.memberships.groups[i], g.dn[i]);
  for (const auto& cycle : g.memberships.cycles) {
    std::string names;
    for (const auto& key : cycle) names += (names.empty() ? "" : "; ") + std::string(dn_of[key]);
    warnings.push_back(fmt::format("groups {} contain each other (a membership cycle); each of their members is a "
                                   "member of all of them",
                                   names));
  }
  disambiguate_names(g);
  return g;
}

// How an ldap source's job entry connects: URL, TLS, bind (the password
// read from its _env/_file/_command).
Result<ldap::LdapConnectionOptions> ldap_connection_of(const sync::SourceSpec& s, const SourceReadOptions& options) {
  const json& c = s.config;
  ldap::LdapConnectionOptions conn;
  conn.url = c.at("url").get<std::string>();
  conn.start_tls = c.value("starttls", false);
  conn.ca_file = resolve_path(options.base_dir, c.value("ca_file", ""));
  conn.require_certificate = !c.value("insecure", false);
  conn.bind_dn = c.value("bind_dn", "");
  if (c.contains("timeout")) conn.operation_timeout = std::chrono::seconds(c["timeout"].get<int>());
  auto password = read_secret(c, "bind_password", options.base_dir, "source " + s.name);
  if (!password) return std::unexpected(password.error());
  conn.bind_password = std::move(*password);
  return conn;
}

// The search of an ldap source's people: base, scope, filter, page size.
ldap::SearchRequest ldap_people_search_of(const sync::SourceSpec& s) {
  const json& c = s.config;
  const bool ad = c.value("flavor", "openldap") == "active_directory";
  ldap::SearchRequest req;
  req.base_dn = c.at("base_dn").get<std::string>();
  std::string scope = c.value("scope", "sub");
  req.scope = scope == "base" ? ldap::SearchScope::Base
              : scope == "one" ? ldap::SearchScope::OneLevel : ldap::SearchScope::Subtree;
  req.filter = c.value("filter", ad ? "(&(objectCategory=person)(objectClass=user))"
                                    : "(objectClass=inetOrgPerson)");
  req.page_size = c.value("page_size", 1000u);
  return req;
}

Result<hr::ReadReport> read_ldap(const sync::SourceSpec& s, const std::vector<std::string>& fields,
                                 const SourceReadOptions& options, const hr::RecordSink& out,
                                 std::vector<std::string>& warnings) {
  const json& c = s.config;
  auto connection = ldap_connection_of(s, options);
  if (!connection) return std::unexpected(connection.error());
  const ldap::LdapConnectionOptions& conn = *connection;
  const bool ad = c.value("flavor", "openldap") == "active_directory";
  ldap::SearchRequest req = ldap_people_search_of(s);
  std::vector<std::string> signals = ad ? std::vector<std::string>{"userAccountControl", "accountExpires"}
                                        : std::vector<std::string>{"pwdAccountLockedTime", "nsAccountLock",
                                                                   "shadowExpire"};
  const bool group_search = c.contains("groups");
  std::vector<std::string> wanted;  // the record's field names as the job spells them
  for (const auto& f : fields)
    if (f != "dn" && f != "disabled" && f != "disabled_reason" && !(group_search && f == "groups"))
      wanted.push_back(f);
  if (c.contains("attributes"))
    for (const auto& a : c["attributes"]) {
      std::string name = a.get<std::string>();
      if (std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return iequals(w, name); }))
        wanted.push_back(name);
    }
  req.attributes = wanted;
  for (const auto& sig : signals) req.attributes.push_back(sig);

  auto dir = ldap::connect_ldap(conn);
  if (!dir) return std::unexpected(dir.error().error);
  // Groups first: a user's groups go into its record as it is read.
  std::optional<DirectoryGroups> groups;
  if (group_search) {
    auto g = read_groups(**dir, s, ad, warnings);
    if (!g) return std::unexpected(g.error());
    groups = std::move(*g);
    if (groups->by_uid && std::none_of(req.attributes.begin(), req.attributes.end(),
                                       [](const auto& a) { return iequals(a, "uid"); }))
      req.attributes.push_back("uid");
  }
  std::vector<std::uint32_t> mine;
  hr::ReadReport report;
  Status entry_failure;
  // How each wanted attribute's values become text, decided once per search.
  enum class Decode { Text, Guid, Sid };
  std::vector<Decode> decode;
  decode.reserve(wanted.size());
  for (const auto& name : wanted)
    decode.push_back(iequals(name, "objectGUID") ? Decode::Guid : iequals(name, "objectSid") ? Decode::Sid : Decode::Text);
  // Per attribute of the entry: the record field its values were moved into
  // (-1: still in the entry). The same attribute wanted twice (two spellings
  // of its name) is copied from there.
  std::vector<std::ptrdiff_t> taken;
  // Which wanted attributes at least one entry had: an attribute the job
  // names that no entry has and attributes: does not list is a typo.
  std::vector<char> seen(wanted.size(), 0);
  auto convert = [&](ldap::LdapEntry& e, std::string_view uuid) -> Status {
    // The account state first: its attributes may also be mapped fields,
    // whose values are moved into the record below.
    Result<ldap::DisabledReason> reason = ldap::DisabledReason::None;
    if (ad) {
      ldap::AdAccountAttributes a;
      a.user_account_control = e.first("userAccountControl");
      a.account_expires = e.first("accountExpires");
      reason = ldap::ad_disabled_reason(a, options.now);
    } else {
      ldap::OpenLdapAccountAttributes a;
      a.pwd_account_locked_time = e.first("pwdAccountLockedTime");
      a.ns_account_lock = e.first("nsAccountLock");
      a.shadow_expire = e.first("shadowExpire");
      reason = ldap::openldap_disabled_reason(a, options.now);
    }
    if (!reason) {
      Error err = reason.error();
      err.object = e.dn;
      return std::unexpected(err);  // unreadable lock state: never guess "active"
    }
    hr::SourceRecord r;
    r.origin = conn.url + "/" + e.dn;
    r.fields.reserve(wanted.size() + (groups ? 6 : 3));
    r.add("dn", e.dn);
    if (groups) {
      // Before the values are moved out below: the uid is read here.
      const auto& of = groups->memberships.of_member;
      mine.clear();
      if (auto it = of.find(ldap::canonical_dn(e.dn)); it != of.end()) mine = it->second;
      if (groups->by_uid)
        if (const auto* uids = e.find("uid"))
          for (const auto& uid : *uids)
            if (auto it = of.find(std::string(kUidKey) + ldap::fold_case(uid)); it != of.end())
              mine.insert(mine.end(), it->second.begin(), it->second.end());
      std::sort(mine.begin(), mine.end());
      mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
      std::sort(mine.begin(), mine.end(), [&](auto a, auto b) { return groups->name[a] < groups->name[b]; });
      auto& dns = r.field("groups").values;
      auto& ids = r.field(sync::kGroupIdField).values;
      auto& names = r.field(sync::kGroupNameField).values;
      for (auto i : mine) {
        dns.push_back(groups->dn[i]);
        ids.push_back(groups->id[i]);
        names.push_back(groups->name[i]);
      }
    }
    taken.assign(e.attributes.size(), -1);
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const auto& name = wanted[i];
      auto& field = r.field(name);
      std::size_t at = 0;
      while (at < e.attributes.size() && !iequals(e.attributes[at].name, name)) ++at;
      if (at == e.attributes.size()) continue;
      seen[i] = 1;
      if (taken[at] >= 0) {
        field.values = r.fields[static_cast<std::size_t>(taken[at])].values;
        continue;
      }
      auto& values = e.attributes[at].values;
      if (decode[i] == Decode::Text) {
        field.values = std::move(values);  // the entry is not used after this call
        taken[at] = &field - r.fields.data();
        continue;
      }
      for (const auto& v : values) {
        if (decode[i] == Decode::Guid) {
          auto g = ldap::format_object_guid(v);
          field.values.push_back(g ? *g : v);
        } else if (decode[i] == Decode::Sid) {
          auto sid = ldap::format_object_sid(v);
          field.values.push_back(sid ? *sid : v);
        } else {
          field.values.push_back(v);
        }
      }
    }
    r.add("disabled", *reason == ldap::DisabledReason::None ? "false" : "true");
    if (*reason != ldap::DisabledReason::None) r.add("disabled_reason", ldap::to_string(*reason));
    ++report.records;
    if (options.changes && options.changes->on_uuid) options.changes->on_uuid(uuid, r);
    return out(std::move(r));
  };
  ldap::LdapResult<ldap::SearchStats> stats = ldap::SearchStats{};
  if (options.changes) {
    // The entryUUID comes with every entry of a content sync.
    auto synced = (*dir)->content_sync(req, options.changes->cookie, convert, [&](std::string_view uuid) -> Status {
      ++options.changes->deletes;
      return options.changes->on_delete ? options.changes->on_delete(uuid) : Status{};
    });
    if (!synced) {
      stats = std::unexpected(synced.error());
    } else {
      options.changes->new_cookie = synced->cookie;
      options.changes->stale = synced->stale;
      stats->entries = synced->entries;
    }
  } else {
    stats = (*dir)->search(req, [&](ldap::LdapEntry& e) { return convert(e, {}); });
  }
  if (!stats) {
    Error e = stats.error().error;
    // A generic hint only for errors without their own (a ranged attribute
    // served inconsistently has nothing to do with page_size).
    if (stats.error().failure == ldap::LdapFailure::Incomplete && e.hint.empty())
      e.hint = "the directory cut the result short; lower page_size or raise the server's limits";
    return std::unexpected(e);
  }
  report.pages = stats->pages;
  report.complete = true;
  // Checked on a complete read only: a directory with no entries at all is
  // the empty-source guard's to report.
  // A change set is a few entries: a field none of them has says nothing.
  const bool partial = options.changes && !options.changes->cookie.empty();
  if (report.records > 0 && !partial) {
    auto known = [&](std::string_view f) {
      for (const auto& d : s.declared_fields)
        if (iequals(d, f)) return true;
      for (const auto& sig : signals)
        if (iequals(sig, f)) return true;
      for (std::size_t i = 0; i < wanted.size(); ++i)
        if (seen[i] && iequals(wanted[i], f)) return true;
      return false;
    };
    std::vector<std::string> names;
    for (std::size_t i = 0; i < wanted.size(); ++i)
      if (seen[i]) names.push_back(wanted[i]);
    for (const auto& d : s.declared_fields) names.push_back(d);
    if (auto st = sync::check_fields(s, known, names,
                                     fmt::format("every one of the {} entries read", report.records));
        !st)
      return std::unexpected(st.error());
  }
  return report;
}

}  // namespace

Result<hr::CsvSourceOptions> csv_options(const sync::SourceSpec& s, const std::string& base_dir) {
  const json& c = s.config;
  hr::CsvSourceOptions o;
  o.path = resolve_path(base_dir, c.at("path").get<std::string>());
  auto enc = encoding_of(c);
  if (!enc) return std::unexpected(enc.error());
  o.encoding = *enc;
  std::string delim = c.value("delimiter", ",");
  o.delimiter = delim == "\\t" || delim == "\t" ? '\t' : delim.front();
  o.quote = c.value("quote", "\"").front();
  o.header = c.value("header", true);
  o.columns = c.value("columns", std::vector<std::string>{});
  o.ragged_rows = c.value("ragged", "error") == "tolerate" ? hr::RaggedRows::Tolerate : hr::RaggedRows::Error;
  o.key = s.key;
  return o;
}

Status check_csv_header(const sync::SourceSpec& s, const std::string& base_dir) {
  if (s.type != "csv") return {};
  auto o = csv_options(s, base_dir);
  if (!o) return std::unexpected(o.error());
  if (!o->columns.empty()) return {};  // load_job checked them
  if (::access(o->path.c_str(), R_OK) != 0) return {};  // not here: the header is not known
  auto columns = hr::read_csv_header(*o);
  if (!columns) return std::unexpected(columns.error());
  return sync::check_fields(
      s, [&](std::string_view f) { return std::find(columns->begin(), columns->end(), f) != columns->end(); },
      *columns, "the header of " + o->path);
}

Result<std::string> read_secret(const json& config, const std::string& prefix, const std::string& base_dir,
                                const std::string& object) {
  config::TokenSource src;
  src.origin = object;
  // "bind_password" -> "bind password file is empty", "bind_password_command failed".
  src.key = prefix;
  src.what = prefix;
  std::replace(src.what.begin(), src.what.end(), '_', ' ');
  if (config.contains(prefix + "_env")) {
    std::string var = config[prefix + "_env"].get<std::string>();
    const char* v = std::getenv(var.c_str());
    if (!v || !*v)
      return fail(ErrorKind::Config, "the secret's environment variable is not set", object,
                  prefix + "_env names " + var + ", which is empty or unset");
    if (auto ok = config::check_secret_text(v, src.what, prefix + "_env " + var + " of " + object); !ok)
      return std::unexpected(ok.error());
    return std::string(v);
  }
  if (config.contains(prefix + "_file")) {
    src.kind = config::TokenSource::Kind::File;
    src.value = resolve_path(base_dir, config[prefix + "_file"].get<std::string>());
  } else if (config.contains(prefix + "_command")) {
    src.kind = config::TokenSource::Kind::Command;
    src.value = config[prefix + "_command"].get<std::string>();
  } else {
    return std::string();
  }
  return config::read_token(src);
}

Result<SourceData> read_source(const sync::SourceSpec& s, const std::vector<std::string>& fields,
                               const SourceReadOptions& options) {
  SourceData data;
  data.name = s.name;
  auto started = Clock::now();
  const json& c = s.config;
  hr::RecordSink sink = options.on_record ? options.on_record : hr::RecordSink([&](hr::SourceRecord&& r) -> Status {
    data.records.push_back(std::move(r));
    return {};
  });
  Result<hr::ReadReport> report = hr::ReadReport{};
  if (s.type == "ldap") {
    report = read_ldap(s, fields, options, sink, data.warnings);
  } else if (s.type == "csv") {
    auto csv = csv_options(s, options.base_dir);
    if (!csv) return std::unexpected(source_error(s, csv.error()));
    hr::CsvSourceOptions& o = *csv;
    o.on_columns = [&s, path = o.path](const std::vector<std::string>& columns) -> Status {
      return sync::check_fields(
          s, [&](std::string_view f) { return std::find(columns.begin(), columns.end(), f) != columns.end(); },
          columns, "the header of " + path);
    };
    report = hr::read_csv_file(o, sink);
  } else if (s.type == "json") {
    hr::JsonSourceOptions o;
    o.path = resolve_path(options.base_dir, c.at("path").get<std::string>());
    std::string fmt_name = c.value("format", "");
    o.layout = fmt_name == "jsonl" ? hr::JsonLayout::Lines
               : fmt_name == "json" ? hr::JsonLayout::Document : hr::JsonLayout::Auto;
    o.records_pointer = c.value("records", "");
    FieldPresence presence(s);
    report = hr::read_json_file(o, [&](hr::SourceRecord&& r) -> Status {
      presence.see(r);
      return sink(std::move(r));
    });
    if (report && report->records > 0)
      if (auto st = presence.check("every record of " + o.path); !st) return std::unexpected(source_error(s, st.error()));
  } else if (s.type == "http_json") {
    hr::HttpJsonSourceOptions o;
    o.url = c.at("url").get<std::string>();
    o.records_pointer = c.value("records", "");
    if (c.contains("paging")) {
      const json& p = c["paging"];
      std::string style = p.value("style", "none");
      o.paging = style == "next_link" || style == "link_header" ? hr::HttpPaging::NextLink
                 : style == "page_number" ? hr::HttpPaging::PageNumber
                 : style == "cursor" ? hr::HttpPaging::Cursor : hr::HttpPaging::None;
      if (style == "next_link") o.next_pointer = p.value("next", "");
      if (style == "cursor") {
        o.cursor_pointer = p.value("next", "");
        o.cursor_parameter = p.value("param", "cursor");
      }
      if (style == "page_number") {
        o.page_parameter = p.value("param", "page");
        o.total_pages_pointer = p.value("total_pages", "");
      }
      o.page_size_parameter = p.value("page_size_param", "");
      o.page_size = p.value("page_size", 0);
      o.max_pages = p.value("max_pages", o.max_pages);
    }
    o.auth_header = c.value("auth_header", "Authorization");
    o.allowed_origins = c.value("allowed_origins", std::vector<std::string>{});
    auto secret = read_secret(c, "auth_value", options.base_dir, "source " + s.name);
    if (!secret) return std::unexpected(source_error(s, secret.error()));
    o.auth_value = std::move(*secret);
    if (!options.make_transport)
      return fail(ErrorKind::Internal, "no HTTP transport for http_json sources", "source " + s.name);
    auto transport = options.make_transport(resolve_path(options.base_dir, c.value("ca_file", "")));
    o.validators = options.http_validators;
    FieldPresence presence(s);
    hr::HttpReadOutcome outcome;
    report = hr::read_http_json(*transport, o, [&](hr::SourceRecord&& r) -> Status {
      presence.see(r);
      return sink(std::move(r));
    }, &outcome);
    data.not_modified = outcome.not_modified;
    data.http_validators = std::move(outcome.validators);
    if (report && report->records > 0)
      if (auto st = presence.check("every record of " + o.url); !st) return std::unexpected(source_error(s, st.error()));
  } else {
    return fail(ErrorKind::Config, "unknown source type " + s.type, "source " + s.name);
  }
  if (!report) return std::unexpected(source_error(s, report.error()));
  data.report = *report;
  data.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return data;
}

std::vector<std::string> local_source_files(const sync::JobSpec& job, const std::string& base_dir) {
  std::vector<std::string> out;
  for (const auto& source : job.sources)
    if ((source.type == "csv" || source.type == "json") && source.config.is_object() && source.config.contains("path") &&
        source.config["path"].is_string())
      out.push_back(resolve_path(base_dir, source.config["path"].get<std::string>()));
  return out;
}

Status follow_ldap_source(const sync::SourceSpec& source, const SourceReadOptions& options, const std::string& cookie,
                          const std::function<void()>& on_change, const std::function<void()>& on_live,
                          const std::function<bool()>& should_stop) {
  if (source.type != "ldap")
    return fail(ErrorKind::Usage, "only an ldap source can be followed", "source " + source.name);
  auto conn = ldap_connection_of(source, options);
  if (!conn) return std::unexpected(conn.error());
  // The search stays open: it is polled every second (for should_stop), not
  // bounded by the operation timeout, which covers the bind.
  auto dir = ldap::connect_ldap(*conn);
  if (!dir) return std::unexpected(dir.error().error);
  auto followed = (*dir)->follow_changes(ldap_people_search_of(source), cookie, on_change, on_live, should_stop);
  if (!followed) return std::unexpected(followed.error().error);
  return {};
}

}  // namespace daoctl::sources
