#include "core/sync/desired.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <unordered_map>

#include "core/ldap/dn.hpp"
#include "core/mapping/date_pattern.hpp"
#include "core/sync/values.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::sync {

// Not in the anonymous namespace: DesiredBuilder::State holds one, and GCC
// warns (-Wsubobject-linkage) when a class with linkage has a member of an
// unnamed namespace's type outside the main file, as in a unity TU.
namespace desired_detail {

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

}  // namespace desired_detail

namespace {

// Like sync::first_string, but a bool mapped into an id or name reads as
// "true"/"false" rather than nothing.
std::string first_string_or_bool(const mapping::Value& v) {
  if (const auto* b = v.boolean()) return *b ? "true" : "false";
  return first_string(v);
}

// The key a record is known by for manager references: a canonical DN for
// LDAP sources keyed by dn, the trimmed key value otherwise.
std::string key_of(const SourceSpec& source, const hr::SourceRecord& record) {
  std::string raw(record.first(source.key));
  if (source.type == "ldap" && (source.key == "dn" || source.key == "distinguishedName"))
    return ldap::canonical_dn(raw);
  return std::string(text::trim_ascii(raw));
}

// One record as a scope: evaluates a join key of that record alone.
class OneRecordScope final : public mapping::Scope {
 public:
  OneRecordScope(std::string_view source, const hr::SourceRecord* record) : source_(source), record_(record) {}
  const std::vector<std::string>* find(std::string_view source, std::string_view field) const override {
    if (!record_ || source != source_) return nullptr;
    const auto* f = record_->find(field);
    return f ? &f->values : nullptr;
  }

 private:
  std::string_view source_;
  const hr::SourceRecord* record_;
};

// A join key: the field read directly, or the key expression evaluated.
// Blank: no key (never joined). An expression that fails or yields several
// values gives no key and says why in `problem`.
std::string join_key(const std::string& field, const std::optional<mapping::Expression>& key,
                     const hr::SourceRecord& record, const mapping::Scope& scope, std::string& problem) {
  if (!field.empty() || !key) return std::string(text::trim_ascii(record.first(field)));
  auto v = key->evaluate(scope);
  if (!v) {
    problem = v.error().message;
    return {};
  }
  if (const auto* list = v->list(); list && list->size() > 1) {
    problem = fmt::format("the join key {} has {} values", key->text(), list->size());
    return {};
  }
  return std::string(text::trim_ascii(first_string_or_bool(*v)));
}

std::string group_name(const GroupSpec& spec, const std::string& value) {
  if (!spec.name_from_cn) return value;
  auto dn = ldap::parse_dn(value);
  if (!dn || dn->empty() || dn->rdns().front().avas.empty()) return value;
  return dn->rdns().front().avas.front().value;
}

}  // namespace

std::optional<double> JoinStats::rate() const {
  const long smaller = std::min(left, right_keys);
  if (smaller <= 0) return std::nullopt;
  return std::min(1.0, static_cast<double>(matched) / static_cast<double>(smaller));
}

nlohmann::json JoinStats::to_json() const {
  nlohmann::json j = {{"source", source},
                      {"join", join},
                      {"left_records", left},
                      {"right_records", right},
                      {"right_keys", right_keys},
                      {"matched", matched},
                      {"left_unmatched", left_unmatched},
                      {"right_unmatched", right_unmatched}};
  if (auto r = rate()) j["rate"] = *r;
  return j;
}

Status check_desired(const DesiredSet& set, const JobSpec& job) {
  if (set.errors.empty()) return {};
  std::string detail;
  for (const auto& e : set.errors) detail += (detail.empty() ? "" : "\n") + e;
  return fail(ErrorKind::Safety, fmt::format("{} set of duplicate records", set.errors.size()), "job " + job.name,
              detail, "nothing was changed; fix the export, or choose a rule: duplicates: prefer_active | last | first");
}

bool glob_match(std::string_view pattern, std::string_view text) {
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_CASEFOLD) == 0;
}

