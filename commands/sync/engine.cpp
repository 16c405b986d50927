#include "commands/sync/engine.hpp"

#include <fmt/format.h>

#include <ctime>
#include <future>

#include "commands/common/job_report.hpp"
#include "connectors/local/time_zone.hpp"
#include "connectors/local/files.hpp"
#include "connectors/local/photo_spool.hpp"
#include "core/text/date.hpp"
#include "connectors/sources/job_sources.hpp"

namespace daoctl::commands::sync_engine {

using nlohmann::json;

namespace {

std::string dirname_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string state_file(const Session& s) { return s.state_dir + "/" + s.job.name + ".state.json"; }

std::map<std::string, long> previous_counts(const Session& s) {
  std::map<std::string, long> out;
  auto text = local::read_file(state_file(s));
  if (!text) return out;
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("source_records")) return out;
  for (const auto& [k, v] : j["source_records"].items())
    if (v.is_number_integer()) out[k] = v.get<long>();
  return out;
}

std::string colour(CommandContext& ctx, const char* code, const std::string& text) {
  return ctx.io().colour() ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

// A value in the text plan: strings JSON-quoted ("O\"Brien", control
// characters escaped), so a value with quotes or spaces reads one way only.
std::string show(const mapping::Value& v) {
  if (v.is_null()) return "(none)";
  if (const auto* b = v.boolean()) return *b ? "true" : "false";
  json j;
  mapping::to_json(j, v);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string quoted(const std::string& s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

// "ivanov, petrov, … and 12 more": a list of people for one line of text.
std::string names_line(const std::vector<std::string>& names, const std::vector<std::string>& fallback) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(names.size() > 12 ? 10 : names.size(), names.size());
  for (std::size_t i = 0; i < shown; ++i)
    out += (i ? ", " : "") + (names[i].empty() && i < fallback.size() ? fallback[i] : names[i]);
  if (shown < names.size()) out += fmt::format(", … and {} more (-o json lists all)", names.size() - shown);
  return out;
}

std::string outcome_text(const sync::CollisionParty& p) {
  if (p.outcome == "keeps") return "keeps it";
  if (p.outcome == "holds") return "holds it (" + p.origin + ")";
  if (p.outcome == "renamed") return "gets " + quoted(p.new_value);
  if (p.outcome == "deferred") return "waits: the value is freed by this plan, taken by the next run";
  if (p.outcome == "left_out") return p.id.empty() ? "left out: not created" : "left out: keeps its current value";
  return p.outcome;
}

using SourceReads = std::vector<std::future<Result<sources::SourceData>>>;

// `streamed`, when set, maps the primary source's records as they arrive
// (on the reading thread) instead of holding them for build_desired.
SourceReads start_source_reads(const Session& s, const SyncOptions& opts, sync::DesiredBuilder* streamed = nullptr,
                               sources::LdapChanges* changes = nullptr,
                               const sync_conditional::Validators* validators = nullptr) {
  SourceReads reads;
  sources::SourceReadOptions ropts;
  ropts.base_dir = dirname_of(opts.job_file);
  ropts.now = std::chrono::time_point_cast<std::chrono::seconds>(s.started);
  ropts.make_transport = [](const std::string& ca_file) {
    http::TransportOptions t;
    t.ca_file = ca_file;
    return platform::make_curl_transport(t);
  };
  for (const auto& src : s.job.sources) {
    auto fields = s.job.fields_of(src.name);
    auto options = ropts;
    if (changes && src.name == s.job.primary) options.changes = changes;
    if (validators)
      if (auto v = validators->find(src.name); v != validators->end()) options.http_validators = v->second;
    if (streamed && src.name == s.job.primary)
      options.on_record = [streamed](hr::SourceRecord&& r) -> Status {
        streamed->add(r);
        return {};
      };
    reads.push_back(std::async(std::launch::async, [src, fields, options] {
      return sources::read_source(src, fields, options);
    }));
  }
  return reads;
}

// Waits for every read. Throws CommandError (Safety) if one failed.
// With `validators`, also what each http_json read returned for the next
// conditional read, and the sources that answered "not modified".
sync::SourceRecords finish_source_reads(SourceReads& reads, std::map<std::string, SourceStat>& stats,
                                        std::vector<sync::PlanWarning>* warnings = nullptr,
                                        sync_conditional::Validators* validators = nullptr,
                                        std::vector<std::string>* not_modified = nullptr) {
  sync::SourceRecords records;
  std::optional<Error> source_failure;
  for (auto& r : reads) {
    auto data = r.get();
    if (!data) {
      if (!source_failure) source_failure = data.error();
      continue;
    }
    stats[data->name] = {static_cast<long>(data->report.records),
                         static_cast<double>(data->elapsed.count()) / 1000.0};
    records[data->name] = std::move(data->records);
    if (validators && !data->http_validators.empty()) (*validators)[data->name] = std::move(data->http_validators);
    if (not_modified && data->not_modified) not_modified->push_back(data->name);
    if (warnings)
      for (auto& w : data->warnings) warnings->push_back({"source " + data->name, std::move(w)});
  }
  if (source_failure) {
    // A failed read is never "everyone left": stop before any plan exists.
    Error e = *source_failure;
    e.kind = ErrorKind::Safety;
    e.hint = (e.hint.empty() ? "" : e.hint + "; ") + std::string("nothing was changed");
    throw CommandError(e);
  }
  return records;
}

}  // namespace

// The run's photo spool, when the job maps a photo: desired photos wait for
// apply on disk rather than in memory (20 KB each; 2 GB for 100k
// employees). A spool that cannot be made is a warning, not a failure.
static std::optional<sync::PlanWarning> open_photo_store(Session& s) {
  if (s.photo_store || s.job.template_for("photo") == nullptr) return std::nullopt;
  auto spool = local::PhotoSpool::open();
  if (!spool)
    return sync::PlanWarning{"photos", spool.error().describe() + "; this run holds photos in memory"};
  s.photo_store = std::move(*spool);
  return std::nullopt;
}

void load_photo_bytes(Session& s, const SyncOptions& opts) {
  if (s.plan.photos.empty()) return;
  if (auto warning = open_photo_store(s)) s.plan.warnings.push_back(*warning);
  auto reads = start_source_reads(s, opts);
  std::map<std::string, SourceStat> stats;
  auto records = finish_source_reads(reads, stats);
  auto desired = sync::build_desired(s.job, records, s.photo_store.get());
  records.clear();
  s.photo_bytes = sync::take_photo_bytes(s.plan, desired.users);
}

std::string today_local(std::chrono::system_clock::time_point now) {
  std::time_t tt = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string ledger_path(const std::string& state_dir, const std::string& job) {
  return state_dir + "/" + job + ".deprovision.json";
}

deprovision::Ledger load_ledger(const std::string& path) {
  auto text = local::read_file(path);
  if (!text) return {};
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded())
    throw CommandError(ErrorKind::Config, "the deprovisioning ledger is not JSON", path, "",
                       "restore it from a backup; deleting it restarts every grace period and stops reactivations");
  return value_or_throw(deprovision::Ledger::from_json(doc, path));
}

sync::JobSpec load_job_file(const std::string& path, const std::string& today,
                            std::optional<std::chrono::system_clock::time_point> now) {
  if (path.empty())
    throw CommandError(ErrorKind::Usage, "no job file given", "", "", "pass -f sync.yaml");
  auto text = local::read_file(path);
  if (!text) {
    Error e = text.error();
    e.kind = ErrorKind::Config;
    e.message = "cannot read the job file";
    throw CommandError(e);
  }
  return value_or_throw(sync::load_job(*text, path, {today, now, local::date_in_zone}));
}

sync::JobSpec load_job_file(const std::string& path, const std::string& today) {
  return load_job_file(path, today, std::nullopt);
}

Session prepare(const SyncOptions& opts, CommandContext& ctx, bool read_sources, sync_incremental::Run* inc) {
  Session s;
  s.started = ctx.now();
  if (opts.conditional) s.job_sha256 = sync_conditional::job_fingerprint(opts.job_file);
  // Without --today, `today` is the clock read in deprovision.timezone.
  s.job = load_job_file(opts.job_file, opts.today, s.started);
  s.today = s.job.today;
  s.state_dir = opts.state_dir.empty() ? local::default_state_dir() : opts.state_dir;
  value_or_throw(local::make_dirs(s.state_dir));
  s.ledger = load_ledger(ledger_path(s.state_dir, s.job.name));
  // Like --insecure: a job that turns certificate checks off says so on every run.
  for (const auto& src : s.job.sources)
    if (src.config.is_object() && src.config.value("insecure", false) == true)
      ctx.warn(fmt::format("source {}: TLS certificate verification is DISABLED (insecure: true): anyone on the "
                           "network path can read the bind password and the directory; set ca_file instead",
                           src.name));

  const json& p = s.job.platform;
  if (!ctx.global.context && p.contains("context")) ctx.global.context = p["context"].get<std::string>();
  if (!ctx.global.url && p.contains("url")) ctx.global.url = p["url"].get<std::string>();
  if (!ctx.global.ca_file && p.contains("ca_file")) ctx.global.ca_file = p["ca_file"].get<std::string>();
  // Flags > the job file > defaults, for every apply setting: `sync apply
  // --concurrency` (or the global one) and the global --rate-limit (0 too:
  // no limit) win over apply.concurrency and apply.rate_limit.
  if (opts.concurrency > 0) ctx.global.concurrency = opts.concurrency;
  if (!ctx.global.concurrency) ctx.global.concurrency = s.job.concurrency;
  if (!ctx.global.rate_limit) ctx.global.rate_limit = s.job.rate_limit;
  if (const int attempts = opts.retries > 0 ? opts.retries : s.job.retry_attempts; attempts > 0)
    ctx.global.max_attempts = attempts;
  if (const double wait = opts.max_retry_wait > 0 ? opts.max_retry_wait : s.job.retry_max_wait_seconds; wait > 0)
    ctx.global.max_retry_wait = std::chrono::milliseconds(static_cast<long long>(wait * 1000));
  if (!ctx.global.pacing && !s.job.pacing_mode.empty()) ctx.global.pacing = s.job.pacing_mode;
  if (s.job.pacing_min_rate > 0) ctx.global.pacing_min_rate = s.job.pacing_min_rate;

  // sync watch of HTTP sources: each asked with the validators of the last
  // applied batch, before the platform is touched. All "not modified": the
  // run ends here. Otherwise their complete reads are this run's (a source
  // that answered 304 while another changed has no records: then all are
  // read again, unconditionally, as in a normal run).
  std::optional<sync::SourceRecords> read_first;
  std::vector<sync::PlanWarning> first_warnings;
  if (read_sources && opts.conditional && !inc) {
    const auto saved = sync_conditional::load(s.state_dir, s.job, s.job_sha256);
    if (!saved.empty()) {
      auto first_reads = start_source_reads(s, opts, nullptr, nullptr, &saved);
      std::vector<std::string> not_modified;
      auto got = finish_source_reads(first_reads, s.sources, &first_warnings, &s.http_validators, &not_modified);
      if (not_modified.size() == s.job.sources.size()) {
        s.sources_unchanged = true;
        return s;
      }
      if (not_modified.empty()) {
        read_first = std::move(got);
      } else {
        s.sources.clear();
        s.http_validators.clear();
        first_warnings.clear();
      }
    }
  }

  targets::ScimTargetOptions topts;
  topts.kind = s.job.target == "scim" ? sync::TargetKind::Scim : sync::TargetKind::Platform;
  topts.managed_by = s.job.managed_by();
  s.target = std::make_unique<targets::ScimSyncTarget>(ctx.client(), topts);
  value_or_throw(s.target->discover());

  // Sources are read on their own threads while this one reads the platform.
  // A job without joins maps its records on the reading thread as they
  // arrive: no record is held, and only the plan is left once both reads end
  // (about a third off a no-op plan of 100k users).
  // (Declared before the reads: if reading the platform throws, the reads'
  // futures wait for their threads, which still feed the builder.)
  std::unique_ptr<sync::DesiredBuilder> streamed;
  SourceReads reads;
  std::optional<sync::PlanWarning> spool_warning;
  if (inc) {
    sync_incremental::begin(*inc, s.job, s.state_dir);
    // An interrupted run's block intents are settled against the accounts
    // they name: that needs the whole platform.
    if (!inc->changes.cookie.empty())
      for (const auto& [id, entry] : s.ledger.entries)
        if (entry.state == deprovision::kIntentState) {
          sync_incremental::fall_back(*inc, "an interrupted run left block intents to settle");
          break;
        }
  }
  // A change set is read before the platform, which is then asked only
  // for the accounts it concerns.
  const bool changes_first = read_sources && inc && !inc->changes.cookie.empty();
  if (read_sources) spool_warning = open_photo_store(s);
  if (read_sources && s.job.joins.empty() && !changes_first && !read_first) {
    streamed = std::make_unique<sync::DesiredBuilder>(s.job);
    streamed->keep_photos_in(s.photo_store.get());
    // Sized by the last successful run's count of the primary source (with a
    // little room to grow), so the desired list is allocated once.
    if (auto prev = previous_counts(s); prev[s.job.primary] > 0)
      streamed->reserve(static_cast<std::size_t>(std::min<long>(prev[s.job.primary], 10'000'000)) * 65 / 64 + 16);
  }
  sources::LdapChanges* changes = inc ? &inc->changes : nullptr;
  if (read_sources && !read_first) reads = start_source_reads(s, opts, streamed.get(), changes);
  std::vector<sync::PlanWarning> source_warnings;
  for (const auto& w : s.job.warnings) source_warnings.push_back({"job", w});
  source_warnings.insert(source_warnings.end(), first_warnings.begin(), first_warnings.end());
  sync::SourceRecords records;
  std::optional<sync::DesiredSet> early;  // a change set's desired users
  Result<sync::PlatformState> state = sync::PlatformState{};
  if (changes_first) {
    records = finish_source_reads(reads, s.sources, &source_warnings);
    if (inc->changes.stale) {
      // The server cannot say what was deleted since the cookie: a full
      // run, with every guard, instead of a guess.
      const bool ad = inc->changes.cookie.starts_with("usn;");  // connectors/ldap/ad_changes.hpp
      sync_incremental::fall_back(*inc, ad ? "the directory no longer has the changes since the saved cookie "
                                             "(a cookie of another domain controller, or older than 30 days)"
                                           : "the directory no longer has the changes since the saved cookie "
                                             "(syncprov sessionlog exceeded or e-syncRefreshRequired)");
      records.clear();
      s.sources.clear();
      reads = start_source_reads(s, opts, nullptr, changes);
      state = s.target->read_state();
      records = finish_source_reads(reads, s.sources, &source_warnings);
    } else {
      inc->scoped = s.scoped = true;
      early = sync::build_desired(s.job, records, s.photo_store.get());
      records.clear();
      auto lookups = sync_incremental::scope_change_set(*inc, early->users, s.job);
      state = s.target->read_state_for(lookups, s.job.groups.has_value());
    }
  } else if (read_first) {
    state = s.target->read_state();
    records = std::move(*read_first);
  } else {
    state = s.target->read_state();
    records = finish_source_reads(reads, s.sources, &source_warnings, &s.http_validators);
  }
  if (!state) {
    // Reading the target failed after every retry: nothing was planned, so
    // nothing changed. Say so, and how to retry harder.
    Error e = state.error();
    const bool transient = e.http_status == 429 || e.http_status >= 500 || e.kind == ErrorKind::Network;
    if (transient)
      e.hint = (e.hint.empty() ? "" : e.hint + "; ") +
               std::string("nothing was changed; to retry longer raise apply.retries.attempts and "
                           "apply.retries.max_wait in the job, or pass --retries N --max-retry-wait SECONDS");
    throw CommandError(e);
  }
  s.state = std::move(*state);
  // Blocks an interrupted run announced but never confirmed: settled by the
  // platform's real state before anything is planned from the ledger.
  s.reconciled = deprovision::reconcile_intents(s.ledger, s.state);
  if (!read_sources) return s;

  auto desired = early      ? std::move(*early)
                 : streamed ? streamed->finish()
                            : sync::build_desired(s.job, records, s.photo_store.get());
  if (inc) sync_incremental::update_index(*inc, desired.users);
  if (spool_warning) desired.warnings.insert(desired.warnings.begin(), *spool_warning);
  desired.warnings.insert(desired.warnings.begin(), source_warnings.begin(), source_warnings.end());
  records.clear();
  value_or_throw(sync::check_desired(desired, s.job));  // duplicates: error
  s.skipped_records = desired.skipped;
  sync::PlanOptions popts;
  popts.target = topts.kind;
  popts.job = s.job.name;
  popts.managed_by = s.job.managed_by();
  popts.link_by = s.job.link_by;
  popts.department_separator = s.job.department_separator;
  popts.delete_empty_departments = s.job.delete_empty_departments;
  popts.scim_department_leaf = s.job.scim_department_leaf;
  popts.manage_groups = s.job.groups.has_value();
  auto resolution = [&](const char* field) {
    auto it = s.job.unique.find(field);
    return it != s.job.unique.end() && it->second == "suffix_number" ? sync::UniqueResolution::SuffixNumber
                                                                     : sync::UniqueResolution::Error;
  };
  popts.unique_user_name = resolution("userName");
  popts.unique_email = resolution("email");
  popts.adopt_from.insert(opts.adopt_from.begin(), opts.adopt_from.end());
  popts.leavers_groups_by_pipeline = s.job.dismissal.configured;
  if (s.job.deprovision.contains("dismissed_when"))
    for (const auto& rule : s.job.deprovision["dismissed_when"])
      if (rule == "missing_from_sources") popts.deactivate_missing = true;
  popts.deactivate_missing = popts.deactivate_missing || s.job.dismissal.missing_from_sources();
  // Sync reactivates only what daoctl blocked; an administrator's block stays.
  popts.reactivate_only.emplace();
  for (const auto& [id, entry] : s.ledger.entries)
    if (entry.sync_may_reactivate()) popts.reactivate_only->insert(id);
  for (const auto& d : desired.users)
    if (!d.dismissed_reason.empty()) {
      s.dismissed[d.external_id] = d.dismissed_reason;
      if (!d.dismissed_since.empty()) s.dismissed_since[d.external_id] = d.dismissed_since;
    }
  if (s.scoped) popts.scope = &inc->scope;
  s.plan = sync::compute_plan(desired.users, s.state, popts);
  // The deactivation share is of the accounts the job manages, not of the
  // few a change set fetched: the employees of the last full read.
  if (s.scoped) s.plan.managed_users = std::max<long>(s.plan.managed_users, inc->cursor.employees);
  s.photo_bytes = sync::take_photo_bytes(s.plan, desired.users);
  s.plan.warnings.insert(s.plan.warnings.begin(), desired.warnings.begin(), desired.warnings.end());
  s.plan.created_at = text::format_rfc3339(s.started);
  for (const auto& [name, st] : s.sources) s.plan.source_records[name] = st.records;
  for (const auto& j : desired.joins) s.plan.joins.push_back(j.to_json());
  return s;
}

sync::GuardInput guard_input(const Session& s, const std::string& allow) {
  sync::GuardInput g;
  // A change set's counts are changes: the source-size rules are for full reads.
  if (!s.scoped) {
    g.source_records = s.plan.source_records;
    g.previous_records = previous_counts(s);
  }
  g.allowed_plan_hash = allow;
  return g;
}

void render_plan(const sync::SyncPlan& plan, const Session& s, CommandContext& ctx) {
  auto& out = ctx.io().out();
  out << "Job " << plan.job << " -> " << plan.target << "\n";
  for (const auto& [name, st] : s.sources)
    out << fmt::format("  source {}: {} records ({:.1f} s)\n", name, st.records, st.seconds);
  for (const auto& j : plan.joins)  // -o json lists the unmatched records
    out << fmt::format("  join {}: {} matched, {} without {}, {} {} record(s) without a match\n",
                       j.value("source", ""), j.value("matched", 0L), j.value("left_unmatched", json::array()).size(),
                       j.value("source", ""), j.value("right_unmatched", json::array()).size(), j.value("source", ""));
  auto plus = [&](const std::string& t) { return colour(ctx, "32", "+ " + t); };
  auto tilde = [&](const std::string& t) { return colour(ctx, "33", "~ " + t); };
  auto minus = [&](const std::string& t) { return colour(ctx, "31", "- " + t); };
  if (!plan.departments.empty()) {
    out << "\nDepartments:\n";
    for (const auto& d : plan.departments)
      out << "  " << (d.kind == sync::DepartmentAction::Kind::Create ? plus(d.path) : minus(d.path + " (empty)"))
          << "\n";
  }
  if (!plan.users.empty()) {
    out << "\nUsers:\n";
    for (const auto& u : plan.users) {
      std::string who = u.user_name + (u.id.empty() ? "" : " (id " + u.id + ")");
      if (!u.adopted_from.empty() && u.kind != sync::UserActionKind::Update) who += " (adopted from job " + u.adopted_from + ")";
      switch (u.kind) {
        case sync::UserActionKind::Create:
          out << "  " << plus(who + (u.reason.empty() ? "" : " " + u.reason)) << "\n";
          break;
        case sync::UserActionKind::Deactivate:
          out << "  " << minus(who + " deactivate: " + u.reason) << "\n";
          break;
        case sync::UserActionKind::Reactivate:
          out << "  " << plus(who + " reactivate: " + u.reason) << "\n";
          break;
        case sync::UserActionKind::Link:
          out << "  " << tilde(who + " link: " + u.reason) << "\n";
          break;
        case sync::UserActionKind::Update:
          out << "  " << tilde(u.adopted_from.empty() ? who : who + " adopt: " + u.reason) << "\n";
          break;
      }
      for (const auto& c : u.changes) {
        if (u.kind == sync::UserActionKind::Create)
          out << "      " << c.field << ": " << show(c.after) << "\n";
        else
          out << "      " << c.field << ": " << show(c.before) << " -> " << show(c.after) << "\n";
      }
    }
  }
  if (!plan.managers.empty()) {
    out << "\nManagers:\n";
    // By userName; an id or externalId only where no name is known.
    for (const auto& m : plan.managers)
      out << "  " << tilde(m.user_name.empty() ? m.external_id : m.user_name) << ": "
          << (m.before_id.empty() ? "(none)" : !m.before_user_name.empty() ? m.before_user_name : "id " + m.before_id)
          << " -> "
          << (m.after_external_id.empty()         ? "(none)"
              : !m.after_user_name.empty() ? m.after_user_name
                                           : "externalId " + m.after_external_id)
          << "\n";
  }
  if (!plan.photos.empty()) {
    // "photo: (none) -> 3f2a9c1b0d4e… (10342 bytes)": digests, never bytes.
    auto digest = [](const std::string& sha) { return sha.empty() ? std::string("(none)") : sha.substr(0, 12) + "…"; };
    out << "\nPhotos:\n";
    for (const auto& ph : plan.photos)
      out << "  " << (ph.user_id.empty() ? plus(ph.user_name) : tilde(ph.user_name + " (id " + ph.user_id + ")"))
          << fmt::format(" photo: {} -> {} ({} bytes)\n", digest(ph.before_sha256), digest(ph.after_sha256),
                         ph.after_size);
  }
  if (!plan.groups.empty()) {
    out << "\nGroups:\n";
    for (const auto& g : plan.groups) {
      if (g.kind == sync::GroupAction::Kind::Create) out << "  " << plus(g.name) << "\n";
      else if (g.kind == sync::GroupAction::Kind::Rename)
        out << "  " << tilde(quoted(g.before_name)) << " renamed to " << quoted(g.name) << " (same directory group, "
            << "members kept)\n";
      else if (g.kind == sync::GroupAction::Kind::Link)
        out << "  " << tilde(g.name) << ": becomes directory group " << g.external_id << "\n";
      else if (g.kind == sync::GroupAction::Kind::AddMembers)
        out << "  " << tilde(g.name)
            << fmt::format(": +{} member(s): {}\n", g.members.size(), names_line(g.member_names, g.members));
      else
        out << "  " << tilde(g.name)
            << fmt::format(": -{} member(s): {}\n", g.members.size(), names_line(g.member_names, g.members));
    }
  }
  if (!plan.collisions.empty()) {
    out << "\nCollisions (values two people would hold):\n";
    for (const auto& c : plan.collisions) {
      out << "  " << colour(ctx, c.unresolved() ? "31" : "33", "!") << " " << c.field << " " << quoted(c.value)
          << " (unique." << c.field << ": " << c.resolution << "):\n";
      for (const auto& p : c.parties)
        out << "      " << (p.user_name.empty() ? "(no userName)" : p.user_name)
            << (p.external_id.empty() ? "" : " (externalId " + quoted(p.external_id) + ")")
            << (p.id.empty() ? "" : " (id " + p.id + ")") << ": " << outcome_text(p) << "\n";
    }
  }
  if (!plan.other_jobs.empty()) {
    std::map<std::string, std::vector<std::string>> by_job;
    for (const auto& o : plan.other_jobs) by_job[o.job].push_back(o.user_name);
    out << "\nManaged by other jobs (left alone; adopt with --adopt-from JOB):\n";
    for (const auto& [job, names] : by_job)
      out << fmt::format("  managed by job {}: {} account(s): {}\n", job, names.size(), names_line(names, {}));
  }
  if (!plan.warnings.empty()) {
    ctx.io().err() << "\nWarnings:\n";
    for (const auto& w : plan.warnings)
      ctx.io().err() << "  " << colour(ctx, "33", "!") << " " << w.object << ": " << w.message << "\n";
  }
  long dc = 0, dd = 0;
  for (const auto& d : plan.departments) (d.kind == sync::DepartmentAction::Kind::Create ? dc : dd)++;
  out << "\n"
      << (plan.has_changes() ? "Plan: " : "No changes. ")
      << fmt::format(
             "{} user(s) to create, {} to update, {} to link, {} to deactivate, {} to reactivate; "
             "{} department(s) to create, {} to delete; {} manager change(s); {} photo(s) to upload; "
             "{} group change(s); {} unchanged.\n",
             plan.count(sync::UserActionKind::Create), plan.count(sync::UserActionKind::Update),
             plan.count(sync::UserActionKind::Link), plan.count(sync::UserActionKind::Deactivate),
             plan.count(sync::UserActionKind::Reactivate), dc, dd, plan.managers.size(), plan.photos.size(),
             plan.groups.size(), plan.unchanged_users);
  if (!plan.collisions.empty() || !plan.other_jobs.empty() || plan.adoptions() > 0)
    out << fmt::format("{} collision(s), {} left out; {} account(s) of other jobs left alone; {} to adopt.\n",
                       plan.collisions.size(), plan.unresolved_collisions(), plan.other_jobs.size(),
                       plan.adoptions());
  out << "Plan hash: " << plan.hash() << "\n";
}

json run_summary(const Session& s, const std::string& result, const sync::ApplyReport* report,
                 CommandContext& ctx) {
  auto finished = ctx.now();
  json j;
  j["job"] = s.job.name;
  j["result"] = result;
  j["started_at"] = text::format_rfc3339(s.started);
  j["finished_at"] = text::format_rfc3339(finished);
  j["duration_seconds"] = std::chrono::duration<double>(finished - s.started).count();
  j["sources"] = json::object();
  for (const auto& [name, st] : s.sources) j["sources"][name] = {{"records", st.records}, {"seconds", st.seconds}};
  j["skipped_records"] = s.skipped_records;
  j["plan"] = {{"hash", s.plan_hash()}, {"summary", s.plan.summary_json()}};
  if (report) {
    j["applied"] = {{"succeeded", report->succeeded}, {"failed", report->failed}};
    json errors = json::array();
    for (const auto& i : report->items)
      if (!i.ok && errors.size() < 50) errors.push_back({{"object", i.object}, {"action", i.action}, {"error", i.error}});
    j["errors"] = errors;
  }
  j["http"] = platform::stats_json(ctx.client().stats(), ctx.client().options().pacing);
  return j;
}

void write_reports(const SyncOptions& opts, const Session& s, const std::string& result,
                   const sync::ApplyReport* report, CommandContext& ctx) {
  (void)opts;
  // The files themselves are written by run_reported (commands/common/job_report)
  // in the shape every job command shares; the sync adds its own fields.
  if (JobReport* job = ctx.job_report) {
    json summary = run_summary(s, result, report, ctx);
    const std::string name = s.job.name;
    job->labels["job"] = name;
    for (const auto& [k, v] : summary.items())
      if (k != "errors" && k != "duration_seconds") job->extra[k] = v;
    if (report)
      for (const auto& i : report->items)
        if (!i.ok) job->error(i.object + " (" + i.action + ")", i.error);
    for (const auto& [kind, n] : summary["plan"]["summary"]["users"].items())
      if (n.is_number_integer()) job->count("users_" + kind, n.get<std::int64_t>());
    job->count("photos_upload", static_cast<std::int64_t>(s.plan.photos.size()));
    for (const auto& [src, st] : s.sources) job->count("source_records_" + src, st.records);
    if (report) {
      job->count("succeeded", report->succeeded);
      job->count("failed", report->failed);
    }
    // The metric names daoctl has always written for the sync, kept for
    // existing dashboards and alerts.
    std::string m;
    m += "# HELP daoctl_sync_success 1 when the last run applied everything, 0 otherwise.\n"
         "# TYPE daoctl_sync_success gauge\n";
    m += fmt::format("daoctl_sync_success{{job=\"{}\"}} {}\n", name, result == "ok" ? 1 : 0);
    m += "# HELP daoctl_sync_source_records Records read from each source.\n"
         "# TYPE daoctl_sync_source_records gauge\n";
    for (const auto& [src, st] : s.sources)
      m += fmt::format("daoctl_sync_source_records{{job=\"{}\",source=\"{}\"}} {}\n", name, src, st.records);
    m += "# HELP daoctl_sync_changes Changes in the last plan, by kind.\n"
         "# TYPE daoctl_sync_changes gauge\n";
    for (const auto& [kind, n] : summary["plan"]["summary"]["users"].items())
      m += fmt::format("daoctl_sync_changes{{job=\"{}\",kind=\"users_{}\"}} {}\n", name, kind, n.get<long>());
    m += fmt::format("daoctl_sync_changes{{job=\"{}\",kind=\"photos_upload\"}} {}\n", name,
                     static_cast<long>(s.plan.photos.size()));
    if (report) {
      m += "# HELP daoctl_sync_items_failed Items that failed in the last apply.\n"
           "# TYPE daoctl_sync_items_failed gauge\n";
      m += fmt::format("daoctl_sync_items_failed{{job=\"{}\"}} {}\n", name, report->failed);
    }
    job->extra_metrics = m;
  }
  if (result == "ok" && report && !s.scoped) {
    json state = {{"job", s.job.name}, {"last_success", text::format_rfc3339(ctx.now())},
                  {"source_records", s.plan.source_records}, {"plan_hash", s.plan.hash()}};
    if (auto st = local::write_file_atomic(state_file(s), state.dump(2) + "\n"); !st)
      ctx.warn("cannot write the job state: " + st.error().describe());
  }
}

}  // namespace daoctl::commands::sync_engine
