#include "commands/sync/incremental.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "commands/common/context.hpp"
#include "connectors/local/files.hpp"
#include "core/ldap/dn.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands::sync_incremental {

using nlohmann::json;

namespace {

// Tabs, newlines and backslashes escaped: one record per line whatever the
// external ids and DNs hold.
void put_field(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

std::string take_field(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      ++i;
      out += v[i] == 't' ? '\t' : v[i] == 'n' ? '\n' : v[i];
    } else {
      out += v[i];
    }
  }
  return out;
}

// The whole file in one read: local::read_file copies through a
// stringstream, which on a 10 MB index was a quarter of a change set's CPU.
// nullopt when the file does not exist.
std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    auto r = local::read_file(path);  // its error, named as everywhere else
    if (!r && r.error().kind == ErrorKind::NotFound) return std::nullopt;
    if (!r) throw CommandError(r.error());
    return std::move(*r);
  }
  std::string text(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size())))
    throw CommandError(ErrorKind::Io, "cannot read", path, std::strerror(errno));
  return text;
}

struct IndexLine {
  std::string_view uuid, external_id, dn;  // as written: escaped
};

// Calls f(IndexLine) for each line of an index file's text; a line that is
// not uuid<TAB>externalId<TAB>dn is an error naming path:line.
template <typename F>
void each_index_line(std::string_view text, const std::string& path, F&& f) {
  long line = 0;
  while (!text.empty()) {
    ++line;
    auto nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (l.empty()) continue;
    auto t1 = l.find('\t');
    auto t2 = t1 == std::string_view::npos ? t1 : l.find('\t', t1 + 1);
    if (t2 == std::string_view::npos)
      throw CommandError(ErrorKind::Config, fmt::format("{}:{}: not uuid<TAB>externalId<TAB>dn", path, line), path,
                         "", "delete the file and its .cursor.json beside it: the next run is a full one");
    f(IndexLine{l.substr(0, t1), l.substr(t1 + 1, t2 - t1 - 1), l.substr(t2 + 1)});
  }
}

std::string escaped(std::string_view v) {
  std::string out;
  put_field(out, v);
  return out;
}

void put_index_line(std::string& out, std::string_view uuid, const IndexEntry& e) {
  out += uuid;
  out += '\t';
  put_field(out, e.external_id);
  out += '\t';
  put_field(out, e.dn);
  out += '\n';
}

// "uid=a,ou=it,dc=x" -> "ou=it,dc=x" (escaped commas are part of the RDN).
std::string parent_dn(std::string_view dn) {
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;
      continue;
    }
    if (dn[i] == ',') return std::string(dn.substr(i + 1));
  }
  return {};
}

std::string window_path(const std::string& state_dir, const std::string& job) {
  return state_dir + "/" + job + ".window.json";
}

json load_window(const std::string& path) {
  auto text = local::read_file(path);
  if (!text) return json::array();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("deactivations") || !j["deactivations"].is_array())
    throw CommandError(ErrorKind::Config, "the deactivation window is not JSON with a deactivations list", path, "",
                       "delete it to start a new window");
  return j["deactivations"];
}

}  // namespace

long recent_deactivations(const std::string& state_dir, const std::string& job, std::int64_t window_seconds,
                          std::chrono::system_clock::time_point now) {
  if (window_seconds <= 0) return 0;
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  long sum = 0;
  for (const auto& e : load_window(window_path(state_dir, job)))
    if (e.is_object() && t - e.value("at", std::int64_t{0}) < window_seconds) sum += e.value("count", 0L);
  return sum;
}

Status record_deactivations(const std::string& state_dir, const std::string& job, std::int64_t window_seconds,
                            std::chrono::system_clock::time_point now, long count) {
  if (window_seconds <= 0 || count <= 0) return {};
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json kept = json::array();
  for (const auto& e : load_window(window_path(state_dir, job)))
    if (e.is_object() && t - e.value("at", std::int64_t{0}) < window_seconds) kept.push_back(e);
  kept.push_back({{"at", t}, {"count", count}});
  json doc = {{"job", job}, {"window_seconds", window_seconds}, {"deactivations", kept}};
  return local::write_file_atomic(window_path(state_dir, job), doc.dump(2) + "\n", 0600);
}