struct DesiredBuilder::State {
  explicit State(const JobSpec& j)
      : job(j), primary(j.source(j.primary)), maps_manager(j.template_for("manager") != nullptr),
        indexes(j.joins.size()) {
    // birthday and hireDate go out as yyyy-MM-dd: a value in another form is
    // read with the dates: pattern of the sources its template reads.
    for (const auto& [field, tmpl] : job.mapping) {
      if (field != "birthday" && field != "hireDate") continue;
      DateField d;
      d.field = field;
      for (const auto& r : tmpl.references())
        if (const auto* src = job.source(r.source); src && !src->dates.empty())
          if (auto p = mapping::DatePattern::compile(src->dates)) d.patterns.push_back(std::move(*p));
      for (const auto& r : tmpl.references())
        if (std::find(d.sources.begin(), d.sources.end(), r.source) == d.sources.end()) d.sources.push_back(r.source);
      date_fields.push_back(std::move(d));
    }
    // The most fields a desired user holds: each mapped field but the four
    // kept beside them, and the manager that finish() adds.
    for (const auto& [field, tmpl] : job.mapping)
      if (field != "externalId" && field != "userName" && field != "active" && field != "manager") ++field_count;
    if (maps_manager) ++field_count;
  }
  std::size_t field_count = 0;

  struct DateField {
    std::string field;
    std::vector<mapping::DatePattern> patterns;
    std::vector<std::string> sources;
    long bad = 0;  // values that are no date: left out, one warning
    std::string first_bad;
  };
  std::vector<DateField> date_fields;
  long users_in_groups = 0;  // users whose groups.from field has a value

  // A date field's value as yyyy-MM-dd; false (and counted) when it is none.
  bool normalise_date(const std::string& field, mapping::Value& value, const std::string& origin) {
    for (auto& d : date_fields) {
      if (d.field != field) continue;
      const auto* text = value.string();
      if (!text) return true;
      const std::string t(text::trim_ascii(*text));
      if (t.empty()) return true;
      if (t.size() == 10 && mapping::parse_iso_date(t)) {
        if (t.size() != text->size()) value = mapping::Value(t);
        return true;
      }
      for (const auto& p : d.patterns)
        if (auto date = p.parse(t)) {
          value = mapping::Value(mapping::format_iso_date(*date));
          return true;
        }
      if (d.bad++ == 0) d.first_bad = origin + ": " + mapping::quote_for_message(t);
      return false;
    }
    return true;
  }

  // Every joined source indexed by its join key. Records with the same key
  // are resolved by the source's duplicates: rule when a left record finds
  // them (prefer_active needs the joined person to decide).
  struct Entry {
    const hr::SourceRecord* first = nullptr;
    std::vector<const hr::SourceRecord*> more;  // the others with this key, in order
    bool matched = false;
  };
  struct Index {
    std::unordered_map<std::string, Entry> by_key;
    const SourceSpec* source = nullptr;
  };

  const JobSpec& job;
  const SourceSpec* primary;
  const bool maps_manager;
  std::vector<Index> indexes;
  DesiredSet out;
  std::unordered_map<std::string, std::string> ext_by_key;  // primary key -> external id
  std::vector<std::string> manager_raw;                    // per desired user
  desired_detail::JoinedScope scope;
  PhotoStore* photos = nullptr;  // null: photos stay in fields["photo"]

  // Whether the person the scope holds is active (mapping.active and the
  // dismissal rules) and their hire date: what prefer_active decides by.
  std::pair<bool, std::string> activity() const {
    bool active = true;
    if (const auto* t = job.template_for("active")) {
      auto v = t->evaluate(scope);
      active = v && mapping::truthy(*v);
    }
    if (active && !job.dismissal.rules.empty()) active = !deprovision::evaluate(job.dismissal, scope, job.today).dismissed;
    std::string hired;
    if (const auto* t = job.template_for("hireDate"))
      if (auto v = t->evaluate(scope)) hired = iso_date(first_string(*v));
    return {active, hired};
  }

