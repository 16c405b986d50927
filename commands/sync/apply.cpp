// daoctl sync apply: carry out the plan (or a saved --plan), with a results journal.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/watch_state.hpp"
#include "commands/sync/verbs.hpp"
#include "connectors/local/files.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace sync_verbs;

namespace {

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

}  // namespace

int run_sync_apply(const SyncApplyOptions& opts, CommandContext& ctx) {
  // One run per job at a time: cron overlapping a slow run exits 6 at once.
  std::string today = opts.run.today.empty() ? today_local(ctx.now()) : opts.run.today;
  auto job = load_job_file(opts.run.job_file, today);
  if (ctx.job_report) {
    ctx.job_report->labels["job"] = job.name;
    ctx.job_report->defaults = {job.report.summary_file, job.report.metrics_file};
  }
  std::string state_dir = opts.run.state_dir.empty() ? local::default_state_dir() : opts.run.state_dir;
  value_or_throw(local::make_dirs(state_dir));
  auto lock = value_or_throw(local::JobLock::acquire(state_dir + "/" + job.name + ".lock", "sync job " + job.name));

  Session s;
  if (opts.incremental && !opts.plan_in.empty())
    throw CommandError(ErrorKind::Usage, "--incremental and --plan do not go together", "sync apply", "",
                       "a saved plan is applied as planned; --incremental plans the directory's changes itself");
  // --incremental: the state that lets the next run read only what changed
  // is saved once this run has applied everything (incremental.hpp).
  std::optional<sync_incremental::Run> inc;
  if (opts.incremental) inc.emplace();
  auto save_cursor = [&](bool applied) {
    if (!inc) return;
    if (auto st = sync_incremental::save(*inc, ctx.now(), applied); !st)
      throw CommandError(st.error());
    ctx.info(inc->scoped ? fmt::format("{}: incremental: {} changed and {} deleted entr(ies) of source {} applied",
                                       s.job.name, inc->changed, inc->deleted, inc->source)
                         : fmt::format("{}: incremental: full run ({}); cookie saved for the next run", s.job.name,
                                       inc->full_reason));
  };
  if (!opts.plan_in.empty()) {
    // The sources are read again even for a saved plan: a deactivation is
    // carried out only if the sources as they are now still call for it.
    s = prepare(opts.run, ctx, /*read_sources=*/true);
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
                         "make a new plan: daoctl sync plan -f " + opts.run.job_file + " --out " + opts.plan_in);
    if (auto stale = deprovision::stale_deactivations(s.plan, fresh); !stale.empty()) {
      // Decision (ARCHITECTURE.md): the whole plan is refused, nothing is
      // carried out. The reviewed plan no longer says what would happen, and
      // a partial plan is one nobody reviewed.
      std::string list;
      for (std::size_t i = 0; i < stale.size() && i < 20; ++i)
        list += (list.empty() ? "" : "; ") + stale[i].user_name + " (id " + stale[i].id + ", planned: " +
                stale[i].planned_reason + ")";
      if (stale.size() > 20) list += fmt::format("; and {} more", stale.size() - 20);
      write_reports(opts.run, s, "safety_stop", nullptr, ctx);
      throw CommandError(ErrorKind::Safety,
                         fmt::format("the plan is stale: {} planned deactivation(s) no longer hold in the sources "
                                     "read now; nothing was changed",
                                     stale.size()),
                         opts.plan_in, list,
                         "make a new plan: daoctl sync plan -f " + opts.run.job_file + " --out " + opts.plan_in);
    }
    for (const auto& [name, n] : s.plan.source_records) s.sources[name] = {n, 0};
    load_photo_bytes(s, opts.run);
  } else {
    s = prepare(opts.run, ctx, /*read_sources=*/true, inc ? &*inc : nullptr);
    if (s.sources_unchanged) {  // sync watch: every HTTP source answered 304 (conditional.hpp)
      ctx.info(sync_conditional::unchanged_line(s.job));
      return exit_code::ok;
    }
    deprovision_engine::record_reconciled(s, ctx, "");
  }
  // Saved HTTP validators stand for "applied": gone until this run has
  // applied everything, so a failed or held run is followed by a full read.
  value_or_throw(sync_conditional::forget(s.state_dir, s.job));
  auto save_validators = [&] {
    if (!opts.run.conditional) return;
    if (auto st = sync_conditional::save(s.state_dir, s.job, s.job_sha256, s.http_validators, ctx.now()); !st)
      ctx.warn("cannot save the HTTP validators (the next batch reads the sources whole): " + st.error().describe());
  };
  // A change set's deactivations are one batch under the stream guards
  // (safety.window, a vanished OU): a batch they hold waits for
  // --allow-deprovision <batch hash> while the rest of the plan goes on.
  std::optional<Error> held;
  long batch_deactivations = 0;
  if (s.scoped) {
    sync::StreamGuardInput sg;
    sg.recent_deactivations =
        sync_incremental::recent_deactivations(s.state_dir, s.job.name, s.job.safety.window_seconds, ctx.now());
    sg.managed = inc->cursor.employees;
    sg.vanished = inc->vanished;
    sg.allowed_hash = opts.allow_deprovision;
    if (auto st = sync::check_stream_guards(s.job, s.plan, sg); !st) {
      held = st.error();
      ctx.warn(held->message + "; " + held->detail);
    }
    sync::SyncPlan rest = s.plan;  // the other rules see the plan without the batch
    std::erase_if(rest.users, [](const auto& a) { return a.kind == sync::UserActionKind::Deactivate; });
    if (auto guard = sync::check_guards(s.job, rest, guard_input(s, opts.allow_deprovision)); !guard) {
      write_reports(opts.run, s, "safety_stop", nullptr, ctx);
      throw CommandError(guard.error());
    }
    if (held && opts.outcome) {
      opts.outcome->held_hash = sync::deactivation_batch_hash(s.plan);
      opts.outcome->held_deactivations = s.plan.count(sync::UserActionKind::Deactivate);
      opts.outcome->held_reason = held->message;
    }
    if (held) s.plan = std::move(rest);
    batch_deactivations = s.plan.count(sync::UserActionKind::Deactivate);
  } else if (auto guard = sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision)); !guard) {
    write_reports(opts.run, s, "safety_stop", nullptr, ctx);
    throw CommandError(guard.error());
  }
  // After the apply: a held batch ends the run with exit 5 and the cookie
  // where it was (the same change set, and batch, comes back next run).
  auto finish_incremental = [&](bool applied) {
    if (inc && s.scoped)
      if (auto st = sync_incremental::record_deactivations(s.state_dir, s.job.name, s.job.safety.window_seconds,
                                                           ctx.now(), batch_deactivations);
          !st)
        ctx.warn("cannot record the deactivation window: " + st.error().describe());
    if (held) throw CommandError(*held);
    save_cursor(applied);
  };
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
                           staged, opts.run.job_file));
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
    write_reports(opts.run, s, left_out.empty() ? "ok" : "partial", &empty, ctx);
    if (empty.failed > 0) throw collisions_error(s.plan, "fix the sources, or set unique: in the job");
    finish_incremental(false);
    save_validators();
    return exit_code::ok;
  }

  // The journal: one JSON line per item as it completes, so an interrupted
  // run leaves a record of what was done; the rerun re-plans from the
  // platform's real state and converges.
  std::string journal_path = results_path(opts.results_file, s.job, s.state_dir);
  // It names people and why they were blocked: created 0600.
  if (auto fd = local::open_private(journal_path, /*truncate=*/true, 0600)) ::close(*fd);
  std::ofstream journal(journal_path, std::ios::trunc);
  if (!journal) ctx.warn("cannot write the results journal " + journal_path);
  journal << json{{"event", "start"}, {"time", text::format_rfc3339(ctx.now())}, {"job", s.job.name},
                  {"plan", s.plan_hash()}, {"pid", ::getpid()}}.dump()
          << "\n"
          << std::flush;
  if (long adopted = s.plan.adoptions(); adopted > 0) {
    json from = json::array();
    for (const auto& u : s.plan.users)
      if (!u.adopted_from.empty() && std::find(from.begin(), from.end(), u.adopted_from) == from.end())
        from.push_back(u.adopted_from);
    journal << json{{"event", "adopt"}, {"time", text::format_rfc3339(ctx.now())}, {"from", from}, {"accounts", adopted}}.dump()
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
    json line = {{"time", text::format_rfc3339(ctx.now())}, {"phase", item.phase}, {"action", item.action},
                 {"object", item.object}, {"id", item.id}, {"ok", item.ok}};
    if (!item.ok) line["error"] = item.error;
    journal << line.dump() << "\n";
    if (!item.ok) ctx.warn(item.object + " (" + item.action + "): " + item.error);
    if (opts.outcome && item.ok && item.phase == "users") ++opts.outcome->applied[item.action];
    progress->add(1);
  };
  auto report = sync::apply_plan(s.plan, s.state, *s.target, aopts);
  progress->finish();
  // The people collisions left out: nothing was sent for them, and the run
  // reports each as a failed item (exit 3).
  for (auto& item : left_out) {
    json line = {{"time", text::format_rfc3339(ctx.now())}, {"phase", item.phase}, {"action", item.action},
                 {"object", item.object}, {"id", item.id}, {"ok", false}, {"error", item.error}};
    journal << line.dump() << "\n";
    ++report.failed;
    report.items.push_back(std::move(item));
  }
  total += left_out.size();
  journal << json{{"event", "finish"}, {"time", text::format_rfc3339(ctx.now())}, {"succeeded", report.succeeded},
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
  if (opts.outcome) {
    opts.outcome->changes = report.succeeded;
    opts.outcome->failed = report.failed;
  }
  write_reports(opts.run, s, result, &report, ctx);
  ctx.info(fmt::format("{}: applied {} change(s), {} failed; results in {}", s.job.name, report.succeeded,
                       report.failed, journal_path));
  if (report.failed > 0)
    throw CommandError(ErrorKind::Partial, fmt::format("{} of {} changes failed", report.failed, total),
                       "job " + s.job.name, "",
                       "see " + journal_path + " for each failed item" +
                           (inc ? "; the cookie was not advanced: the next --incremental run reads these changes again"
                                : ""));
  finish_incremental(true);
  save_validators();
  return exit_code::ok;
}

