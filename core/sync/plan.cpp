#include "core/sync/plan.hpp"
#include "core/sync/photo_store.hpp"

#include "core/sync/values.hpp"
#include "core/mapping/unicode.hpp"
#include "core/text/ascii.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace daoctl::sync {

using nlohmann::json;

namespace {


// "Company / IT/Backend" with separator "/" -> "Company/IT/Backend"; "" when empty.
std::string normalize_path(const std::string& raw, const std::string& sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = raw.find(sep, start);
    auto part = text::trim_ascii(std::string_view(raw).substr(start, pos == std::string::npos ? pos : pos - start));
    if (!part.empty()) parts.emplace_back(part);
    if (pos == std::string::npos) break;
    start = pos + sep.size();
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}



int depth_of(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

mapping::Value value_from_json(const json& j) {
  if (j.is_null()) return {};
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_array()) return j.get<mapping::List>();
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

json value_to_json(const mapping::Value& v) {
  json j;
  mapping::to_json(j, v);
  return j;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

constexpr std::string_view kManagedByPrefix = "daoctl:";

// When two userNames or e-mails are "the same" for the platform: equal after
// simple Unicode case folding (one code point to one, mapping::unicode::to_lower:
// Latin, Latin-1, Latin Extended-A, Cyrillic), so Ёлкин@x is ёлкин@x and ÉMILE
// is émile, but STRASSE is not straße (full folding would make ß "ss"; the
// platform's unique index, like SQL lower(), does not). ASCII takes a fast path.
char32_t next_folded(std::string_view s, std::size_t& i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return static_cast<unsigned char>(text::lower_ascii(static_cast<char>(c)));
  }
  return mapping::unicode::to_lower(mapping::unicode::decode(s, i));
}

// The folded form as a string, for the indexes keyed by value.
std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out.push_back(text::lower_ascii(s[i++]));
      continue;
    }
    mapping::unicode::append_utf8(out, next_folded(s, i));
  }
  return out;
}

// Case-insensitive (folded, as above) hashing and equality for views: the
// unique-value checks run on every plan and allocate no folded copies.
// (Not noexcept on purpose: libstdc++ then caches each node's hash instead
// of hashing every node of a bucket again on each lookup: 2x faster here.)
struct CiHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    std::size_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < s.size();) {
      h ^= next_folded(s, i);
      h *= 1099511628211ull;
    }
    return h;
  }
};
struct CiEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size())
      if (next_folded(a, i) != next_folded(b, j)) return false;
    return i == a.size() && j == b.size();
  }
};

