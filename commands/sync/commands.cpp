#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "commands/sync/engine.hpp"
#include "connectors/local/files.hpp"
#include "connectors/sources/job_sources.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;

namespace {

// The results journal of a job: --results-file, else the job's
// report.results_file, else <state dir>/<job>.results.jsonl. `apply` writes
// it and `status` reads it, so both take it from here.
std::string results_path(const SyncOptions& opts, const sync::JobSpec& job, const std::string& state_dir) {
  if (!opts.results_file.empty()) return opts.results_file;
  if (!job.report.results_file.empty()) return job.report.results_file;
  return state_dir + "/" + job.name + ".results.jsonl";
}

std::string now_rfc3339(CommandContext& ctx) {
  return text::format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(ctx.now()));
}

// Adopting another job's accounts is explicit and logged, in plan and apply.
void log_adoptions(const sync::SyncPlan& plan, CommandContext& ctx) {
  std::map<std::string, long> by_job;
  for (const auto& u : plan.users)
    if (!u.adopted_from.empty()) ++by_job[u.adopted_from];
  for (const auto& [job, n] : by_job)
    ctx.warn(fmt::format("adopting {} account(s) managed by job {} (--adopt-from {}); that job will leave them alone",
                         n, job, job));
}

// One item per employee a collision left out (unique.<field>: error), for
// the results journal and the summary: nothing was sent for them.
std::vector<sync::ItemOutcome> collision_items(const sync::SyncPlan& plan) {
  std::vector<sync::ItemOutcome> items;
  for (const auto& c : plan.collisions) {
    std::string others;
    for (const auto& p : c.parties)
      if (p.outcome == "keeps" || p.outcome == "holds")
        others += (others.empty() ? "" : ", ") + (p.user_name.empty() ? "account " + p.id : p.user_name) +
                  (p.external_id.empty() ? " (id " + p.id + ")" : " (externalId " + p.external_id + ")");
    for (const auto& p : c.parties)
      if (p.outcome == "left_out") {
        std::string with = others;
        if (with.empty())
          for (const auto& q : c.parties)
            if (&q != &p) with += (with.empty() ? "" : ", ") + q.user_name + " (externalId " + q.external_id + ")";
        items.push_back({"users", p.id.empty() ? "create" : "update", "user " + p.user_name, p.id, false,
                         c.field + " " + nlohmann::json(c.value).dump() + " collides with " + with +
                             " (unique." + c.field + ": error); " +
                             (p.id.empty() ? "not created" : "its " + c.field + " left unchanged") +
                             "; fix the source or set unique." + c.field + ": suffix_number"});
      }
  }
  return items;
}

CommandError collisions_error(const sync::SyncPlan& plan, const std::string& where) {
  return CommandError(ErrorKind::Partial,
                      fmt::format("{} employee(s) left out by userName/email collisions", plan.unresolved_collisions()),
                      "job " + plan.job, "unique: error (the default) leaves colliding people out; the rest is planned",
                      where);
}

}  // namespace

int run_sync_validate(const SyncOptions& opts, CommandContext& ctx) {
  auto job = load_job_file(opts.job_file, opts.today.empty() ? today_local(ctx.now()) : opts.today);
  for (const auto& w : job.warnings) ctx.warn(w);
  // Where a CSV export is at hand its header is known: check the columns the job names.
  for (const auto& src : job.sources) {
    std::string dir = opts.job_file.find('/') == std::string::npos ? "." : opts.job_file.substr(0, opts.job_file.rfind('/'));
    value_or_throw(sources::check_csv_header(src, dir));
  }
  if (ctx.format() == output::Format::Json) {
    json j = {{"valid", true}, {"job", job.name}, {"target", job.target}, {"primary", job.primary}};
    j["sources"] = json::array();
    for (const auto& s : job.sources) j["sources"].push_back({{"name", s.name}, {"type", s.type}});
    ctx.io().out() << j.dump(2) << "\n";
  } else {
    ctx.io().out() << fmt::format("{}: valid sync job '{}' ({} source(s), {} mapped field(s), target {})\n",
                                  opts.job_file, job.name, job.sources.size(), job.mapping.size(), job.target);
  }
  return exit_code::ok;
}