  // The date in `text` as yyyy-MM-dd (ISO, or the sources' dates: pattern),
  // "" when it is none: only for ordering rehires.
  std::string iso_date(const std::string& text) const {
    if (text.size() >= 10 && text[4] == '-' && text[7] == '-') return text.substr(0, 10);
    for (const auto& src : job.sources)
      if (!src.dates.empty())
        if (auto p = mapping::DatePattern::compile(src.dates))
          if (auto d = p->parse(text)) return mapping::format_iso_date(*d);
    return {};
  }

  // Several records of joined source `i` share `key`: the one this person is
  // joined with, by the source's duplicates: rule; `notes` says which and why.
  const hr::SourceRecord* choose_joined(std::size_t i, const Entry& entry, const std::string& key,
                                        std::vector<std::string>& notes) {
    const auto& j = job.joins[i];
    std::vector<const hr::SourceRecord*> all{entry.first};
    all.insert(all.end(), entry.more.begin(), entry.more.end());
    const Duplicates rule = indexes[i].source ? indexes[i].source->duplicates : Duplicates::PreferActive;
    std::size_t pick = rule == Duplicates::Last ? all.size() - 1 : 0;
    std::string why = rule == Duplicates::Last ? "the last record" : "the first record";
    std::string listed;
    if (rule == Duplicates::PreferActive) {
      std::vector<std::pair<bool, std::string>> facts;
      for (std::size_t k = i + 1; k < job.joins.size(); ++k) scope.set(job.joins[k].right_source, nullptr);
      for (const auto* c : all) {
        scope.set(j.right_source, c);
        facts.push_back(activity());
      }
      pick = choose(facts, why);
      for (std::size_t k = 0; k < all.size(); ++k)
        listed += fmt::format("{}{} {}", k ? ", " : "", all[k]->origin, facts[k].first ? "active" : "inactive");
    } else {
      for (std::size_t k = 0; k < all.size(); ++k) listed += (k ? ", " : "") + all[k]->origin;
    }
    notes.push_back(fmt::format("{} records of {} have {} '{}' ({}); joined {}: {} (duplicates: {})", all.size(),
                                j.right_source, j.right_field.empty() ? "the join key" : j.right_field, key, listed,
                                all[pick]->origin, why, to_string(rule)));
    return all[pick];
  }

  // prefer_active among records in file order: the active ones, then the
  // latest hire date, then the later record. `why` says what decided.
  static std::size_t choose(const std::vector<std::pair<bool, std::string>>& facts, std::string& why) {
    std::size_t actives = 0;
    for (const auto& f : facts) actives += f.first;
    const bool by_activity = actives > 0 && actives < facts.size();
    std::size_t best = 0;
    bool dated = false;
    for (std::size_t k = 1; k < facts.size(); ++k) {
      const auto& b = facts[best];
      const auto& c = facts[k];
      if (b.first != c.first) {
        if (c.first) best = k;
        continue;
      }
      if (!c.second.empty() && !b.second.empty() && c.second != b.second) dated = true;
      if (c.second >= b.second) best = k;  // later hire date, or a tie: the later record
    }
    why = by_activity && actives == 1 ? "the only active one"
          : dated ? fmt::format("the {}latest hire date ({})", by_activity ? "active one with the " : "",
                                facts[best].second)
                  : fmt::format("the {}later record", by_activity ? "active one in the " : "");
    return best;
  }

  void resolve_duplicates();
  std::vector<std::string> errors;
};

DesiredBuilder::DesiredBuilder(const JobSpec& job) : state_(std::make_unique<State>(job)) {}
DesiredBuilder::~DesiredBuilder() = default;
DesiredBuilder::DesiredBuilder(DesiredBuilder&&) noexcept = default;
DesiredBuilder& DesiredBuilder::operator=(DesiredBuilder&&) noexcept = default;

void DesiredBuilder::keep_photos_in(PhotoStore* store) { state_->photos = store; }