// userName order: case-insensitive, then exact (so the order is total).
bool name_less(std::string_view a, std::string_view b) {
  const auto n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    char x = text::lower_ascii(a[i]), y = text::lower_ascii(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  }
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::string_view first_view(const mapping::Value& v) {
  if (const auto* s = v.string()) return *s;
  if (const auto* l = v.list()) return l->empty() ? std::string_view() : std::string_view(l->front());
  return {};
}

std::string_view email_of(const Fields& fields) {
  auto it = fields.find("email");
  return it == fields.end() ? std::string_view() : first_view(it->second);
}

// JSON-style quoting: "O\"Brien", so a value with quotes reads one way only.
std::string quote_json(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// "ivanov", 2 -> "ivanov2"; "ivanov@corp.example", 2 -> "ivanov2@corp.example".
std::string with_suffix(std::string_view value, long n) {
  auto at = value.rfind('@');
  if (at == std::string_view::npos) return std::string(value) + std::to_string(n);
  return std::string(value.substr(0, at)) + std::to_string(n) + std::string(value.substr(at));
}

// Whether `have` is with_suffix(value, n) for some n >= 2, ignoring case.
bool is_suffixed_form(std::string_view have, std::string_view value) {
  auto split = [](std::string_view v) {
    auto at = v.rfind('@');
    return at == std::string_view::npos ? std::pair(v, std::string_view()) : std::pair(v.substr(0, at), v.substr(at));
  };
  auto [hl, hd] = split(have);
  auto [vl, vd] = split(value);
  if (!CiEq{}(hd, vd) || hl.size() <= vl.size() || !CiEq{}(hl.substr(0, vl.size()), vl)) return false;
  auto digits = hl.substr(vl.size());
  if (digits.front() == '0' || digits == "1") return false;
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string group_external_id(const std::string& managed_by, const std::string& key) {
  return managed_by + ":group-id:" + key;
}

namespace {

const char* department_kind(DepartmentAction::Kind k) {
  return k == DepartmentAction::Kind::Create ? "create" : "delete";
}

const char* group_kind(GroupAction::Kind k) {
  switch (k) {
    case GroupAction::Kind::Create: return "create";
    case GroupAction::Kind::AddMembers: return "add_members";
    case GroupAction::Kind::RemoveMembers: return "remove_members";
    case GroupAction::Kind::Rename: return "rename";
    case GroupAction::Kind::Link: return "link";
  }
  return "create";
}

}  // namespace

std::string photo_sha256(std::string_view bytes) { return sha256_hex(bytes); }

PhotoBytes take_photo_bytes(const SyncPlan& plan, std::vector<DesiredUser>& desired) {
  PhotoBytes out;
  if (plan.photos.empty()) return out;
  std::unordered_set<std::string> wanted;
  for (const auto& ph : plan.photos) wanted.insert(ph.external_id);
  for (auto& d : desired) {
    if (!wanted.count(d.external_id) || out.count(d.external_id)) continue;
    if (d.stored_photo) {
      out.emplace(d.external_id, HeldPhoto{{}, std::move(d.stored_photo)});
      d.stored_photo.reset();
      continue;
    }
    auto it = d.fields.find("photo");
    if (it == d.fields.end()) continue;
    std::string bytes;
    if (auto* s = std::get_if<std::string>(&it->second.data)) bytes = std::move(*s);
    else if (auto* l = std::get_if<mapping::List>(&it->second.data); l && !l->empty()) bytes = std::move(l->front());
    it->second = mapping::Value();
    if (!bytes.empty()) out.emplace(d.external_id, HeldPhoto{std::move(bytes), std::nullopt});
  }
  return out;
}

const char* to_string(UserActionKind kind) {
  switch (kind) {
    case UserActionKind::Create: return "create";
    case UserActionKind::Update: return "update";
    case UserActionKind::Link: return "link";
    case UserActionKind::Deactivate: return "deactivate";
    case UserActionKind::Reactivate: return "reactivate";
  }
  return "update";
}

const std::string& FieldName::intern(std::string_view name) {
  // Each thread remembers the names it has seen (a job has a few dozen), so
  // the shared table and its lock are met once per name and thread, not once
  // per field of every user.
  thread_local std::vector<const std::string*> seen;
  for (const std::string* s : seen)
    if (*s == name) return *s;
  static std::mutex lock;
  static std::unordered_set<std::string> names;  // nodes: stable addresses
  std::lock_guard guard(lock);
  auto it = names.emplace(name).first;
  seen.push_back(&*it);
  return *it;
}

std::string PlatformState::fingerprint() const {
  // The sorted lines "u:<id>:<version>" (and d:, g:), hashed. Written into
  // one buffer and sorted as views: no string per object.
  std::string rows;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // offset, length
  spans.reserve(users.size() + departments.size() + groups.size());
  auto add = [&](char kind, const std::string& id, const std::string& version) {
    auto at = rows.size();
    rows += kind;
    rows += ':';
    rows += id;
    rows += ':';
    rows += version;
    spans.emplace_back(at, rows.size() - at);
  };
  for (const auto& u : users) add('u', u.id, u.version);
  for (const auto& d : departments) add('d', d.id, d.version);
  for (const auto& g : groups) add('g', g.id, g.version);
  auto view = [&](const std::pair<std::size_t, std::size_t>& s) { return std::string_view(rows).substr(s.first, s.second); };
  std::sort(spans.begin(), spans.end(), [&](const auto& a, const auto& b) { return view(a) < view(b); });
  std::string all;
  all.reserve(rows.size() + spans.size());
  for (const auto& span : spans) {
    all += view(span);
    all += '\n';
  }
  return "sha256:" + sha256_hex(all);
}

bool SyncPlan::has_changes() const {
  return !departments.empty() || !users.empty() || !managers.empty() || !photos.empty() || !groups.empty();
}

long SyncPlan::count(UserActionKind kind) const {
  return std::count_if(users.begin(), users.end(), [&](const auto& a) { return a.kind == kind; });
}

long SyncPlan::adoptions() const {
  return std::count_if(users.begin(), users.end(), [](const auto& a) { return !a.adopted_from.empty(); });
}

bool Collision::unresolved() const {
  return std::any_of(parties.begin(), parties.end(), [](const auto& p) { return p.outcome == "left_out"; });
}

long SyncPlan::unresolved_collisions() const {
  long n = 0;
  for (const auto& c : collisions)
    for (const auto& p : c.parties) n += p.outcome == "left_out";
  return n;
}

namespace {

json collision_to_json(const Collision& c) {
  json parties = json::array();
  for (const auto& p : c.parties) {
    json o = {{"externalId", p.external_id}, {"userName", p.user_name}, {"id", p.id}, {"origin", p.origin},
              {"outcome", p.outcome}};
    if (!p.new_value.empty()) o["new_value"] = p.new_value;
    parties.push_back(std::move(o));
  }
  return {{"field", c.field}, {"value", c.value}, {"resolution", c.resolution}, {"parties", parties}};
}

}  // namespace

json SyncPlan::summary_json() const {
  long dcreate = 0, ddelete = 0, gcreate = 0, gadd = 0, gremove = 0;
  for (const auto& d : departments) (d.kind == DepartmentAction::Kind::Create ? dcreate : ddelete)++;
  long grename = 0, glink = 0;
  for (const auto& g : groups) {
    if (g.kind == GroupAction::Kind::Rename || g.kind == GroupAction::Kind::Link) {
      ++(g.kind == GroupAction::Kind::Rename ? grename : glink);
      continue;
    }
    (g.kind == GroupAction::Kind::Create ? gcreate
     : g.kind == GroupAction::Kind::AddMembers ? gadd : gremove) +=
        g.kind == GroupAction::Kind::Create ? 1 : static_cast<long>(g.members.size());
  }
  return {
      {"departments", {{"create", dcreate}, {"delete", ddelete}}},
      {"users",
       {{"create", count(UserActionKind::Create)}, {"update", count(UserActionKind::Update)},
        {"link", count(UserActionKind::Link)}, {"deactivate", count(UserActionKind::Deactivate)},
        {"reactivate", count(UserActionKind::Reactivate)}, {"unchanged", unchanged_users},
        {"managed_before", managed_users}, {"adopt", adoptions()},
        {"other_jobs", static_cast<long>(other_jobs.size())}}},
      {"collisions", {{"total", static_cast<long>(collisions.size())}, {"left_out", unresolved_collisions()}}},
      {"managers", {{"set", static_cast<long>(managers.size())}}},
      {"photos", {{"upload", static_cast<long>(photos.size())}}},
      {"groups", {{"create", gcreate}, {"add", gadd}, {"remove", gremove}, {"rename", grename}, {"link", glink}}},
      {"warnings", static_cast<long>(warnings.size())},
  };
}

json SyncPlan::to_json() const {
  json j;
  j["version"] = 1;
  j["job"] = job;
  j["target"] = target;
  j["created_at"] = created_at;
  j["platform_fingerprint"] = platform_fingerprint;
  j["sources"] = json::object();
  for (const auto& [name, n] : source_records) j["sources"][name] = {{"records", n}};
  json deps = json::array();
  for (const auto& d : departments) {
    json o = {{"action", department_kind(d.kind)}, {"path", d.path}, {"name", d.name},
              {"parent", d.parent_path}};
    if (!d.id.empty()) o["id"] = d.id;
    deps.push_back(o);
  }
  json users_json = json::array();
  for (const auto& u : users) {
    json o = {{"action", to_string(u.kind)}, {"externalId", u.external_id}, {"userName", u.user_name}};
    if (!u.id.empty()) o["id"] = u.id;
    if (!u.reason.empty()) o["reason"] = u.reason;
    if (!u.adopted_from.empty()) o["adopted_from"] = u.adopted_from;
    if (!u.department.empty()) o["department"] = u.department;
    json changes = json::array();
    for (const auto& c : u.changes)
      changes.push_back({{"field", c.field}, {"before", value_to_json(c.before)},
                         {"after", value_to_json(c.after)}});
    o["changes"] = changes;
    users_json.push_back(o);
  }
  json managers_json = json::array();
  for (const auto& m : managers)
    managers_json.push_back({{"externalId", m.external_id}, {"userName", m.user_name}, {"id", m.user_id},
                             {"before", m.before_id}, {"before_userName", m.before_user_name},
                             {"after_externalId", m.after_external_id}, {"after", m.after_id},
                             {"after_userName", m.after_user_name}});
  json photos_json = json::array();
  for (const auto& ph : photos)
    photos_json.push_back({{"externalId", ph.external_id},
                           {"userName", ph.user_name},
                           {"id", ph.user_id},
                           {"before_sha256", ph.before_sha256.empty() ? json(nullptr) : json(ph.before_sha256)},
                           {"after_sha256", ph.after_sha256},
                           {"after_size", ph.after_size}});
  json groups_json = json::array();
  for (const auto& g : groups) {
    groups_json.push_back({{"action", group_kind(g.kind)},
                           {"name", g.name},
                           {"id", g.id},
                           {"members", g.members},
                           {"member_userNames", g.member_names}});
    if (!g.external_id.empty()) groups_json.back()["externalId"] = g.external_id;
    if (!g.before_name.empty()) groups_json.back()["before"] = g.before_name;
  }
  json warnings_json = json::array();
  for (const auto& w : warnings) warnings_json.push_back({{"object", w.object}, {"message", w.message}});
  j["summary"] = summary_json();
  j["departments"] = deps;
  j["users"] = users_json;
  j["managers"] = managers_json;
  j["photos"] = photos_json;
  j["groups"] = groups_json;
  j["warnings"] = warnings_json;
  if (!joins.empty()) j["joins"] = joins;
  json collisions_json = json::array();
  for (const auto& c : collisions) collisions_json.push_back(collision_to_json(c));
  j["collisions"] = collisions_json;
  json other_json = json::array();
  for (const auto& o : other_jobs)
    other_json.push_back({{"externalId", o.external_id}, {"userName", o.user_name}, {"id", o.id}, {"job", o.job}});
  j["other_jobs"] = other_json;
  j["hash"] = hash();
  return j;
}

std::string SyncPlan::hash() const {
  // Hash the content without the volatile members (created_at, warnings).
  json j;
  j["job"] = job;
  j["target"] = target;
  j["fingerprint"] = platform_fingerprint;
  json body = json::array();
  for (const auto& d : departments) body.push_back({department_kind(d.kind), d.path, d.id});
  for (const auto& u : users) {
    json changes = json::array();
    for (const auto& c : u.changes)
      changes.push_back({c.field, value_to_json(c.before), value_to_json(c.after)});
    json row = {to_string(u.kind), u.id, u.external_id, u.user_name, u.reason, changes};
    if (!u.adopted_from.empty()) row.push_back({{"adopted_from", u.adopted_from}});
    // Only when known, so that a plan saved before users named their
    // department keeps its hash.
    if (!u.department.empty()) row.push_back({{"department", u.department}});
    body.push_back(std::move(row));
  }
  for (const auto& m : managers)
    body.push_back({"manager", m.external_id, m.user_id, m.before_id, m.after_external_id, m.after_id});
  for (const auto& ph : photos)
    body.push_back({"photo", ph.external_id, ph.user_id, ph.before_sha256, ph.after_sha256, ph.after_size});
  for (const auto& g : groups) {
    body.push_back({group_kind(g.kind), g.name, g.id, g.members});
    // Only groups known by id have these, so other plans keep their hash.
    if (!g.external_id.empty() || !g.before_name.empty()) body.back().push_back({g.external_id, g.before_name});
  }
  // Collisions decide who is left out: part of what this plan is. (Only
  // when there are any, so plans without them keep their hash.)
  if (!collisions.empty()) {
    json cj = json::array();
    for (const auto& c : collisions) cj.push_back(collision_to_json(c));
    j["collisions"] = cj;
  }
  j["body"] = body;
  return "sha256:" + sha256_hex(j.dump());
}

Result<SyncPlan> SyncPlan::from_json(const json& doc) {
  try {
    SyncPlan p;
    if (doc.value("version", 0) != 1)
      return fail(ErrorKind::Config, "unsupported plan file", "/version", "expected version 1");
    p.job = doc.at("job").get<std::string>();
    p.target = doc.at("target").get<std::string>();
    p.created_at = doc.value("created_at", "");
    p.platform_fingerprint = doc.at("platform_fingerprint").get<std::string>();
    for (const auto& [name, s] : doc.at("sources").items()) p.source_records[name] = s.at("records");
    for (const auto& d : doc.at("departments"))
      p.departments.push_back({d.at("action") == "create" ? DepartmentAction::Kind::Create
                                                          : DepartmentAction::Kind::Delete,
                               d.at("path"), d.at("name"), d.at("parent"), d.value("id", "")});
    for (const auto& u : doc.at("users")) {
      UserAction a;
      std::string kind = u.at("action");
      for (auto k : {UserActionKind::Create, UserActionKind::Update, UserActionKind::Link,
                     UserActionKind::Deactivate, UserActionKind::Reactivate})
        if (kind == to_string(k)) a.kind = k;
      a.id = u.value("id", "");
      a.external_id = u.at("externalId");
      a.user_name = u.at("userName");
      a.reason = u.value("reason", "");
      a.adopted_from = u.value("adopted_from", "");
      a.department = u.value("department", "");
      for (const auto& c : u.at("changes"))
        a.changes.push_back({c.at("field"), value_from_json(c.at("before")), value_from_json(c.at("after"))});
      p.users.push_back(std::move(a));
    }
    for (const auto& m : doc.at("managers"))
      p.managers.push_back({m.at("externalId"), m.at("id"), m.at("before"), m.at("after_externalId"),
                            m.at("after"), m.value("userName", ""), m.value("before_userName", ""),
                            m.value("after_userName", "")});
    // Plans saved before photos were synced have no "photos".
    if (doc.contains("photos"))
      for (const auto& ph : doc.at("photos")) {
        const auto& before = ph.at("before_sha256");
        p.photos.push_back({ph.at("externalId"), ph.at("id"), ph.at("userName"),
                            before.is_null() ? std::string() : before.get<std::string>(), ph.at("after_sha256"),
                            ph.at("after_size").get<long>()});
      }
    for (const auto& g : doc.at("groups")) {
      GroupAction a;
      std::string kind = g.at("action");
      a.kind = kind == "create" ? GroupAction::Kind::Create
               : kind == "add_members" ? GroupAction::Kind::AddMembers
               : kind == "rename" ? GroupAction::Kind::Rename
               : kind == "link" ? GroupAction::Kind::Link
                                       : GroupAction::Kind::RemoveMembers;
      a.external_id = g.value("externalId", "");
      a.before_name = g.value("before", "");
      a.name = g.at("name");
      a.id = g.at("id");
      a.members = g.at("members").get<std::vector<std::string>>();
      a.member_names = g.value("member_userNames", std::vector<std::string>{});
      p.groups.push_back(std::move(a));
    }
    for (const auto& w : doc.at("warnings")) p.warnings.push_back({w.at("object"), w.at("message")});
    if (doc.contains("joins")) p.joins = doc["joins"];
    // Plans saved before collisions and other jobs were checked have neither.
    if (doc.contains("collisions"))
      for (const auto& c : doc.at("collisions")) {
        Collision col{c.at("field"), c.at("value"), c.at("resolution"), {}};
        for (const auto& q : c.at("parties"))
          col.parties.push_back({q.at("externalId"), q.at("userName"), q.at("id"), q.at("origin"), q.at("outcome"),
                                 q.value("new_value", "")});
        p.collisions.push_back(std::move(col));
      }
    if (doc.contains("other_jobs"))
      for (const auto& o : doc.at("other_jobs"))
        p.other_jobs.push_back({o.at("externalId"), o.at("userName"), o.at("id"), o.at("job")});
    p.unchanged_users = doc.at("summary").at("users").at("unchanged");
    p.managed_users = doc.at("summary").at("users").at("managed_before");
    if (doc.contains("hash") && doc["hash"] != p.hash())
      return fail(ErrorKind::Config, "the plan file was edited after it was made", "/hash",
                  "its hash does not match its content", "make a new plan with daoctl sync plan --out");
    return p;
  } catch (const json::exception& e) {
    return fail(ErrorKind::Config, "malformed plan file", "", e.what());
  }
}

namespace {

// One entry per desired external id (the first user with it wins): the
// platform user it matched (after linking), whether the plan creates or
// may touch it, and the userName the plan gives it. One hash table instead
// of three keeps a no-op plan of 100k users cheap.
struct Seen {
  const PlatformUser* matched = nullptr;
  bool acted = false;
  bool leaving = false;    // deactivated or created inactive: no photo upload
  bool unchanged = false;  // counted in unchanged_users
  std::uint32_t index = 0;  // in `desired`
  std::string_view name;    // the userName this plan gives it
};

// A desired user that phase 1 kept (not a duplicate, not another job's).
struct Entry {
  const DesiredUser* d = nullptr;
  const PlatformUser* cur = nullptr;
  Seen* slot = nullptr;            // element of `seen`: stable across rehashing
  std::string_view adopted_from;   // a view of cur->managed_by
  std::uint8_t flags = 0;
};

// compute_plan, phase by phase. The members are what the phases share: the
// inputs, the indexes over them, the entries table and the plan being built.
// compute_plan calls the phases in order; each reads what the phases before
// it left here. Indexes and keys are views of strings in `desired` and
// `current`, which outlive the planner (no copy of per-user data).
class Planner {
 public:
  Planner(const std::vector<DesiredUser>& desired, const PlatformState& current, const PlanOptions& opt);

  void departments();
  void match_accounts();
  void unique_values();
  void user_actions();
  void missing_accounts();
  void manager_cycles();
  void managers();
  void photos();
  void group_memberships();
  void reviewable_order();
  void department_deletions();

  SyncPlan take() { return std::move(plan_); }

 private:
  class UniqueCheck;
  class GroupPhase;

  static constexpr std::uint8_t kLink = 1, kSkip = 2, kKeepName = 4, kKeepEmail = 8;

  bool link_by(const char* what) const {
    return std::find(opt_.link_by.begin(), opt_.link_by.end(), what) != opt_.link_by.end();
  }
  // What the target keeps of a department path: the platform a department
  // (compared by path), a SCIM service the text of Enterprise "department".
  std::string stored_department(const std::string& path) const {
    return platform_ || !opt_.scim_department_leaf ? path : leaf_of(path);
  }
  bool acted(std::string_view ext) const {
    auto it = seen_.find(ext);
    return it != seen_.end() && it->second.acted;
  }
  const PlatformUser* matched(std::string_view ext) const {
    auto it = seen_.find(ext);
    return it == seen_.end() ? nullptr : it->second.matched;
  }
  using UsersByKey = std::unordered_map<std::string, std::vector<const PlatformUser*>>;
  UsersByKey& by_name() {
    build_name_indexes();
    return by_name_index_;
  }
  UsersByKey& by_email() {
    build_name_indexes();
    return by_email_index_;
  }
  void build_name_indexes();
  std::unordered_map<std::string_view, const PlatformUser*>& by_id();
  std::string name_of_id(const std::string& id);
  std::string name_of_ext(std::string_view ext) const;

  bool link_candidate(const DesiredUser& d, Entry& e);
  void plan_create(Entry& e, UserAction& action, const std::string* new_email);
  void plan_update(Entry& e, UserAction& action, const std::string* new_email);

  const std::vector<DesiredUser>& desired_;
  const PlatformState& current_;
  const PlanOptions& opt_;
  const bool platform_;
  SyncPlan plan_;

  // Hash indexes; the name and e-mail ones are only needed when someone is
  // created or linked, so a no-op plan over 100k users never builds them.
  // Keys are views of strings in `desired` and `current`, which outlive the
  // plan's computation: no copy of 100k ids per index.
  std::unordered_map<std::string_view, const PlatformUser*> by_ext_;
  UsersByKey by_name_index_, by_email_index_;
  bool name_indexes_built_ = false;
  // Platform accounts by id, for naming people by userName (built once, only
  // when a manager or a group changes).
  std::unordered_map<std::string_view, const PlatformUser*> by_id_index_;

  std::unordered_map<const DesiredUser*, std::string> path_of_;  // normalized department paths
  std::set<std::string> wanted_paths_;                           // and every prefix of them
  std::unordered_map<std::string_view, Seen> seen_;
  std::vector<Entry> entries_;
  std::vector<std::int32_t> entry_of_account_;                  // by index in current.users
  std::unordered_map<std::uint32_t, std::string> renamed_[2];   // entry -> new userName / email
  std::vector<char> platform_matched_;                           // by index in current.users
  std::unordered_map<std::uint32_t, std::uint32_t> cycle_of_;    // desired index -> cycles_[]
  std::vector<std::string> cycles_;
};

Planner::Planner(const std::vector<DesiredUser>& desired, const PlatformState& current, const PlanOptions& opt)
    : desired_(desired), current_(current), opt_(opt), platform_(opt.target == TargetKind::Platform) {
  plan_.job = opt.job;
  plan_.target = platform_ ? "platform" : "scim";
  plan_.platform_fingerprint = current.fingerprint();
  by_ext_.reserve(current.users.size());
  for (const auto& u : current.users) {
    if (!u.external_id.empty()) by_ext_[u.external_id] = &u;
    if (u.managed_by == opt.managed_by) ++plan_.managed_users;
  }
}

void Planner::build_name_indexes() {
  if (name_indexes_built_) return;
  name_indexes_built_ = true;
  for (const auto& u : current_.users) {
    by_name_index_[fold(u.user_name)].push_back(&u);
    auto it = u.fields.find("email");
    if (it != u.fields.end()) by_email_index_[fold(first_string(it->second))].push_back(&u);
  }
}

std::unordered_map<std::string_view, const PlatformUser*>& Planner::by_id() {
  if (by_id_index_.empty() && !current_.users.empty()) {
    by_id_index_.reserve(current_.users.size());
    for (const auto& u : current_.users) by_id_index_[u.id] = &u;
  }
  return by_id_index_;
}

std::string Planner::name_of_id(const std::string& id) {
  if (id.empty()) return {};
  auto it = by_id().find(id);
  return it == by_id().end() ? std::string() : it->second->user_name;
}

std::string Planner::name_of_ext(std::string_view ext) const {
  if (auto it = seen_.find(ext); it != seen_.end() && (it->second.acted || it->second.matched))
    return std::string(it->second.name);
  if (auto it = by_ext_.find(ext); it != by_ext_.end()) return it->second->user_name;
  return {};
}

// Departments: every prefix of every desired path must exist.
void Planner::departments() {
  std::map<std::string, const PlatformDepartment*> dept_by_path;
  for (const auto& d : current_.departments) dept_by_path[d.path] = &d;
  path_of_.reserve(desired_.size());
  for (const auto& d : desired_) {
    auto it = d.fields.find("department");
    if (it == d.fields.end()) continue;
    std::string path = normalize_path(first_string(it->second), opt_.department_separator);
    path_of_[&d] = path;
    for (std::string p = path; !p.empty(); p = parent_of(p)) wanted_paths_.insert(p);
  }
  if (platform_) {
    std::vector<std::string> missing;
    for (const auto& p : wanted_paths_)
      if (!dept_by_path.count(p)) missing.push_back(p);
    std::stable_sort(missing.begin(), missing.end(),
                     [](const auto& a, const auto& b) { return depth_of(a) < depth_of(b); });
    for (const auto& p : missing)
      plan_.departments.push_back({DepartmentAction::Kind::Create, p, leaf_of(p), parent_of(p), ""});
  }
}

// 1. Which account each employee is: by externalId, else linked; an
// account another daoctl job manages is left alone unless adopted.
void Planner::match_accounts() {
  seen_.reserve(desired_.size());
  entries_.reserve(desired_.size());
  for (std::uint32_t i = 0; i < desired_.size(); ++i) {
    const DesiredUser& d = desired_[i];
    auto [slot, fresh] = seen_.try_emplace(d.external_id);
    if (!fresh) {
      plan_.warnings.push_back({"user " + d.user_name,
                                "externalId '" + d.external_id + "' appears twice in the sources (" +
                                    d.origin + "); only the first is synced"});
      continue;
    }
    slot->second.index = i;
    slot->second.name = d.user_name;
    Entry e;
    e.d = &d;
    e.slot = &slot->second;
    if (auto it = by_ext_.find(d.external_id); it != by_ext_.end()) e.cur = it->second;
    if (!e.cur && (link_by("email") || link_by("userName")) && !link_candidate(d, e)) continue;
    if (e.cur && e.cur->managed_by != opt_.managed_by && e.cur->managed_by.starts_with(kManagedByPrefix)) {
      std::string_view other = std::string_view(e.cur->managed_by).substr(kManagedByPrefix.size());
      if (!opt_.adopt_from.count(other)) {
        plan_.other_jobs.push_back({d.external_id, d.user_name, e.cur->id, std::string(other)});
        continue;
      }
      e.adopted_from = other;
    }
    entries_.push_back(e);
  }
}

// The account `d` links to by userName or e-mail, into `e` (none: e.cur stays
// null). False when it cannot link (several matches, or the match has
// another externalId): a warning says so and `d` is not synced.
bool Planner::link_candidate(const DesiredUser& d, Entry& e) {
  std::set<const PlatformUser*> candidates;
  if (link_by("userName"))
    for (auto* u : by_name()[fold(d.user_name)]) candidates.insert(u);
  auto email = d.fields.find("email");
  if (link_by("email") && email != d.fields.end())
    for (auto* u : by_email()[fold(first_string(email->second))]) candidates.insert(u);
  if (candidates.size() > 1) {
    std::string ids;
    for (auto* u : candidates) ids += (ids.empty() ? "" : ", ") + u->id + " (" + u->user_name + ")";
    plan_.warnings.push_back({"user " + d.user_name,
                              "cannot link: several platform accounts match (" + ids +
                                  "); link one by setting its externalId to '" + d.external_id + "'"});
    return false;
  }
  if (candidates.size() == 1) {
    const PlatformUser* c = *candidates.begin();
    if (!c->external_id.empty()) {
      plan_.warnings.push_back({"user " + d.user_name,
                                "cannot link: the matching platform account " + c->id +
                                    " already has externalId '" + c->external_id + "'"});
      return false;
    }
    e.cur = c;
    e.flags |= kLink;
  }
  return true;
}

// 2., one field at a time (userName, then e-mail); the indexes of a field
// live as long as its check.
class Planner::UniqueCheck {
 public:
  UniqueCheck(Planner& p, int f) : p_(p), f_(f), res_(f == 0 ? p.opt_.unique_user_name : p.opt_.unique_email) {}
  void run();

 private:
  struct Group {
    std::vector<std::uint32_t> wants;
    std::vector<const PlatformUser*> holders;
  };

  std::string_view wanted(const Entry& e) const {
    if (e.flags & kSkip) return {};
    return f_ == 0 ? std::string_view(e.d->user_name) : email_of(e.d->fields);
  }
  std::string_view held(const PlatformUser& u) const {
    return f_ == 0 ? std::string_view(u.user_name) : email_of(u.fields);
  }
  bool find_groups();
  bool taken(const std::string& v);
  CollisionParty party_of(std::uint32_t i, const char* outcome) const {
    const Entry& e = p_.entries_[i];
    return CollisionParty{e.d->external_id, e.d->user_name, e.cur ? e.cur->id : "", e.d->origin, outcome, ""};
  }
  void resolve(std::string_view value, const Group& group);
  void sort_holders(const Group& group, const Collision& c, std::vector<std::uint32_t>& keepers,
                    std::vector<CollisionParty>& holders, bool& hard, bool& freed) const;
  void settle(Collision& c, std::string_view value, std::uint32_t other, bool deferred);

  Planner& p_;
  const int f_;
  const UniqueResolution res_;
  std::unordered_map<std::string_view, std::uint32_t, CiHash, CiEq> first_want_;
  std::unordered_map<std::string_view, Group, CiHash, CiEq> groups_;
  std::unordered_set<std::string_view, CiHash, CiEq> platform_values_;  // built on the first suffix
  std::unordered_set<std::string> given_;                               // folded suffixed values
};

// 2. Values the target keeps unique (userName, e-mail): every collision
// between employees, or with an account no employee of this job maps to,
// is found here rather than as 409s at apply. A no-op plan pays one hash
// table and one lookup per account and field.
void Planner::unique_values() {
  entry_of_account_.assign(current_.users.size(), -1);
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].cur) entry_of_account_[static_cast<std::size_t>(entries_[i].cur - current_.users.data())] =
        static_cast<std::int32_t>(i);
  for (int f = 0; f < 2; ++f) UniqueCheck(*this, f).run();
}

// The values wanted twice, or wanted by one and held by another account,
// as empty groups; false when there are none (the common case).
bool Planner::UniqueCheck::find_groups() {
  const auto& entries = p_.entries_;
  first_want_.reserve(entries.size());
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    auto v = wanted(entries[i]);
    if (v.empty()) continue;
    if (!first_want_.try_emplace(v, i).second) groups_.try_emplace(v);
  }
  for (std::size_t ui = 0; ui < p_.current_.users.size(); ++ui) {
    const auto& u = p_.current_.users[ui];
    auto v = held(u);
    if (v.empty()) continue;
    // The common case: the account's employee wants the value it has. If
    // anyone else wants it too, the loop above has its group already.
    if (const auto ei = p_.entry_of_account_[ui];
        ei >= 0 && CiEq{}(v, wanted(entries[static_cast<std::size_t>(ei)])))
      continue;
    auto it = first_want_.find(v);
    if (it != first_want_.end() && entries[it->second].cur != &u) groups_.try_emplace(v);
  }
  return !groups_.empty();
}

void Planner::UniqueCheck::run() {
  if (!find_groups()) return;
  for (std::uint32_t i = 0; i < p_.entries_.size(); ++i)
    if (auto v = wanted(p_.entries_[i]); !v.empty())
      if (auto g = groups_.find(v); g != groups_.end()) g->second.wants.push_back(i);
  for (const auto& u : p_.current_.users)
    if (auto v = held(u); !v.empty())
      if (auto g = groups_.find(v); g != groups_.end()) g->second.holders.push_back(&u);
  std::vector<std::pair<std::string_view, Group*>> ordered;
  for (auto& [v, g] : groups_) ordered.emplace_back(v, &g);
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return name_less(a.first, b.first); });
  for (auto& [value, group] : ordered) resolve(value, *group);
}