std::string cursor_path(const std::string& state_dir, const std::string& job, const std::string& source) {
  return state_dir + "/" + job + "." + source + ".cursor.json";
}

std::string index_path(const std::string& state_dir, const std::string& job, const std::string& source) {
  return state_dir + "/" + job + "." + source + ".index.tsv";
}

std::optional<Cursor> load_cursor(const std::string& state_dir, const std::string& job, const std::string& source) {
  const std::string path = cursor_path(state_dir, job, source);
  auto text = local::read_file(path);
  if (!text) {
    if (text.error().kind == ErrorKind::NotFound) return std::nullopt;
    throw CommandError(text.error());
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("cookie") || !j["cookie"].is_string())
    throw CommandError(ErrorKind::Config, "the sync cursor is not a JSON object with a cookie", path, "",
                       "delete it: the next run is a full one");
  Cursor c;
  c.cookie = j["cookie"].get<std::string>();
  c.saved_at = j.value("saved_at", "");
  c.last_change_at = j.value("last_change_at", "");
  c.employees = j.value("employees", 0L);
  c.full_at = j.value("full_at", "");
  return c;
}

void begin(Run& run, const sync::JobSpec& job, const std::string& state_dir) {
  const sync::SourceSpec* primary = job.source(job.primary);
  if (!primary || primary->type != "ldap")
    throw CommandError(ErrorKind::Usage, "--incremental follows an ldap source", "job " + job.name,
                       fmt::format("the primary source {} is of type {}", job.primary, primary ? primary->type : "?"),
                       "run sync apply without --incremental");
  run.job = job.name;
  run.source = job.primary;
  run.state_dir = state_dir;
  if (auto c = load_cursor(state_dir, job.name, run.source)) run.cursor = *c;
  run.changes.cookie = run.cursor.cookie;
  if (run.changes.cookie.empty()) {
    run.full_reason = "no saved cookie";
  } else {
    const std::string path = index_path(state_dir, job.name, run.source);
    run.index_text = read_whole(path).value_or("");
    each_index_line(run.index_text, path, [](const IndexLine&) {});  // malformed: say so now
    run.employees = run.cursor.employees;
    if (run.index_text.empty() && run.cursor.employees > 0)
      fall_back(run, "the index of synced entries is missing");
  }
  // The periodic full read. A refresh can end with a cookie past a
  // deletion it did not list, and no later refresh from that cookie lists
  // it: e2e: sync_watch saw it once under load (a burst of 300 deletions,
  // one left active, its entry still in the index). slapd's syncprov moves
  // the contextCSN before it appends the deletion to the sessionlog; a
  // refresh between the two gets the new cookie without the deletion
  // (bench/syncprov_race.sh). content_sync_refresh now keeps the cookie
  // before that window (ldap_sync.hpp); this read bounds whatever else a
  // change log misses.
  if (run.full_every_seconds > 0 && !run.changes.cookie.empty()) {
    const auto last = text::parse_rfc3339(run.cursor.full_at);
    const auto every = std::chrono::duration<double>(run.full_every_seconds);
    if (!last || run.now - *last >= every)
      fall_back(run, fmt::format("the periodic full read, every {:g} s: it finds deletions by absence, which a "
                                 "change log can miss",
                                 run.full_every_seconds));
  }
  run.changes.on_uuid = [&run](std::string_view uuid, const hr::SourceRecord& r) {
    std::lock_guard lock(run.mu);
    run.uuid_of_origin[r.origin] = std::string(uuid);
  };
  run.changes.on_delete = [&run](std::string_view uuid) -> Status {
    std::lock_guard lock(run.mu);
    run.deleted_uuids.emplace_back(uuid);
    return {};
  };
}