void DesiredBuilder::reserve(std::size_t n) {
  state_->out.users.reserve(n);
  state_->manager_raw.reserve(n);
}

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
  st.out.joins.resize(st.job.joins.size());
  for (std::size_t i = 0; i < st.job.joins.size(); ++i) {
    const auto& j = st.job.joins[i];
    auto& stats = st.out.joins[i];
    stats.source = j.right_source;
    stats.join = j.text;
    st.indexes[i].source = st.job.source(j.right_source);
    auto it = records.find(j.right_source);
    if (it == records.end()) continue;
    st.indexes[i].by_key.reserve(it->second.size());
    long key_problems = 0;
    std::string first_problem;
    for (const auto& rec : it->second) {
      std::string problem;
      OneRecordScope one(j.right_source, &rec);
      std::string key = join_key(j.right_field, j.right_key, rec, one, problem);
      if (key.empty()) {
        if (!problem.empty() && key_problems++ == 0) first_problem = rec.origin + ": " + problem;
        stats.right_unmatched.push_back(rec.origin);
        continue;
      }
      ++stats.right;
      auto [slot, fresh] = st.indexes[i].by_key.try_emplace(std::move(key));
      if (fresh) slot->second.first = &rec;
      else slot->second.more.push_back(&rec);
    }
    stats.right_keys = static_cast<long>(st.indexes[i].by_key.size());
    if (key_problems > 0)
      st.out.warnings.push_back({"join " + j.text, fmt::format("{} record(s) of {} have no usable join key (first: {})",
                                                              key_problems, j.right_source, first_problem)});
    const auto rule = st.indexes[i].source ? st.indexes[i].source->duplicates : Duplicates::PreferActive;
    if (rule == Duplicates::Error)
      for (const auto& [key, entry] : st.indexes[i].by_key) {
        if (entry.more.empty()) continue;
        std::string origins = entry.first->origin;
        for (const auto* r : entry.more) origins += ", " + r->origin;
        st.out.errors.push_back(fmt::format("{} records of {} have the join key '{}' ({}); duplicates: error",
                                            entry.more.size() + 1, j.right_source, key, origins));
      }
  }
}