bool Planner::UniqueCheck::taken(const std::string& v) {
  if (platform_values_.empty())
    for (const auto& u : p_.current_.users)
      if (auto h = held(u); !h.empty()) platform_values_.insert(h);
  return first_want_.count(v) > 0 || platform_values_.count(v) > 0 || given_.count(fold(v)) > 0;
}

// One collision: who keeps the value, who holds it, and what becomes of
// the others.
void Planner::UniqueCheck::resolve(std::string_view value, const Group& group) {
  Collision c;
  c.field = f_ == 0 ? "userName" : "email";
  c.value = std::string(value);
  c.resolution = res_ == UniqueResolution::Error ? "error" : "suffix_number";
  std::vector<std::uint32_t> keepers, others;
  std::vector<CollisionParty> holders;
  bool hard = false, freed = false;
  sort_holders(group, c, keepers, holders, hard, freed);
  for (auto w : group.wants)
    if (std::find(keepers.begin(), keepers.end(), w) == keepers.end()) others.push_back(w);
  const auto& entries = p_.entries_;
  std::sort(others.begin(), others.end(),
            [&](auto a, auto b) { return entries[a].d->external_id < entries[b].d->external_id; });
  // The value as its holder has it, else as the first employee (by
  // externalId) wants it: the same text whatever the record order.
  c.value = !keepers.empty()          ? std::string(wanted(entries[keepers.front()]))
            : !group.holders.empty()  ? std::string(held(*group.holders.front()))
            : !others.empty()         ? std::string(wanted(entries[others.front()]))
                                      : c.value;
  for (auto k : keepers) c.parties.push_back(party_of(k, "keeps"));
  for (auto& h : holders) c.parties.push_back(std::move(h));
  std::size_t start = 0;
  if (keepers.empty() && !hard && !freed && res_ == UniqueResolution::SuffixNumber && !others.empty()) {
    c.parties.push_back(party_of(others[0], "keeps"));  // the first by externalId keeps the value
    start = 1;
  }
  const bool deferred = keepers.empty() && !hard && freed;
  for (std::size_t i = start; i < others.size(); ++i) settle(c, value, others[i], deferred);
  p_.plan_.collisions.push_back(std::move(c));
}

