#include "core/sync/desired.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <unordered_map>

#include "core/ldap/dn.hpp"
#include "core/sync/values.hpp"

namespace daoctl::sync {

namespace {

// The joined record of one employee: one record per source (or none).
class JoinedScope final : public mapping::Scope {
 public:
  void set(std::string_view source, const hr::SourceRecord* record) {
    for (auto& [name, rec] : slots_)
      if (name == source) {
        rec = record;
        return;
      }
    slots_.emplace_back(std::string(source), record);
  }
  const hr::SourceRecord* get(std::string_view source) const {
    for (const auto& [name, rec] : slots_)
      if (name == source) return rec;
    return nullptr;
  }
  const std::vector<std::string>* find(std::string_view source, std::string_view field) const override {
    const auto* rec = get(source);
    if (!rec) return nullptr;
    const auto* f = rec->find(field);
    return f ? &f->values : nullptr;
  }

 private:
  std::vector<std::pair<std::string, const hr::SourceRecord*>> slots_;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Like sync::first_string, but a bool mapped into an id or name reads as
// "true"/"false" rather than nothing.
std::string text_of(const mapping::Value& v) {
  if (const auto* b = v.boolean()) return *b ? "true" : "false";
  return first_string(v);
}

// The key a record is known by for manager references: a canonical DN for
// LDAP sources keyed by dn, the trimmed key value otherwise.
std::string key_of(const SourceSpec& source, const hr::SourceRecord& record) {
  std::string raw(record.first(source.key));
  if (source.type == "ldap" && (source.key == "dn" || source.key == "distinguishedName"))
    return ldap::canonical_dn(raw);
  return trim(raw);
}

std::string group_name(const GroupSpec& spec, const std::string& value) {
  if (!spec.name_from_cn) return value;
  auto dn = ldap::parse_dn(value);
  if (!dn || dn->empty() || dn->rdns().front().avas.empty()) return value;
  return dn->rdns().front().avas.front().value;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_CASEFOLD) == 0;
}

struct DesiredBuilder::State {
  explicit State(const JobSpec& j)
      : job(j), primary(j.source(j.primary)), maps_manager(j.template_for("manager") != nullptr),
        indexes(j.joins.size()) {}

  // Every joined source indexed by its join field; keys seen twice are ambiguous.
  struct Index {
    std::unordered_map<std::string, const hr::SourceRecord*> by_key;
    std::set<std::string> ambiguous;
  };