int run_sync_plan(const SyncOptions& opts, CommandContext& ctx) {
  Session s = prepare(opts, ctx, /*read_sources=*/true);
  log_adoptions(s.plan, ctx);
  if (ctx.format() == output::Format::Json) ctx.io().out() << s.plan.to_json().dump(2) << "\n";
  else render_plan(s.plan, s, ctx);
  if (!opts.plan_out.empty())
    value_or_throw(local::write_file_atomic(opts.plan_out, s.plan.to_json().dump(2) + "\n", 0600));
  // A plan that apply would refuse says so now, with the same exit code.
  value_or_throw(sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision)));
  // Colliding people are named in the plan ("collisions"); exit 3 like an
  // apply whose items partly failed, before anything was sent.
  if (s.plan.unresolved_collisions() > 0) throw collisions_error(s.plan, "see the Collisions section of the plan");
  if (opts.detailed_exitcode && s.plan.has_changes()) return exit_code::changes_pending;
  return exit_code::ok;
}

int run_sync_apply(const SyncOptions& opts, CommandContext& ctx) {
  // One run per job at a time: cron overlapping a slow run exits 6 at once.
  std::string today = opts.today.empty() ? today_local(ctx.now()) : opts.today;
  auto job = load_job_file(opts.job_file, today);
  if (ctx.job_report) {
    ctx.job_report->labels["job"] = job.name;
    ctx.job_report->defaults = {job.report.summary_file, job.report.metrics_file};
  }
  std::string state_dir = opts.state_dir.empty() ? local::default_state_dir() : opts.state_dir;
  value_or_throw(local::make_dirs(state_dir));
  auto lock = value_or_throw(local::JobLock::acquire(state_dir + "/" + job.name + ".lock", "sync job " + job.name));

  Session s;
  if (!opts.plan_in.empty()) {
    // The sources are read again even for a saved plan: a deactivation is
    // carried out only if the sources as they are now still call for it.
    s = prepare(opts, ctx, /*read_sources=*/true);
    deprovision_engine::record_reconciled(s, ctx, "");
    sync::SyncPlan fresh = std::move(s.plan);
    s.plan = sync::SyncPlan{};
    s.photo_bytes.clear();
    auto text = value_or_throw(local::read_file(opts.plan_in));
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
      throw CommandError(ErrorKind::Config, "the plan file is not JSON", opts.plan_in);
    s.plan = value_or_throw(sync::SyncPlan::from_json(doc));
    if (s.plan.job != s.job.name)
      throw CommandError(ErrorKind::Config, "the plan was made for another job", opts.plan_in,
                         "plan job '" + s.plan.job + "', job file '" + s.job.name + "'");
    if (s.plan.platform_fingerprint != s.state.fingerprint())
      throw CommandError(ErrorKind::Safety, "the platform changed since the plan was made", opts.plan_in,
                         "users, departments or groups were modified after the plan",
                         "make a new plan: daoctl sync plan -f " + opts.job_file + " --out " + opts.plan_in);
    if (auto stale = deprovision::stale_deactivations(s.plan, fresh); !stale.empty()) {
      // Decision (ARCHITECTURE.md): the whole plan is refused, nothing is
      // carried out. The reviewed plan no longer says what would happen, and
      // a partial plan is one nobody reviewed.
      std::string list;
      for (std::size_t i = 0; i < stale.size() && i < 20; ++i)
        list += (list.empty() ? "" : "; ") + stale[i].user_name + " (id " + stale[i].id + ", planned: " +
                stale[i].planned_reason + ")";
      if (stale.size() > 20) list += fmt::format("; and {} more", stale.size() - 20);
      write_reports(opts, s, "safety_stop", nullptr, ctx);
      throw CommandError(ErrorKind::Safety,
                         fmt::format("the plan is stale: {} planned deactivation(s) no longer hold in the sources "
                                     "read now; nothing was changed",
                                     stale.size()),
                         opts.plan_in, list,
                         "make a new plan: daoctl sync plan -f " + opts.job_file + " --out " + opts.plan_in);
    }
    for (const auto& [name, n] : s.plan.source_records) s.sources[name] = {n, 0};
    load_photo_bytes(s, opts);
  } else {
    s = prepare(opts, ctx, /*read_sources=*/true);
    deprovision_engine::record_reconciled(s, ctx, "");
  }
  if (auto guard = sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision)); !guard) {
    write_reports(opts, s, "safety_stop", nullptr, ctx);
    throw CommandError(guard.error());
  }
  log_adoptions(s.plan, ctx);
  if (s.job.dismissal.staging) {
    // deprovision.mode: staging: blocks are planned and reported, never carried out.
    long staged = 0;
    for (auto& a : s.plan.users)
      if (a.kind == sync::UserActionKind::Deactivate) {
        ++staged;
        a.kind = sync::UserActionKind::Update;
      }
    std::erase_if(s.plan.users, [](const sync::UserAction& a) {
      return a.kind == sync::UserActionKind::Update && a.changes.empty();
    });
    if (staged > 0)
      ctx.warn(fmt::format("deprovision.mode is staging: {} block(s) planned and not carried out "
                           "(see daoctl deprovision plan -f {})",
                           staged, opts.job_file));
  }
  auto left_out = collision_items(s.plan);
  for (const auto& item : left_out) ctx.warn(item.object + " (" + item.action + "): " + item.error);
  if (!s.plan.has_changes()) {
    ctx.info(fmt::format("{}: no changes ({} users unchanged)", s.job.name, s.plan.unchanged_users));
    sync::ApplyReport empty;
    for (auto& item : left_out) {
      ++empty.failed;
      empty.items.push_back(std::move(item));
    }
    write_reports(opts, s, left_out.empty() ? "ok" : "partial", &empty, ctx);
    if (empty.failed > 0) throw collisions_error(s.plan, "fix the sources, or set unique: in the job");
    return exit_code::ok;
  }

  // The journal: one JSON line per item as it completes, so an interrupted
  // run leaves a record of what was done; the rerun re-plans from the
  // platform's real state and converges.
  std::string journal_path = results_path(opts, s.job, s.state_dir);
  // It names people and why they were blocked: created 0600.
  if (auto fd = local::open_private(journal_path, /*truncate=*/true, 0600)) ::close(*fd);
  std::ofstream journal(journal_path, std::ios::trunc);
  if (!journal) ctx.warn("cannot write the results journal " + journal_path);
  journal << json{{"event", "start"}, {"time", now_rfc3339(ctx)}, {"job", s.job.name},
                  {"plan", s.plan_hash()}, {"pid", ::getpid()}}.dump()
          << "\n"
          << std::flush;
  if (long adopted = s.plan.adoptions(); adopted > 0) {
    json from = json::array();
    for (const auto& u : s.plan.users)
      if (!u.adopted_from.empty() && std::find(from.begin(), from.end(), u.adopted_from) == from.end())
        from.push_back(u.adopted_from);
    journal << json{{"event", "adopt"}, {"time", now_rfc3339(ctx)}, {"from", from}, {"accounts", adopted}}.dump()
            << "\n";
  }
  std::size_t total = s.plan.departments.size() + s.plan.users.size() + s.plan.managers.size() +
                      s.plan.photos.size() + s.plan.groups.size();
  auto progress = make_progress(ctx, "applying", static_cast<std::int64_t>(total));
  sync::ApplyOptions aopts;
  aopts.target = s.job.target == "scim" ? sync::TargetKind::Scim : sync::TargetKind::Platform;
  aopts.managed_by = s.job.managed_by();
  aopts.batch_size = static_cast<std::size_t>(std::max(64, ctx.global.concurrency.value_or(kDefaultConcurrency) * 32));
  if (s.job.dismissal.configured) {
    aopts.revoke_sessions = s.job.dismissal.has_now(deprovision::Step::RevokeSessions);
    aopts.revoke_tokens = s.job.dismissal.has_now(deprovision::Step::RevokeTokens);
  }
  aopts.photo_bytes = [&s](const std::string& external_id) -> Result<std::string> {
    auto it = s.photo_bytes.find(external_id);
    if (it == s.photo_bytes.end()) return fail(ErrorKind::NotFound, "no photo bytes in this run");
    if (!it->second.stored) return it->second.bytes;
    if (!s.photo_store) return fail(ErrorKind::Internal, "the photo spool is gone", "photo of " + external_id);
    return s.photo_store->get(*it->second.stored);
  };
  deprovision_engine::FinishOptions fo;
  fo.who = s.job.managed_by();
  aopts.before_deactivate = deprovision_engine::intent_recorder(s, ctx, fo);
  aopts.on_item = [&](const sync::ItemOutcome& item) {
    json line = {{"time", now_rfc3339(ctx)}, {"phase", item.phase}, {"action", item.action},
                 {"object", item.object}, {"id", item.id}, {"ok", item.ok}};
    if (!item.ok) line["error"] = item.error;
    journal << line.dump() << "\n";
    if (!item.ok) ctx.warn(item.object + " (" + item.action + "): " + item.error);
    progress->add(1);
  };
  auto report = sync::apply_plan(s.plan, s.state, *s.target, aopts);
  progress->finish();
  // The people collisions left out: nothing was sent for them, and the run
  // reports each as a failed item (exit 3).
  for (auto& item : left_out) {
    json line = {{"time", now_rfc3339(ctx)}, {"phase", item.phase}, {"action", item.action},
                 {"object", item.object}, {"id", item.id}, {"ok", false}, {"error", item.error}};
    journal << line.dump() << "\n";
    ++report.failed;
    report.items.push_back(std::move(item));
  }
  total += left_out.size();
  journal << json{{"event", "finish"}, {"time", now_rfc3339(ctx)}, {"succeeded", report.succeeded},
                  {"failed", report.failed}}.dump()
          << "\n"
          << std::flush;
  // Blocks and reactivations go into the deprovisioning ledger (so only
  // daoctl's own blocks are ever undone); due staged steps run now.
  if (s.job.dismissal.configured || !s.ledger.entries.empty() || s.plan.count(sync::UserActionKind::Deactivate) > 0 ||
      s.plan.count(sync::UserActionKind::Reactivate) > 0) {
    report.failed += deprovision_engine::finish_deprovisioning(s, report, ctx, fo);
  }
  std::string result = report.failed > 0 ? "partial" : "ok";
  write_reports(opts, s, result, &report, ctx);
  ctx.info(fmt::format("{}: applied {} change(s), {} failed; results in {}", s.job.name, report.succeeded,
                       report.failed, journal_path));
  if (report.failed > 0)
    throw CommandError(ErrorKind::Partial, fmt::format("{} of {} changes failed", report.failed, total),
                       "job " + s.job.name, "", "see " + journal_path + " for each failed item");
  return exit_code::ok;
}