// The accounts that hold the value: an employee of this plan that wants
// it keeps it (`keepers`); any other holder is a party that either frees
// it in this plan (`freed`) or keeps it (`hard`).
void Planner::UniqueCheck::sort_holders(const Group& group, const Collision& c, std::vector<std::uint32_t>& keepers,
                                        std::vector<CollisionParty>& holders, bool& hard, bool& freed) const {
  const auto& users = p_.current_.users;
  const auto& managed_by = p_.opt_.managed_by;
  for (const PlatformUser* u : group.holders) {
    const auto ei = p_.entry_of_account_[static_cast<std::size_t>(u - users.data())];
    if (ei >= 0 && std::find(group.wants.begin(), group.wants.end(), static_cast<std::uint32_t>(ei)) !=
                       group.wants.end()) {
      keepers.push_back(static_cast<std::uint32_t>(ei));
      continue;
    }
    CollisionParty p{u->external_id, u->user_name, u->id, "", "holds", ""};
    if (ei >= 0 && !(p_.entries_[static_cast<std::size_t>(ei)].flags & kSkip)) {
      freed = true;  // its employee wants another value: it is free after this apply
      p.origin = "platform account that this plan changes to " +
                 quote_json(wanted(p_.entries_[static_cast<std::size_t>(ei)]));
    } else {
      hard = true;
      p.origin = u->managed_by == managed_by ? "platform account of this job, not synced in this run"
                 : u->managed_by.empty()
                     ? (u->external_id.empty() ? "platform account not managed by daoctl, no externalId (link: {by: [" +
                                                     c.field + "]} adopts it)"
                                               : std::string("platform account not managed by daoctl"))
                                                 : "platform account managed by " + u->managed_by;
    }
    holders.push_back(std::move(p));
  }
}