  const JobSpec& job;
  const SourceSpec* primary;
  const bool maps_manager;
  std::vector<Index> indexes;
  DesiredSet out;
  std::unordered_map<std::string, std::string> ext_by_key;  // primary key -> external id
  std::vector<std::string> manager_raw;                    // per desired user
  JoinedScope scope;
  PhotoStore* photos = nullptr;  // null: photos stay in fields["photo"]
};

DesiredBuilder::DesiredBuilder(const JobSpec& job) : state_(std::make_unique<State>(job)) {}
DesiredBuilder::~DesiredBuilder() = default;
DesiredBuilder::DesiredBuilder(DesiredBuilder&&) noexcept = default;
DesiredBuilder& DesiredBuilder::operator=(DesiredBuilder&&) noexcept = default;

void DesiredBuilder::keep_photos_in(PhotoStore* store) { state_->photos = store; }

namespace {

// Moves a non-empty desired photo out of `user.fields` into the store. On a
// store error the bytes stay where they are and the store is dropped, with
// one warning: the run goes on, holding photos in memory as before.
void store_photo(DesiredUser& user, PhotoStore*& store, DesiredSet& out) {
  auto it = user.fields.find("photo");
  if (it == user.fields.end()) return;
  const std::string_view bytes = photo_bytes_of(it->second);
  if (bytes.empty()) return;
  auto stored = store->put(bytes);
  if (!stored) {
    out.warnings.push_back({"photos", "cannot keep photos on disk (" + stored.error().describe() +
                                          "); the rest of this run holds them in memory"});
    store = nullptr;
    return;
  }
  user.stored_photo = std::move(*stored);
  user.fields.erase(it);
}

}  // namespace

void DesiredBuilder::index_joins(const SourceRecords& records) {
  auto& st = *state_;
  for (std::size_t i = 0; i < st.job.joins.size(); ++i) {
    const auto& j = st.job.joins[i];
    auto it = records.find(j.right_source);
    if (it == records.end()) continue;
    for (const auto& rec : it->second) {
      std::string key = trim(rec.first(j.right_field));
      if (key.empty()) continue;
      if (!st.indexes[i].by_key.emplace(key, &rec).second) st.indexes[i].ambiguous.insert(key);
    }
    for (const auto& key : st.indexes[i].ambiguous)
      st.out.warnings.push_back({j.right_source + " " + key,
                                 fmt::format("{} records of '{}' have {} = '{}'; none of them is joined",
                                             "several", j.right_source, j.right_field, key)});
  }
}

void DesiredBuilder::add(const hr::SourceRecord& rec) {
  auto& st = *state_;
  const JobSpec& job = st.job;
  auto& scope = st.scope;
  auto& out = st.out;
  scope.set(job.primary, &rec);
  for (std::size_t i = 0; i < job.joins.size(); ++i) {
    const auto& j = job.joins[i];
    const hr::SourceRecord* left = scope.get(j.left_source);
    const hr::SourceRecord* match = nullptr;
    if (left) {
      std::string key = trim(left->first(j.left_field));
      if (!key.empty() && !st.indexes[i].ambiguous.count(key)) {
        auto it = st.indexes[i].by_key.find(key);
        if (it != st.indexes[i].by_key.end()) match = it->second;
      }
    }
    scope.set(j.right_source, match);
  }

  DesiredUser user;
  user.origin = rec.origin;
  // The key only serves manager references: skip canonicalising 100k DNs
  // when no manager is mapped.
  if (st.primary && st.maps_manager) user.source_key = key_of(*st.primary, rec);
  std::string failure;
  std::string manager;
  for (const auto& [field, tmpl] : job.mapping) {
    auto value = tmpl.evaluate(scope);
    if (!value) {
      failure = fmt::format("mapping.{}: {}", field, value.error().message);
      break;
    }
    if (field == "externalId") user.external_id = trim(text_of(*value));
    else if (field == "userName") user.user_name = trim(text_of(*value));
    else if (field == "active") user.active = mapping::truthy(*value);
    else if (field == "manager") manager = trim(text_of(*value));
    else if (!value->is_null()) user.fields[field] = std::move(*value);
  }
  if (failure.empty() && user.external_id.empty()) failure = "mapping.externalId is empty";
  if (failure.empty() && user.user_name.empty()) failure = "mapping.userName is empty";
  if (!failure.empty()) {
    out.warnings.push_back({rec.origin, failure + "; employee not synced"});
    ++out.skipped;
    return;
  }
  if (!job.dismissal.rules.empty()) {
    auto verdict = deprovision::evaluate(job.dismissal, scope, job.today);
    for (const auto& problem : verdict.problems)
      out.warnings.push_back({"user " + user.user_name, problem + "; not dismissed by this rule"});
    if (verdict.dismissed) {
      user.active = false;
      user.dismissed_reason = verdict.reason;
      user.dismissed_since = verdict.since;
    }
  }
  if (job.groups) {
    if (const auto* values = scope.find(job.groups->from.source, job.groups->from.field)) {
      std::set<std::string> seen;
      for (const auto& v : *values) {
        // Patterns match the value as written (a DN) or the group's name,
        // so both "CN=intranet-*,OU=Groups,..." and "intranet-*" work.
        std::string name = group_name(*job.groups, v);
        auto matches = [&](const std::string& p) { return glob_match(p, v) || glob_match(p, name); };
        bool included = job.groups->include.empty();
        for (const auto& p : job.groups->include) included |= matches(p);
        for (const auto& p : job.groups->exclude) included &= !matches(p);
        if (!included) continue;
        if (seen.insert(name).second) user.groups.push_back(name);
      }
    }
  }
  // The scope must not point at a record the caller may free next.
  scope.set(job.primary, nullptr);
  if (!user.source_key.empty()) st.ext_by_key.emplace(user.source_key, user.external_id);
  if (st.photos) store_photo(user, st.photos, out);
  st.manager_raw.push_back(std::move(manager));
  out.users.push_back(std::move(user));
}

DesiredSet DesiredBuilder::finish() {
  auto& st = *state_;
  auto& out = st.out;
  // Managers: a DN (or key) of another primary record, or an external id.
  const bool ldap_keys = st.primary && st.primary->type == "ldap";
  for (std::size_t i = 0; i < out.users.size(); ++i) {
    const std::string& raw = st.manager_raw[i];
    if (raw.empty()) {
      if (st.maps_manager) out.users[i].fields["manager"] = mapping::Value(std::string());
      continue;
    }
    std::string key = ldap_keys ? ldap::canonical_dn(raw) : raw;
    auto it = st.ext_by_key.find(key);
    out.users[i].fields["manager"] = mapping::Value(it != st.ext_by_key.end() ? it->second : raw);
  }
  DesiredSet result = std::move(out);
  state_ = std::make_unique<State>(st.job);
  return result;
}

DesiredSet build_desired(const JobSpec& job, const SourceRecords& records, PhotoStore* photos) {
  DesiredBuilder builder(job);
  builder.keep_photos_in(photos);
  builder.index_joins(records);
  if (auto it = records.find(job.primary); it != records.end()) {
    for (const auto& rec : it->second) builder.add(rec);
  }
  return builder.finish();
}

}  // namespace daoctl::sync