void fall_back(Run& run, std::string reason) {
  run.fell_back = true;
  run.full_reason = std::move(reason);
  run.scoped = false;
  run.changes.cookie.clear();
  run.changes.new_cookie.clear();
  run.changes.stale = false;
  run.changes.deletes = 0;
  run.index_text.clear();
  run.index_text.shrink_to_fit();
  run.full_index.clear();
  run.index_edits.clear();
  run.employees = 0;
  run.uuid_of_origin.clear();
  run.deleted_uuids.clear();
  run.scope.clear();
}

Index index_find(std::string_view text, const std::unordered_set<std::string>& uuids, const std::string& path) {
  Index found;
  if (uuids.empty()) return found;
  each_index_line(text, path, [&](const IndexLine& l) {
    if (auto it = uuids.find(std::string(l.uuid)); it != uuids.end())
      found[*it] = {take_field(l.external_id), take_field(l.dn)};
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> scope_change_set(Run& run, std::vector<sync::DesiredUser>& users,
                                                                 const sync::JobSpec& job) {
  const std::string path = index_path(run.state_dir, run.job, run.source);
  std::vector<std::pair<std::string, std::string>> lookups;
  std::unordered_set<std::string_view> in_batch;
  for (const auto& d : users) in_batch.insert(d.external_id);
  // Managers named by the DN of someone outside the change set: the index
  // knows whom, in one scan for all of them (matched as written: escaped).
  std::unordered_map<std::string, std::string> ext_of_dn;  // escaped canonical DN -> externalId
  for (const auto& d : users) {
    auto m = d.fields.find("manager");
    if (m == d.fields.end()) continue;
    const std::string* raw = m->second.string();
    if (raw && !raw->empty() && !in_batch.count(*raw)) ext_of_dn.emplace(escaped(ldap::canonical_dn(*raw)), "");
  }
  if (!ext_of_dn.empty())
    each_index_line(run.index_text, path, [&](const IndexLine& l) {
      if (auto it = ext_of_dn.find(std::string(l.dn)); it != ext_of_dn.end()) it->second = take_field(l.external_id);
    });
  for (auto& d : users) {
    run.scope.insert(d.external_id);
    ++run.changed;
    lookups.emplace_back("externalId", d.external_id);
    // A new employee may link to (or collide with) an account by name.
    lookups.emplace_back("userName", d.user_name);
    auto m = d.fields.find("manager");
    if (m == d.fields.end()) continue;
    const std::string* raw = m->second.string();
    if (!raw || raw->empty()) continue;
    if (in_batch.count(*raw)) continue;
    if (auto it = ext_of_dn.find(escaped(ldap::canonical_dn(*raw))); it != ext_of_dn.end() && !it->second.empty())
      m->second = mapping::Value(it->second);
    lookups.emplace_back("externalId", m->second.string() ? *m->second.string() : *raw);
  }
  const std::unordered_set<std::string> deleted(run.deleted_uuids.begin(), run.deleted_uuids.end());
  const Index gone = index_find(run.index_text, deleted, path);
  std::unordered_map<std::string, long> deleted_under;  // parent DN -> deletions
  for (const auto& uuid : run.deleted_uuids) {
    auto it = gone.find(uuid);
    if (it == gone.end()) continue;  // never an employee of this job (filtered out, never mapped)
    if (run.scope.insert(it->second.external_id).second) {
      ++run.deleted;
      ++deleted_under[parent_dn(it->second.dn)];
      lookups.emplace_back("externalId", it->second.external_id);
    }
  }
  // A subtree all of whose employees go at once: the stream guard decides.
  if (!deleted_under.empty()) {
    std::unordered_map<std::string, long> had;
    each_index_line(run.index_text, path, [&](const IndexLine& l) {
      // An escaped line (a backslash in the DN) is unescaped before its
      // parent is taken: the file's "\\," is the DN's "\,".
      const std::string dn = l.dn.find('\\') == std::string_view::npos ? std::string() : take_field(l.dn);
      if (auto p = parent_dn(dn.empty() ? l.dn : std::string_view(dn)); deleted_under.count(p)) ++had[p];
    });
    for (const auto& [p, n] : deleted_under)
      if (had[p] == n) run.vanished.emplace_back(p, n);
    std::sort(run.vanished.begin(), run.vanished.end());
  }
  (void)job;
  return lookups;
}

void update_index(Run& run, const std::vector<sync::DesiredUser>& users) {
  // entryUUID -> the entry as this run leaves it.
  Index now;
  for (const auto& d : users) {
    auto it = run.uuid_of_origin.find(d.origin);
    if (it == run.uuid_of_origin.end()) continue;
    // The DN is the origin's tail: "<url>/<dn>".
    std::string dn = d.origin;
    if (auto scheme = dn.find("://"); scheme != std::string::npos)
      if (auto slash = dn.find('/', scheme + 3); slash != std::string::npos) dn = dn.substr(slash + 1);
    now[it->second] = {d.external_id, ldap::canonical_dn(dn)};
  }
  if (!run.scoped) {
    run.full_index = std::move(now);
    run.employees = static_cast<long>(run.full_index.size());
    return;
  }
  // A change set: only what differs from the file is an edit.
  std::unordered_set<std::string> touched(run.deleted_uuids.begin(), run.deleted_uuids.end());
  for (const auto& [uuid, e] : now) touched.insert(uuid);
  const Index before = index_find(run.index_text, touched, index_path(run.state_dir, run.job, run.source));
  run.index_edits.clear();
  run.employees = run.cursor.employees;
  for (const auto& uuid : run.deleted_uuids)
    if (before.count(uuid) && !now.count(uuid) && run.index_edits.emplace(uuid, std::nullopt).second) --run.employees;
  for (auto& [uuid, e] : now) {
    auto it = before.find(uuid);
    if (it != before.end() && it->second == e) continue;  // a title changed: the index did not
    if (it == before.end()) ++run.employees;
    run.index_edits[uuid] = std::move(e);
  }
}

Status save(const Run& run, std::chrono::system_clock::time_point now, bool applied_changes) {
  const std::string path = index_path(run.state_dir, run.job, run.source);
  if (!run.scoped) {
    std::string tsv;
    tsv.reserve(run.full_index.size() * 112);
    for (const auto& [uuid, e] : run.full_index) put_index_line(tsv, uuid, e);
    if (auto st = local::write_file_atomic(path, tsv, 0600); !st) return st;
  } else if (!run.index_edits.empty()) {
    // The file's lines but the edited ones, then the edited entries.
    std::string tsv;
    tsv.reserve(run.index_text.size() + run.index_edits.size() * 112);
    try {
      each_index_line(run.index_text, path, [&](const IndexLine& l) {
        if (run.index_edits.count(std::string(l.uuid))) return;
        tsv.append(l.uuid.data(), static_cast<std::size_t>(l.dn.data() + l.dn.size() - l.uuid.data()));
        tsv += '\n';
      });
    } catch (const CommandError& e) {
      return std::unexpected(e.error());
    }
    for (const auto& [uuid, e] : run.index_edits)
      if (e) put_index_line(tsv, uuid, *e);
    if (auto st = local::write_file_atomic(path, tsv, 0600); !st) return st;
  }
  // No new cookie from the server: nothing changed since the one we have.
  const std::string cookie = run.changes.new_cookie.empty() ? run.changes.cookie : run.changes.new_cookie;
  json j = {{"job", run.job},
            {"source", run.source},
            {"cookie", cookie},
            {"saved_at", text::format_rfc3339(now)},
            {"last_change_at", applied_changes ? text::format_rfc3339(now) : run.cursor.last_change_at},
            {"employees", run.employees},
            {"full_at", run.scoped ? run.cursor.full_at : text::format_rfc3339(now)}};
  return local::write_file_atomic(cursor_path(run.state_dir, run.job, run.source), j.dump(2) + "\n", 0600);
}

}  // namespace daoctl::commands::sync_incremental