// An employee that wants the value but does not keep it: left out or
// deferred (its account keeps what it has), or renamed with a number.
void Planner::UniqueCheck::settle(Collision& c, std::string_view value, std::uint32_t other, bool deferred) {
  Entry& e = p_.entries_[other];
  if (deferred || res_ == UniqueResolution::Error) {
    if (!e.cur) e.flags |= kSkip;
    else e.flags |= f_ == 0 ? kKeepName : kKeepEmail;
    c.parties.push_back(party_of(other, deferred ? "deferred" : "left_out"));
    if (deferred)
      p_.plan_.warnings.push_back(
          {"user " + e.d->user_name, c.field + " " + quote_json(value) +
                                         " is freed by this plan (another account changes it); taken by the next run"});
    return;
  }
  // suffix_number: an account that already has a suffixed form keeps it.
  const auto own = wanted(e);  // its own spelling
  std::string v;
  if (e.cur) {
    auto have = held(*e.cur);
    if (is_suffixed_form(have, own) && !first_want_.count(have) && !given_.count(fold(have)))
      v = std::string(have);
  }
  for (long n = 2; v.empty(); ++n)
    if (auto candidate = with_suffix(own, n); !taken(candidate)) v = std::move(candidate);
  given_.insert(fold(v));
  auto party = party_of(other, "renamed");
  party.new_value = v;
  c.parties.push_back(std::move(party));
  auto& stored = p_.renamed_[f_][other] = std::move(v);
  if (f_ == 0) e.slot->name = stored;
}