int run_sync_status(const SyncOptions& opts, CommandContext& ctx) {
  auto job = load_job_file(opts.job_file, opts.today.empty() ? today_local(ctx.now()) : opts.today);
  for (const auto& w : job.warnings) ctx.warn(w);
  std::string state_dir = opts.state_dir.empty() ? local::default_state_dir() : opts.state_dir;
  json status = {{"job", job.name}};
  if (auto text = local::read_file(state_dir + "/" + job.name + ".state.json")) {
    json st = json::parse(*text, nullptr, false);
    if (!st.is_discarded()) status["last_success"] = st;
  }
  const std::string journal = results_path(opts, job, state_dir);
  if (auto text = local::read_file(journal)) {
    std::istringstream in(*text);
    std::string line;
    json start, finish;
    long ok = 0, failed = 0;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      if (j.value("event", "") == "start") start = j;
      else if (j.value("event", "") == "finish") finish = j;
      else (j.value("ok", false) ? ok : failed)++;
    }
    // A run killed before its first line leaves an empty (or torn) journal:
    // that is an interrupted run too, not a malformed file.
    const bool started = start.is_object();
    status["last_run"] = {{"started_at", started ? start.value("time", "") : ""},
                          {"plan", started ? start.value("plan", "") : ""},
                          {"started", started},
                          {"finished", finish.is_object()},
                          {"succeeded", ok},
                          {"failed", failed}};
  }
  // Blocks an interrupted run announced without an outcome: the next apply
  // reconciles them against the platform.
  try {
    auto ledger = load_ledger(ledger_path(state_dir, job.name));
    long pending = 0;
    for (const auto& [id, e] : ledger.entries) pending += e.intent_only() ? 1 : 0;
    if (pending > 0) status["unconfirmed_blocks"] = pending;
  } catch (const CommandError& e) {
    ctx.warn(e.error().describe());
  }
  if (ctx.format() == output::Format::Json) {
    ctx.io().out() << status.dump(2) << "\n";
    return exit_code::ok;
  }
  auto& out = ctx.io().out();
  out << "Job " << job.name << "\n";
  if (status.contains("last_success"))
    out << "  last success: " << status["last_success"].value("last_success", "") << "\n";
  else
    out << "  last success: never\n";
  if (status.contains("last_run")) {
    const json& r = status["last_run"];
    if (!r["started"].get<bool>())
      out << "  last apply:   did NOT finish: interrupted before it wrote its first journal line "
             "(the next run converges)\n";
    else
      out << "  last apply:   started " << r["started_at"].get<std::string>() << ", "
          << (r["finished"].get<bool>() ? "finished" : "did NOT finish (interrupted; the next run converges)")
          << fmt::format(", {} succeeded, {} failed\n", r["succeeded"].get<long>(), r["failed"].get<long>());
  }
  if (status.contains("unconfirmed_blocks"))
    out << fmt::format("  deprovision:  {} block(s) sent by an interrupted run without a recorded outcome; "
                       "the next apply reconciles them with the platform\n",
                       status["unconfirmed_blocks"].get<long>());
  return exit_code::ok;
}