void register_sync_apply(CLI::App& group, CommandContext& ctx, SyncRunner<SyncApplyOptions> run) {
  auto o = std::make_shared<SyncApplyOptions>();
  auto& cmd = add_command(group, {"apply", "Carry out the plan: create, update, block, group",
                                 "daoctl sync apply -f nightly.yaml --summary-file /var/lib/daoctl/nightly.json"});
  add_job_flags(cmd, o->run);
  cmd.add_option("--plan", o->plan_in, "Apply this saved plan (refused if the platform changed since, or if the sources read now no longer support a planned deactivation)");
  cmd.add_option("--allow-deprovision", o->allow_deprovision,
                 "Let exactly the plan with this hash past the deactivation thresholds");
  cmd.add_option("--adopt-from", o->run.adopt_from,
                 "Take over the accounts another job manages (managedBy daoctl:JOB); counted like deactivations")
      ->type_name("JOB");
  cmd.add_option("--concurrency", o->run.concurrency, "Requests in flight (default: the job's apply.concurrency)")
      ->check(CLI::Range(1, 64));
  add_retry_flags(cmd, o->run);
  cmd.add_option("--summary-file", o->summary_file,
                 "Write the JSON run summary to this file (atomically, also on failure)");
  cmd.add_option("--metrics-file", o->metrics_file,
                 "Write Prometheus textfile metrics to this file (atomically, also on failure)");
  cmd.add_option("--results-file", o->results_file, "Write the per-item results (JSON Lines) here");
  cmd.add_flag("--incremental", o->incremental,
               "Apply only the directory's changes since the last run (an RFC 4533 or, on Active Directory, uSNChanged "
               "cookie in the state directory); "
               "without a cookie, or with a stale one, a full run that saves one");
  cmd.callback([o, run, &ctx] {
    JobReport report("sync apply", "sync");
    ctx.exit_status = run_reported(ctx, {o->summary_file, o->metrics_file}, report,
                                   [&](JobReport&) { return run(*o, ctx); });
  });
}

}  // namespace daoctl::commands