// 3. The actions.
void Planner::user_actions() {
  platform_matched_.assign(current_.users.size(), 0);
  for (std::uint32_t ei = 0; ei < entries_.size(); ++ei) {
    Entry& e = entries_[ei];
    if (e.flags & kSkip) continue;
    auto renamed_email = renamed_[1].find(ei);
    const std::string* new_email = renamed_email == renamed_[1].end() ? nullptr : &renamed_email->second;
    UserAction action;  // external_id and user_name are set when it goes into the plan
    if (e.flags & kLink) {
      action.kind = UserActionKind::Link;
      action.reason = "matched by " + std::string(link_by("email") ? "email/userName" : "userName");
      action.changes.push_back({"externalId", mapping::Value(), mapping::Value(e.d->external_id)});
    }
    if (!e.cur) plan_create(e, action, new_email);
    else plan_update(e, action, new_email);
  }
}

void Planner::plan_create(Entry& e, UserAction& action, const std::string* new_email) {
  const DesiredUser& d = *e.d;
  Seen& slot = *e.slot;
  action.kind = UserActionKind::Create;
  for (const auto& [field, value] : d.fields) {
    // The photo is uploaded after the create (plan.photos), never sent in it.
    if (field == "manager" || field == "photo" || value.is_null()) continue;
    mapping::Value after = field == "department"            ? mapping::Value(stored_department(path_of_[&d]))
                           : field == "email" && new_email  ? mapping::Value(*new_email)
                                                            : value;
    action.changes.push_back({field, mapping::Value(), after});
  }
  action.changes.push_back({"active", mapping::Value(), mapping::Value(d.active)});
  if (!d.active)
    action.reason = "created inactive: " + (d.dismissed_reason.empty() ? d.inactive_reason : d.dismissed_reason);
  action.external_id = d.external_id;
  action.user_name = std::string(slot.name);
  action.department = path_of_[&d];
  plan_.users.push_back(std::move(action));
  slot.acted = true;
  slot.leaving = !d.active;  // created blocked: no photo for it either
}

void Planner::plan_update(Entry& e, UserAction& action, const std::string* new_email) {
  const DesiredUser& d = *e.d;
  Seen& slot = *e.slot;
  const PlatformUser* cur = e.cur;
  platform_matched_[static_cast<std::size_t>(cur - current_.users.data())] = 1;
  slot.matched = cur;
  slot.acted = true;
  action.id = cur->id;
  if (e.flags & kKeepName) slot.name = cur->user_name;
  if (cur->user_name != slot.name)  // a change of case is a change too
    action.changes.push_back({"userName", mapping::Value(cur->user_name), mapping::Value(std::string(slot.name))});
  static const mapping::Value kNone;
  for (const auto& [field, value] : d.fields) {
    if (field == "manager" || field == "photo" || field == "active") continue;
    if (field == "email" && (e.flags & kKeepEmail)) continue;
    // Compared by reference: values are copied only into a change.
    std::optional<mapping::Value> replaced;
    if (field == "department") {
      const auto& path = path_of_[&d];
      replaced = path.empty() ? mapping::Value() : mapping::Value(stored_department(path));
    } else if (field == "email" && new_email) {
      replaced = mapping::Value(*new_email);
    }
    const mapping::Value& want = replaced ? *replaced : value;
    auto it = cur->fields.find(field);
    const mapping::Value& have = it == cur->fields.end() ? kNone : it->second;
    if (!same_value(field, have, want)) action.changes.push_back({field, have, want});
  }
  if (platform_ && cur->managed_by != opt_.managed_by)
    action.changes.push_back({"managedBy", cur->managed_by.empty() ? mapping::Value() : mapping::Value(cur->managed_by),
                              mapping::Value(opt_.managed_by)});
  action.adopted_from = std::string(e.adopted_from);
  const bool may_reactivate = !opt_.reactivate_only || opt_.reactivate_only->count(cur->id) > 0;
  if (!cur->active && d.active && !may_reactivate)
    plan_.warnings.push_back({"user " + d.user_name,
                              "blocked on the platform but active in the sources; daoctl did not block it "
                              "(an administrator did), so sync leaves it blocked"});
  if (cur->active && !d.active) {
    action.kind = UserActionKind::Deactivate;
    slot.leaving = true;
    action.reason = d.dismissed_reason.empty() ? "disabled in the sources" : d.dismissed_reason;
  } else if (!cur->active && d.active && may_reactivate) {
    action.kind = UserActionKind::Reactivate;
    action.reason = "active in the sources";
  } else if (action.kind != UserActionKind::Link && action.changes.empty()) {
    ++plan_.unchanged_users;
    slot.unchanged = true;
    return;
  }
  if (!action.adopted_from.empty() && action.reason.empty())
    action.reason = "adopted from job " + action.adopted_from;
  action.external_id = d.external_id;
  action.user_name = std::string(slot.name);
  action.department = path_of_[&d];
  plan_.users.push_back(std::move(action));
}

// Managed accounts the sources no longer have.
void Planner::missing_accounts() {
  long missing = 0;
  for (std::size_t i = 0; i < current_.users.size(); ++i) {
    const auto& u = current_.users[i];
    if (u.managed_by != opt_.managed_by || platform_matched_[i] || !u.active) continue;
    if (opt_.scope && !opt_.scope->count(u.external_id)) continue;  // found for a lookup, not in the change set
    if (opt_.deactivate_missing) {
      UserAction a;
      a.kind = UserActionKind::Deactivate;
      a.id = u.id;
      a.external_id = u.external_id;
      a.user_name = u.user_name;
      a.reason = "missing from the sources";
      if (auto it = u.fields.find("department"); it != u.fields.end() && it->second.string())
        a.department = *it->second.string();
      plan_.users.push_back(std::move(a));
    } else {
      ++missing;
    }
  }
  if (missing > 0)
    plan_.warnings.push_back({"job " + opt_.job,
                              fmt::format("{} managed account(s) are missing from the sources and stay "
                                          "active; add missing_from_sources to "
                                          "deprovision.dismissed_when to block them",
                                          missing)});
}

// Manager cycles (a self-manager is a cycle of one): the links of the
// desired users form a graph with one edge per user, walked once. Every
// link on a cycle is left out (those users keep their current manager,
// with a warning naming the cycle); links that lead into a cycle are kept.
// Which link is "wrong" cannot be known, and dropping all of them does
// not depend on the order of the source records.
void Planner::manager_cycles() {
  std::vector<std::int64_t> next(desired_.size(), -1);
  bool any = false;
  for (const auto& e : entries_) {
    const auto i = e.slot->index;
    auto mit = e.d->fields.find("manager");
    if (mit == e.d->fields.end()) continue;
    auto want = first_view(mit->second);
    if (want.empty()) continue;
    if (auto t = seen_.find(want); t != seen_.end()) {
      next[i] = t->second.index;
      any = true;
    }
  }
  if (!any) return;
  std::vector<std::uint8_t> state(desired_.size(), 0);  // 0 new, 1 on this walk, 2 done
  std::vector<std::uint32_t> path;
  for (std::uint32_t i = 0; i < desired_.size(); ++i) {
    if (state[i]) continue;
    path.clear();
    std::int64_t v = i;
    while (v >= 0 && state[static_cast<std::size_t>(v)] == 0) {
      state[static_cast<std::size_t>(v)] = 1;
      path.push_back(static_cast<std::uint32_t>(v));
      v = next[static_cast<std::size_t>(v)];
    }
    if (v >= 0 && state[static_cast<std::size_t>(v)] == 1) {
      std::vector<std::uint32_t> cyc(std::find(path.begin(), path.end(), static_cast<std::uint32_t>(v)), path.end());
      // Named from the smallest userName, so the text does not depend on record order.
      std::rotate(cyc.begin(),
                  std::min_element(cyc.begin(), cyc.end(),
                                   [&](auto a, auto b) { return name_less(desired_[a].user_name, desired_[b].user_name); }),
                  cyc.end());
      std::string text;
      for (std::size_t k = 0; k < cyc.size() && k < 10; ++k) text += desired_[cyc[k]].user_name + " -> ";
      text += cyc.size() > 10 ? "… (" + std::to_string(cyc.size()) + " people)" : desired_[cyc.front()].user_name;
      for (auto n : cyc) cycle_of_[n] = static_cast<std::uint32_t>(cycles_.size());
      cycles_.push_back(std::move(text));
    }
    for (auto n : path) state[n] = 2;
  }
}