void register_sync(CLI::App& root, CommandContext& ctx) {
  auto& sync = add_command(root, {"sync", "Sync employees from LDAP and HR sources into the platform",
                                  "daoctl sync plan -f /etc/daoctl/nightly.yaml"});
  sync.require_subcommand(1);
  auto add_retries = [](CLI::App& cmd, SyncOptions& o) {
    cmd.add_option("--retries", o.retries, "Tries per request after 429, 5xx and network errors (default: the job's apply.retries.attempts, else 5)")
        ->check(CLI::Range(1, 100));
    cmd.add_option("--max-retry-wait", o.max_retry_wait,
                   "Longest wait in seconds before one retry (default: the job's apply.retries.max_wait)")
        ->check(CLI::Range(0.001, 3600.0));
  };
  auto add_common = [](CLI::App& cmd, SyncOptions& o) {
    cmd.add_option("-f,--file", o.job_file, "The sync job file (sync.yaml)")->required();
    cmd.add_option("--state-dir", o.state_dir, "Where locks, journals and last-run state live");
    cmd.add_option("--today", o.today, "The date rules compare with (yyyy-MM-dd; default: today)");
  };
  {
    auto o = std::make_shared<SyncOptions>();
    auto& cmd = add_command(sync, {"validate", "Check a job file and report every problem with its position",
                                   "daoctl sync validate -f nightly.yaml"});
    add_common(cmd, *o);
    cmd.callback([o, &ctx] { ctx.exit_status = run_sync_validate(*o, ctx); });
  }
  {
    auto o = std::make_shared<SyncOptions>();
    auto& cmd = add_command(sync, {"plan", "Read the sources and the platform and show what would change",
                                   "daoctl sync plan -f nightly.yaml --out plan.json --detailed-exitcode"});
    add_common(cmd, *o);
    cmd.add_option("--out", o->plan_out, "Save the plan (JSON) for a later 'sync apply --plan'");
    cmd.add_flag("--detailed-exitcode", o->detailed_exitcode, "Exit 8 when the plan has changes");
    add_retries(cmd, *o);
    cmd.add_option("--allow-deprovision", o->allow_deprovision,
                   "Let exactly the plan with this hash past the deactivation thresholds");
    cmd.add_option("--adopt-from", o->adopt_from,
                   "Take over the accounts another job manages (managedBy daoctl:JOB); counted like deactivations")
        ->type_name("JOB");
    cmd.callback([o, &ctx] { ctx.exit_status = run_sync_plan(*o, ctx); });
  }
  {
    auto o = std::make_shared<SyncOptions>();
    auto& cmd = add_command(sync, {"apply", "Carry out the plan: create, update, block, group",
                                   "daoctl sync apply -f nightly.yaml --summary-file /var/lib/daoctl/nightly.json"});
    add_common(cmd, *o);
    cmd.add_option("--plan", o->plan_in, "Apply this saved plan (refused if the platform changed since, or if the sources read now no longer support a planned deactivation)");
    cmd.add_option("--allow-deprovision", o->allow_deprovision,
                   "Let exactly the plan with this hash past the deactivation thresholds");
    cmd.add_option("--adopt-from", o->adopt_from,
                   "Take over the accounts another job manages (managedBy daoctl:JOB); counted like deactivations")
        ->type_name("JOB");
    cmd.add_option("--concurrency", o->concurrency, "Requests in flight (default: the job's apply.concurrency)")
        ->check(CLI::Range(1, 64));
    add_retries(cmd, *o);
    cmd.add_option("--summary-file", o->summary_file,
                   "Write the JSON run summary to this file (atomically, also on failure)");
    cmd.add_option("--metrics-file", o->metrics_file,
                   "Write Prometheus textfile metrics to this file (atomically, also on failure)");
    cmd.add_option("--results-file", o->results_file, "Write the per-item results (JSON Lines) here");
    cmd.callback([o, &ctx] {
      JobReport report("sync apply", "sync");
      ctx.exit_status = run_reported(ctx, {o->summary_file, o->metrics_file}, report,
                                     [&](JobReport&) { return run_sync_apply(*o, ctx); });
    });
  }
  {
    auto o = std::make_shared<SyncOptions>();
    auto& cmd = add_command(sync, {"status", "Show when the job last succeeded and what its last run did",
                                   "daoctl sync status -f nightly.yaml -o json"});
    add_common(cmd, *o);
    cmd.add_option("--results-file", o->results_file, "The results journal to read");
    cmd.callback([o, &ctx] { ctx.exit_status = run_sync_status(*o, ctx); });
  }
}

}  // namespace daoctl::commands