void DesiredBuilder::add(const hr::SourceRecord& rec) {
  auto& st = *state_;
  const JobSpec& job = st.job;
  auto& scope = st.scope;
  auto& out = st.out;
  scope.set(job.primary, &rec);
  std::vector<std::string> join_notes;  // duplicates resolved for this person
  std::vector<std::size_t> missed;      // joins that found nothing for this person
  for (std::size_t i = 0; i < job.joins.size(); ++i) {
    const auto& j = job.joins[i];
    auto& stats = out.joins[i];
    ++stats.left;
    const hr::SourceRecord* left = scope.get(j.left_source);
    const hr::SourceRecord* match = nullptr;
    if (left) {
      std::string problem;
      std::string key = join_key(j.left_field, j.left_key, *left, scope, problem);
      if (!key.empty()) {
        auto it = st.indexes[i].by_key.find(key);
        if (it != st.indexes[i].by_key.end()) {
          auto& entry = it->second;
          entry.matched = true;
          match = entry.first;
          if (!entry.more.empty()) match = st.choose_joined(i, entry, key, join_notes);
        }
      }
    }
    if (match) ++stats.matched;
    else missed.push_back(i);
    scope.set(j.right_source, match);
  }

  DesiredUser user;
  user.fields.reserve(st.field_count);  // one allocation of the exact size per user
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
    if (field == "externalId") user.external_id = text::trim_ascii(first_string_or_bool(*value));
    else if (field == "userName") user.user_name = text::trim_ascii(first_string_or_bool(*value));
    else if (field == "active") {
      user.active = mapping::truthy(*value);
      if (!user.active) user.inactive_reason = "mapping.active " + tmpl.text() + " is false";
    }
    else if (field == "manager") manager = text::trim_ascii(first_string_or_bool(*value));
    else if (!value->is_null()) {
      if (!st.date_fields.empty() && !st.normalise_date(field, *value, rec.origin)) continue;
      user.fields[field] = std::move(*value);
    }
  }
  if (failure.empty() && user.external_id.empty()) failure = "mapping.externalId is empty";
  if (failure.empty() && user.user_name.empty()) failure = "mapping.userName is empty";
  auto report_joins = [&](const std::string& who) {
    for (auto i : missed) out.joins[i].left_unmatched.push_back(who);
    for (auto& note : join_notes) out.warnings.push_back({who, std::move(note)});
  };
  if (!failure.empty()) {
    out.warnings.push_back({rec.origin, failure + "; employee not synced"});
    ++out.skipped;
    report_joins(rec.origin);
    scope.set(job.primary, nullptr);
    return;
  }
  if (!missed.empty() || !join_notes.empty()) report_joins("user " + user.user_name + " (" + rec.origin + ")");
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
      if (!values->empty()) ++st.users_in_groups;
      // A group search delivers each group's stable id and platform name
      // beside its DN (kGroupIdField): the group is known by the id.
      const auto* ids = scope.find(job.groups->from.source, kGroupIdField);
      const auto* names = scope.find(job.groups->from.source, kGroupNameField);
      const bool keyed = ids && names && ids->size() == values->size() && names->size() == values->size();
      std::set<std::string> seen;
      for (std::size_t i = 0; i < values->size(); ++i) {
        const std::string& v = (*values)[i];
        // Patterns match the value as written (a DN) or the group's name,
        // so both "CN=intranet-*,OU=Groups,..." and "intranet-*" work.
        std::string name = keyed ? (*names)[i] : group_name(*job.groups, v);
        auto matches = [&](const std::string& p) { return glob_match(p, v) || glob_match(p, name); };
        bool included = job.groups->include.empty();
        for (const auto& p : job.groups->include) included |= matches(p);
        for (const auto& p : job.groups->exclude) included &= !matches(p);
        if (!included) continue;
        if (!seen.insert(keyed ? "\x01" + (*ids)[i] : name).second) continue;
        user.groups.push_back(std::move(name));
        if (keyed) user.group_keys.push_back((*ids)[i]);
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

void DesiredBuilder::State::resolve_duplicates() {
  // Records that become the same account (the same externalId: a rehire
  // keeps the personnel number) are one person: the primary source's
  // duplicates: rule picks the record that is synced.
  // Cheap first pass (this runs on every plan): sort the ids' hashes; only
  // users whose hash occurs twice are compared by id.
  std::vector<std::pair<std::size_t, std::size_t>> hashes;  // (hash, index)
  hashes.reserve(out.users.size());
  for (std::size_t k = 0; k < out.users.size(); ++k)
    hashes.emplace_back(std::hash<std::string_view>{}(out.users[k].external_id), k);
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::size_t> suspects;
  for (std::size_t i = 0; i < hashes.size(); ++i)
    if ((i + 1 < hashes.size() && hashes[i + 1].first == hashes[i].first) ||
        (i > 0 && hashes[i - 1].first == hashes[i].first))
      suspects.push_back(hashes[i].second);
  if (suspects.empty()) return;
  std::sort(suspects.begin(), suspects.end());  // record order
  std::unordered_map<std::string_view, std::size_t> first_of;
  std::vector<std::vector<std::size_t>> groups;  // indexes into out.users, in record order
  std::unordered_map<std::size_t, std::size_t> group_of;
  for (std::size_t k : suspects) {
    auto [it, fresh] = first_of.try_emplace(out.users[k].external_id, k);
    if (fresh) continue;
    auto [g, new_group] = group_of.try_emplace(it->second, groups.size());
    if (new_group) groups.push_back({it->second});
    groups[g->second].push_back(k);
  }
  if (groups.empty()) return;
  const Duplicates rule = primary ? primary->duplicates : Duplicates::PreferActive;
  std::vector<char> drop(out.users.size(), 0);
  for (const auto& g : groups) {
    std::string listed;
    std::vector<std::pair<bool, std::string>> facts;
    for (auto k : g) {
      const auto& u = out.users[k];
      std::string hired;
      if (auto h = u.fields.find("hireDate"); h != u.fields.end()) hired = iso_date(first_string(h->second));
      facts.emplace_back(u.active, hired);
      listed += fmt::format("{}{} {}", listed.empty() ? "" : ", ", u.origin, u.active ? "active" : "inactive");
    }
    const std::string& ext = out.users[g.front()].external_id;
    if (rule == Duplicates::Error) {
      errors.push_back(fmt::format("{} records of {} become externalId '{}' ({}); duplicates: error", g.size(),
                                   job.primary, ext, listed));
      continue;
    }
    std::size_t pick = rule == Duplicates::Last ? g.size() - 1 : 0;
    std::string why = rule == Duplicates::Last ? "the last record" : "the first record";
    if (rule == Duplicates::PreferActive) pick = choose(facts, why);
    for (std::size_t k = 0; k < g.size(); ++k)
      if (k != pick) drop[g[k]] = 1;
    const auto& kept = out.users[g[pick]];
    out.warnings.push_back({"user " + kept.user_name,
                            fmt::format("{} records of {} have externalId '{}' ({}); synced {}: {} (duplicates: {})",
                                        g.size(), job.primary, ext, listed, kept.origin, why, to_string(rule))});
  }
  std::size_t w = 0;
  for (std::size_t k = 0; k < out.users.size(); ++k) {
    if (drop[k]) continue;
    if (w != k) {
      out.users[w] = std::move(out.users[k]);
      manager_raw[w] = std::move(manager_raw[k]);
    }
    ++w;
  }
  out.users.resize(w);
  manager_raw.resize(w);
}

DesiredSet DesiredBuilder::finish() {
  auto& st = *state_;
  auto& out = st.out;
  st.resolve_duplicates();
  for (const auto& d : st.date_fields) {
    if (d.bad == 0) continue;
    std::string sources;
    for (const auto& n : d.sources) sources += (sources.empty() ? "" : ", ") + n;
    out.warnings.push_back(
        {"mapping." + d.field,
         fmt::format("{} value(s) are not YYYY-MM-DD dates (first: {}); they are not sent. Give the source's "
                     "pattern (dates: 'dd.MM.yyyy' on source {}) or convert in the mapping: | date('dd.MM.yyyy')",
                     d.bad, d.first_bad, sources.empty() ? "?" : sources)});
  }
  // A job that maps groups and reads no membership at all would empty every
  // group it fills: say so (OpenLDAP without the memberof overlay, a group
  // search below the wrong base).
  if (st.job.groups && !out.users.empty() && st.users_in_groups == 0) {
    const auto& from = st.job.groups->from;
    const auto* src = st.job.source(from.source);
    std::string hint = from.field == "groups" && src && src->config.contains("groups")
                           ? "check sources." + from.source + ".groups (base_dn, filter) and that its groups list "
                             "the users (member, uniqueMember, memberUid)"
                       : src && src->type == "ldap"
                           ? "OpenLDAP keeps memberOf only with the memberof overlay; read membership from the "
                             "groups themselves with sources." + from.source + ".groups (docs/SYNC-SOURCES.md)"
                           : "check the field";
    out.warnings.push_back({"groups.from",
                            fmt::format("none of the {} employees has a value in {}.{}: nobody is in any group, "
                                        "so members this job added before are removed; {}",
                                        out.users.size(), from.source, from.field, hint)});
  }
  // Right records no left record found (by key; duplicates count once each).
  for (std::size_t i = 0; i < st.indexes.size() && i < out.joins.size(); ++i)
    for (const auto& [key, entry] : st.indexes[i].by_key)
      if (!entry.matched) {
        out.joins[i].right_unmatched.push_back(entry.first->origin);
        for (const auto* r : entry.more) out.joins[i].right_unmatched.push_back(r->origin);
      }
  for (auto& j : out.joins) std::sort(j.right_unmatched.begin(), j.right_unmatched.end());
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
  out.errors.insert(out.errors.end(), st.errors.begin(), st.errors.end());
  DesiredSet result = std::move(out);
  state_ = std::make_unique<State>(st.job);
  return result;
}

DesiredSet build_desired(const JobSpec& job, const SourceRecords& records, PhotoStore* photos) {
  DesiredBuilder builder(job);
  builder.keep_photos_in(photos);
  builder.index_joins(records);
  if (auto it = records.find(job.primary); it != records.end()) {
    builder.reserve(it->second.size());
    for (const auto& rec : it->second) builder.add(rec);
  }
  return builder.finish();
}

}  // namespace daoctl::sync