// Managers: resolved by external id; users skipped above are left alone.
void Planner::managers() {
  for (const auto& e : entries_) {
    const DesiredUser& d = *e.d;
    const auto i = e.slot->index;
    auto mit = d.fields.find("manager");
    if (mit == d.fields.end() || !e.slot->acted) continue;
    Seen& slot = *e.slot;
    if (auto c = cycle_of_.find(i); c != cycle_of_.end()) {
      plan_.warnings.push_back(
          {"user " + std::string(slot.name),
           first_string(mit->second) == d.external_id
               ? std::string("is their own manager in the sources; manager left unchanged")
               : "manager cycle " + cycles_[c->second] + "; this link is left out, manager left unchanged"});
      continue;
    }
    std::string want_ext = first_string(mit->second);
    const PlatformUser* cur = slot.matched;
    std::string before = cur ? cur->manager_id : "";
    std::string want_id;
    if (!want_ext.empty()) {
      if (auto it = by_ext_.find(want_ext); it != by_ext_.end()) want_id = it->second->id;
      else if (const auto* linked = matched(want_ext)) want_id = linked->id;
      else if (!acted(want_ext)) {
        plan_.warnings.push_back({"user " + std::string(slot.name),
                                  "manager '" + want_ext + "' is not an employee this job syncs; manager left unchanged"});
        continue;
      }
    }
    if (want_ext.empty() && before.empty()) continue;
    if (!want_id.empty() && want_id == before) continue;
    ManagerChange m{d.external_id, cur ? cur->id : "", before, want_ext, want_id, std::string(slot.name), "", ""};
    m.before_user_name = name_of_id(before);
    m.after_user_name = want_ext.empty() ? std::string() : name_of_ext(want_ext);
    plan_.managers.push_back(std::move(m));
    // A user whose only change is the manager is not "unchanged".
    if (slot.unchanged) {
      slot.unchanged = false;
      --plan_.unchanged_users;
    }
  }
}

// Photos (platform only: a plain SCIM service has no photo API, and a job
// mapping photo to one is refused when it is loaded). Compared by sha256
// with the platform's photoSha256. A desired photo that is empty or absent
// leaves the platform's photo alone: a directory entry without jpegPhoto
// does not mean "delete the photo someone uploaded", and sync never deletes
// photos. Users skipped above (conflicts) are left alone here too.
void Planner::photos() {
  if (!platform_) return;
  std::unordered_set<std::string_view> photo_done;
  for (const auto& d : desired_) {
    // The photo's digest and size: from the store that holds its bytes,
    // or hashed here when the bytes are still in the fields.
    std::string want;
    std::uint64_t size = 0;
    if (d.stored_photo) {
      want = d.stored_photo->sha256;
      size = d.stored_photo->size;
    } else if (auto pit = d.fields.find("photo"); pit != d.fields.end()) {
      const std::string_view bytes = photo_bytes_of(pit->second);
      if (!bytes.empty()) want = sha256_hex(bytes);
      size = bytes.size();
    }
    if (want.empty()) continue;
    // A leaver's account is blocked by this very plan: a new photo for it
    // is work for nobody (and would be undone by a later deletion).
    auto entry = seen_.find(d.external_id);
    if (entry == seen_.end() || !entry->second.acted || entry->second.leaving ||
        !photo_done.insert(d.external_id).second)
      continue;
    const PlatformUser* cur = matched(d.external_id);
    if (cur && cur->photo_sha256 == want) continue;
    plan_.photos.push_back({d.external_id, cur ? cur->id : "", std::string(entry->second.name),
                            cur ? cur->photo_sha256 : "", std::move(want), static_cast<long>(size)});
  }
}

// Group memberships, with what the phase shares: the wanted groups, the
// platform's groups by name and externalId, and which of those this plan
// uses.
class Planner::GroupPhase {
 public:
  explicit GroupPhase(Planner& p)
      : p_(p), by_name_prefix_(p.opt_.managed_by + ":group:"), by_id_prefix_(p.opt_.managed_by + ":group-id:") {}
  void run();

 private:
  struct Wanted {
    std::string name;
    std::string external_id;  // groups known by id
    std::set<std::string> members;  // external ids
  };
  void collect_leavers();
  void collect_wanted();
  void index_platform();
  bool is_ours(const std::string& user_id) {
    auto it = p_.by_id().find(user_id);
    return it != p_.by_id().end() && (it->second->managed_by == p_.opt_.managed_by || p_.acted(it->second->external_id)) &&
           (!p_.opt_.scope || p_.opt_.scope->count(it->second->external_id) > 0);
  }
  bool match(const Wanted& w, const PlatformGroup*& cur, bool& link, std::string& name);
  void actions(const Wanted& w, const PlatformGroup* cur, bool link, const std::string& name);
  void stale_groups();

  Planner& p_;
  const std::string by_name_prefix_;
  const std::string by_id_prefix_;
  std::map<std::string, Wanted> wanted_;  // "id:<stable id>" or "name:<lower name>"
  // Leavers (PlanOptions::leavers_groups_by_pipeline): platform ids.
  std::set<std::string> leavers_;
  std::map<std::string, const PlatformGroup*> group_by_name_, group_by_ext_;
  std::set<std::string> claimed_;
  std::set<std::string> renamed_away_;
  std::set<std::string> names_;  // lower names the wanted groups end up with
};

// Group memberships. A group is known by its directory id when the source
// has a group search (DesiredUser::group_keys), else by its name.
void Planner::group_memberships() {
  if (opt_.manage_groups) GroupPhase(*this).run();
}

void Planner::GroupPhase::run() {
  collect_leavers();
  collect_wanted();
  index_platform();
  for (const auto& [key, w] : wanted_) {
    const PlatformGroup* cur = nullptr;
    bool link = false;
    std::string name = w.name;
    if (match(w, cur, link, name)) actions(w, cur, link, name);
  }
  stale_groups();
}

void Planner::GroupPhase::collect_leavers() {
  if (!p_.opt_.leavers_groups_by_pipeline) return;
  std::set<std::string> back;
  for (const auto& a : p_.plan_.users) {
    if (a.kind == UserActionKind::Deactivate) leavers_.insert(a.id);
    if (a.kind == UserActionKind::Reactivate) back.insert(a.id);
  }
  for (const auto& u : p_.current_.users)
    if (!u.active && !back.count(u.id)) leavers_.insert(u.id);
}

void Planner::GroupPhase::collect_wanted() {
  const auto& opt = p_.opt_;
  for (const auto& d : p_.desired_)
    if ((p_.acted(d.external_id) || p_.matched(d.external_id)) &&
        !(opt.leavers_groups_by_pipeline &&
          (!d.active || (p_.matched(d.external_id) && leavers_.count(p_.matched(d.external_id)->id)))))
      for (std::size_t i = 0; i < d.groups.size(); ++i) {
        const bool keyed = i < d.group_keys.size();
        auto& w = wanted_[keyed ? "id:" + d.group_keys[i] : "name:" + text::lower_ascii(d.groups[i])];
        if (w.name.empty()) {
          w.name = d.groups[i];
          if (keyed) w.external_id = group_external_id(opt.managed_by, d.group_keys[i]);
        }
        w.members.insert(d.external_id);
      }
}

void Planner::GroupPhase::index_platform() {
  for (const auto& g : p_.current_.groups) {
    group_by_name_[text::lower_ascii(g.display_name)] = &g;
    if (!g.external_id.empty()) group_by_ext_[g.external_id] = &g;
  }
  // Platform groups a wanted group uses; groups known by id claim theirs
  // (by externalId) before any group is matched by name.
  for (const auto& [key, w] : wanted_)
    if (!w.external_id.empty())
      if (auto it = group_by_ext_.find(w.external_id); it != group_by_ext_.end()) claimed_.insert(it->second->id);
  // Platform groups this plan renames: the names they hold now are free
  // for other groups once apply has renamed them (apply orders the renames
  // and breaks a swap with a temporary name).
  for (const auto& [key, w] : wanted_)
    if (!w.external_id.empty())
      if (auto it = group_by_ext_.find(w.external_id); it != group_by_ext_.end() && it->second->display_name != w.name)
        renamed_away_.insert(it->second->id);
}

// The platform group `w` is (`cur`, none: created), whether the plan links
// it, and the name it ends up with. False when `w` is left out (warned).
bool Planner::GroupPhase::match(const Wanted& w, const PlatformGroup*& cur, bool& link, std::string& name) {
  auto& plan = p_.plan_;
  const bool keyed = !w.external_id.empty();
  if (keyed) {
    if (auto it = group_by_ext_.find(w.external_id); it != group_by_ext_.end()) cur = it->second;
  }
  auto holder = group_by_name_.find(text::lower_ascii(w.name));
  const PlatformGroup* held_by = holder == group_by_name_.end() ? nullptr : holder->second;
  if (!keyed) {
    cur = held_by;
  } else if (!cur && held_by && !renamed_away_.count(held_by->id)) {
    // A group of that name exists (and is not renamed away by this plan:
    // then the name is free when apply creates this one): ours from
    // before groups were known by id, or one nobody owns (no
    // externalId): it becomes this group. Anything else keeps its name
    // and this group waits.
    const std::string& ext = held_by->external_id;
    if (!claimed_.count(held_by->id) && (ext.empty() || ext == by_name_prefix_ + held_by->display_name)) {
      cur = held_by;
      link = true;
    } else {
      plan.warnings.push_back(
          {"group " + w.name,
           fmt::format("the platform's group \"{}\" (externalId {}) is another group; directory group {} is "
                       "left out until the name is free",
                       held_by->display_name, ext.empty() ? "none" : ext, w.external_id)});
      return false;
    }
  } else if (cur && cur->display_name != w.name && held_by && held_by != cur && !renamed_away_.count(held_by->id)) {
    plan.warnings.push_back({"group " + w.name,
                             fmt::format("not renamed from \"{}\": the platform has another group \"{}\"",
                                         cur->display_name, held_by->display_name)});
    name = cur->display_name;
  }
  if (!names_.insert(text::lower_ascii(name)).second) {
    plan.warnings.push_back({"group " + name, "two directory groups want this name; the second is left out"});
    return false;
  }
  return true;
}

// Create, link or rename the group, then the members it gains and loses.
void Planner::GroupPhase::actions(const Wanted& w, const PlatformGroup* cur, bool link, const std::string& name) {
  auto& plan = p_.plan_;
  const bool keyed = !w.external_id.empty();
  GroupAction add{GroupAction::Kind::AddMembers, name, "", {}};
  std::set<std::string> current_members;
  if (!cur) {
    plan.groups.push_back({GroupAction::Kind::Create, name, "", {}, {}, w.external_id});
  } else {
    claimed_.insert(cur->id);
    if (link) plan.groups.push_back({GroupAction::Kind::Link, name, cur->id, {}, {}, w.external_id});
    else if (keyed && cur->display_name != name)
      plan.groups.push_back({GroupAction::Kind::Rename, name, cur->id, {}, {}, w.external_id, cur->display_name});
    add.id = cur->id;
    if (!keyed) add.name = cur->display_name;
    current_members.insert(cur->member_ids.begin(), cur->member_ids.end());
  }
  std::set<std::string> wanted_ids;
  for (const auto& ext : w.members) {
    const PlatformUser* u = p_.matched(ext);
    if (u) wanted_ids.insert(u->id);
    if (!u || !current_members.count(u->id)) add.members.push_back(ext);
  }
  if (!add.members.empty()) plan.groups.push_back(add);
  if (cur) {
    GroupAction remove{GroupAction::Kind::RemoveMembers, add.name, cur->id, {}};
    for (const auto& m : cur->member_ids)
      if (!wanted_ids.count(m) && is_ours(m) && !leavers_.count(m)) remove.members.push_back(m);
    if (!remove.members.empty()) plan.groups.push_back(remove);
  }
}

// Groups this job created earlier that no employee belongs to any more.
void Planner::GroupPhase::stale_groups() {
  for (const auto& g : p_.current_.groups) {
    if (claimed_.count(g.id) ||
        !(g.external_id == by_name_prefix_ + g.display_name || g.external_id.starts_with(by_id_prefix_)))
      continue;
    GroupAction remove{GroupAction::Kind::RemoveMembers, g.display_name, g.id, {}};
    for (const auto& m : g.member_ids)
      if (is_ours(m) && !leavers_.count(m)) remove.members.push_back(m);
    if (!remove.members.empty()) p_.plan_.groups.push_back(remove);
  }
}

// Reviewable: people are named by userName and listed in userName order
// (apply's order does not depend on it: creates, then the rest).
void Planner::reviewable_order() {
  for (auto& g : plan_.groups) {
    if (g.kind == GroupAction::Kind::Create) continue;
    std::vector<std::pair<std::string, std::string>> people;  // userName, member
    people.reserve(g.members.size());
    for (auto& m : g.members)
      people.emplace_back(g.kind == GroupAction::Kind::AddMembers ? name_of_ext(m) : name_of_id(m), std::move(m));
    std::sort(people.begin(), people.end(), [](const auto& a, const auto& b) {
      return name_less(a.first, b.first) || (!name_less(b.first, a.first) && a.second < b.second);
    });
    g.members.clear();
    g.member_names.clear();
    for (auto& [name, m] : people) {
      g.member_names.push_back(std::move(name));
      g.members.push_back(std::move(m));
    }
  }
  auto by_name_then_ext = [](const auto& a, const auto& b) {
    if (name_less(a.user_name, b.user_name)) return true;
    if (name_less(b.user_name, a.user_name)) return false;
    return a.external_id < b.external_id;
  };
  std::stable_sort(plan_.users.begin(), plan_.users.end(), by_name_then_ext);
  std::stable_sort(plan_.managers.begin(), plan_.managers.end(), by_name_then_ext);
  std::stable_sort(plan_.photos.begin(), plan_.photos.end(), by_name_then_ext);
  std::stable_sort(plan_.other_jobs.begin(), plan_.other_jobs.end(), by_name_then_ext);
  std::stable_sort(plan_.collisions.begin(), plan_.collisions.end(), [](const Collision& a, const Collision& b) {
    return a.field != b.field ? a.field < b.field : name_less(a.value, b.value);
  });
}

// Departments this job created that nobody will be in any more (deepest first).
void Planner::department_deletions() {
  if (!platform_ || !opt_.delete_empty_departments || opt_.scope) return;
  // The accounts this plan moves to another department, by id: one pass
  // over the plan, not one per account (that was accounts x actions: 5.7 s
  // CPU at 100k accounts and 20k moves, minutes at 1M).
  std::unordered_set<std::string_view> moving;
  for (const auto& a : plan_.users)
    for (const auto& c : a.changes)
      if (c.field == "department") {
        moving.insert(a.id);
        break;
      }
  std::map<std::string, long> staying;  // department id -> members after the plan
  for (const auto& u : current_.users)
    if (!u.department_id.empty() && !moving.count(u.id)) staying[u.department_id]++;
  std::vector<const PlatformDepartment*> candidates;
  for (const auto& d : current_.departments)
    if (!wanted_paths_.count(d.path) && d.external_id.starts_with(opt_.managed_by + ":") && staying[d.id] == 0)
      candidates.push_back(&d);
  std::sort(candidates.begin(), candidates.end(),
            [](auto* a, auto* b) { return depth_of(a->path) > depth_of(b->path); });
  std::set<std::string> deleted;
  for (const auto* d : candidates) {
    bool has_kept_child = false;
    for (const auto& c : current_.departments)
      if (c.parent_id == d->id && !deleted.count(c.id)) has_kept_child = true;
    if (has_kept_child) continue;
    deleted.insert(d->id);
    plan_.departments.push_back({DepartmentAction::Kind::Delete, d->path, d->name, parent_of(d->path), d->id});
  }
}

}  // namespace

SyncPlan compute_plan(const std::vector<DesiredUser>& desired, const PlatformState& current,
                      const PlanOptions& opt) {
  // Each phase reads what the phases before it decided; the order matters.
  Planner p(desired, current, opt);
  p.departments();           // missing department paths, parents first
  p.match_accounts();        // 1. which account each employee is
  p.unique_values();         // 2. userName and e-mail collisions
  p.user_actions();          // 3. create, update, link, (de|re)activate
  p.missing_accounts();      // managed accounts the sources no longer have
  p.manager_cycles();
  p.managers();
  p.photos();
  p.group_memberships();
  p.reviewable_order();      // users, managers, photos, members by userName
  p.department_deletions();  // reads the users' department changes
  return p.take();
}

}  // namespace daoctl::sync
