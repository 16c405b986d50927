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

// The results journal: one JSON line per item as it completes, so an
// interrupted run leaves a record of what was done; the rerun re-plans from
// the platform's real state and converges. It names people and why they were
// blocked: created 0600.
class ResultsJournal {
 public:
  ResultsJournal(std::string path, CommandContext& ctx) : path_(std::move(path)) {
    if (auto fd = local::open_private(path_, /*truncate=*/true, 0600)) ::close(*fd);
    out_.open(path_, std::ios::trunc);
    if (!out_) ctx.warn("cannot write the results journal " + path_);
  }
  const std::string& path() const { return path_; }
  void start(const Session& s, CommandContext& ctx) {
    write({{"event", "start"}, {"time", text::format_rfc3339(ctx.now())}, {"job", s.job.name},
           {"plan", s.plan_hash()}, {"pid", ::getpid()}});
    out_ << std::flush;
    if (long adopted = s.plan.adoptions(); adopted > 0) {
      json from = json::array();
      for (const auto& u : s.plan.users)
        if (!u.adopted_from.empty() && std::find(from.begin(), from.end(), u.adopted_from) == from.end())
          from.push_back(u.adopted_from);
      write({{"event", "adopt"}, {"time", text::format_rfc3339(ctx.now())}, {"from", from}, {"accounts", adopted}});
    }
  }
  void item(const sync::ItemOutcome& item, CommandContext& ctx) {
    json line = {{"time", text::format_rfc3339(ctx.now())}, {"phase", item.phase}, {"action", item.action},
                 {"object", item.object}, {"id", item.id}, {"ok", item.ok}};
    if (!item.ok) line["error"] = item.error;
    write(line);
  }
  void finish(const sync::ApplyReport& report, CommandContext& ctx) {
    write({{"event", "finish"}, {"time", text::format_rfc3339(ctx.now())}, {"succeeded", report.succeeded},
           {"failed", report.failed}});
    out_ << std::flush;
  }

 private:
  void write(const json& line) { out_ << line.dump() << "\n"; }
  std::string path_;
  std::ofstream out_;
};

// One `sync apply` run, phase by phase: read (the sources, and a saved plan),
// the guards, staging, then the apply with its journal and reports.
class SyncApply {
 public:
  SyncApply(const SyncApplyOptions& opts, CommandContext& ctx) : opts_(opts), ctx_(ctx) {}

  int run() {
    // One run per job at a time: cron overlapping a slow run exits 6 at once.
    std::string today = opts_.run.today.empty() ? today_local(ctx_.now()) : opts_.run.today;
    auto job = load_job_file(opts_.run.job_file, today);
    if (ctx_.job_report) {
      ctx_.job_report->labels["job"] = job.name;
      ctx_.job_report->defaults = {job.report.summary_file, job.report.metrics_file};
    }
    std::string state_dir = opts_.run.state_dir.empty() ? local::default_state_dir() : opts_.run.state_dir;
    value_or_throw(local::make_dirs(state_dir));
    auto lock = value_or_throw(local::JobLock::acquire(state_dir + "/" + job.name + ".lock", "sync job " + job.name));

    if (opts_.incremental && !opts_.plan_in.empty())
      throw CommandError(ErrorKind::Usage, "--incremental and --plan do not go together", "sync apply", "",
                         "a saved plan is applied as planned; --incremental plans the directory's changes itself");
    // --incremental: the state that lets the next run read only what changed
    // is saved once this run has applied everything (incremental.hpp).
    if (opts_.incremental) {
      inc_.emplace();
      inc_->full_every_seconds = opts_.full_every;
      inc_->now = ctx_.now();
    }
    if (!opts_.plan_in.empty()) {
      read_saved_plan();
    } else {
      s_ = prepare(opts_.run, ctx_, /*read_sources=*/true, inc_ ? &*inc_ : nullptr);
      if (s_.sources_unchanged) {  // sync watch: every HTTP source answered 304 (conditional.hpp)
        ctx_.info(sync_conditional::unchanged_line(s_.job));
        return exit_code::ok;
      }
      deprovision_engine::record_reconciled(s_, ctx_, "");
    }
    // Saved HTTP validators stand for "applied": gone until this run has
    // applied everything, so a failed or held run is followed by a full read.
    value_or_throw(sync_conditional::forget(s_.state_dir, s_.job));
    check_guards();
    log_adoptions(s_.plan, ctx_);
    if (s_.job.dismissal.staging) stage_deactivations();
    auto left_out = collision_items(s_.plan);
    for (const auto& item : left_out) ctx_.warn(item.object + " (" + item.action + "): " + item.error);
    if (!s_.plan.has_changes()) return nothing_to_apply(std::move(left_out));
    return apply(std::move(left_out));
  }

 private:
  // --plan: the sources are read again even for a saved plan: a deactivation
  // is carried out only if the sources as they are now still call for it.
  void read_saved_plan() {
    s_ = prepare(opts_.run, ctx_, /*read_sources=*/true);
    deprovision_engine::record_reconciled(s_, ctx_, "");
    sync::SyncPlan fresh = std::move(s_.plan);
    s_.plan = sync::SyncPlan{};
    s_.photo_bytes.clear();
    auto text = value_or_throw(local::read_file(opts_.plan_in));
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) throw CommandError(ErrorKind::Config, "the plan file is not JSON", opts_.plan_in);
    s_.plan = value_or_throw(sync::SyncPlan::from_json(doc));
    if (s_.plan.job != s_.job.name)
      throw CommandError(ErrorKind::Config, "the plan was made for another job", opts_.plan_in,
                         "plan job '" + s_.plan.job + "', job file '" + s_.job.name + "'");
    if (s_.plan.platform_fingerprint != s_.state.fingerprint())
      throw CommandError(ErrorKind::Safety, "the platform changed since the plan was made", opts_.plan_in,
                         "users, departments or groups were modified after the plan",
                         "make a new plan: daoctl sync plan -f " + opts_.run.job_file + " --out " + opts_.plan_in);
    if (auto stale = deprovision::stale_deactivations(s_.plan, fresh); !stale.empty()) {
      // Decision (ARCHITECTURE.md): the whole plan is refused, nothing is
      // carried out. The reviewed plan no longer says what would happen, and
      // a partial plan is one nobody reviewed.
      std::string list;
      for (std::size_t i = 0; i < stale.size() && i < 20; ++i)
        list += (list.empty() ? "" : "; ") + stale[i].user_name + " (id " + stale[i].id + ", planned: " +
                stale[i].planned_reason + ")";
      if (stale.size() > 20) list += fmt::format("; and {} more", stale.size() - 20);
      write_reports(opts_.run, s_, "safety_stop", nullptr, ctx_);
      throw CommandError(ErrorKind::Safety,
                         fmt::format("the plan is stale: {} planned deactivation(s) no longer hold in the sources "
                                     "read now; nothing was changed",
                                     stale.size()),
                         opts_.plan_in, list,
                         "make a new plan: daoctl sync plan -f " + opts_.run.job_file + " --out " + opts_.plan_in);
    }
    for (const auto& [name, n] : s_.plan.source_records) s_.sources[name] = {n, 0};
    load_photo_bytes(s_, opts_.run);
  }

  // The guards. A change set's deactivations (--incremental) are one batch
  // under the stream guards (safety.window, a vanished OU): a batch they hold
  // waits for --allow-deprovision <batch hash> while the rest of the plan
  // goes on; any other guard stops the whole run.
  void check_guards() {
    if (!s_.scoped) {
      if (auto guard = sync::check_guards(s_.job, s_.plan, guard_input(s_, opts_.allow_deprovision)); !guard)
        stop(guard.error());
      return;
    }
    sync::StreamGuardInput sg;
    sg.recent_deactivations =
        sync_incremental::recent_deactivations(s_.state_dir, s_.job.name, s_.job.safety.window_seconds, ctx_.now());
    sg.managed = inc_->cursor.employees;
    sg.vanished = inc_->vanished;
    sg.allowed_hash = opts_.allow_deprovision;
    if (auto st = sync::check_stream_guards(s_.job, s_.plan, sg); !st) {
      held_ = st.error();
      ctx_.warn(held_->message + "; " + held_->detail);
    }
    sync::SyncPlan rest = s_.plan;  // the other rules see the plan without the batch
    std::erase_if(rest.users, [](const auto& a) { return a.kind == sync::UserActionKind::Deactivate; });
    if (auto guard = sync::check_guards(s_.job, rest, guard_input(s_, opts_.allow_deprovision)); !guard)
      stop(guard.error());
    if (held_ && opts_.outcome) {
      opts_.outcome->held_hash = sync::deactivation_batch_hash(s_.plan);
      opts_.outcome->held_deactivations = s_.plan.count(sync::UserActionKind::Deactivate);
      opts_.outcome->held_reason = held_->message;
    }
    if (held_) s_.plan = std::move(rest);
    batch_deactivations_ = s_.plan.count(sync::UserActionKind::Deactivate);
  }

  [[noreturn]] void stop(const Error& guard) {
    write_reports(opts_.run, s_, "safety_stop", nullptr, ctx_);
    throw CommandError(guard);
  }

  // deprovision.mode: staging: blocks are planned and reported, never carried out.
  void stage_deactivations() {
    long staged = 0;
    for (auto& a : s_.plan.users)
      if (a.kind == sync::UserActionKind::Deactivate) {
        ++staged;
        a.kind = sync::UserActionKind::Update;
      }
    std::erase_if(s_.plan.users, [](const sync::UserAction& a) {
      return a.kind == sync::UserActionKind::Update && a.changes.empty();
    });
    if (staged > 0)
      ctx_.warn(fmt::format("deprovision.mode is staging: {} block(s) planned and not carried out "
                            "(see daoctl deprovision plan -f {})",
                            staged, opts_.run.job_file));
  }

  int nothing_to_apply(std::vector<sync::ItemOutcome> left_out) {
    ctx_.info(fmt::format("{}: no changes ({} users unchanged)", s_.job.name, s_.plan.unchanged_users));
    sync::ApplyReport empty;
    for (auto& item : left_out) {
      ++empty.failed;
      empty.items.push_back(std::move(item));
    }
    write_reports(opts_.run, s_, empty.failed == 0 ? "ok" : "partial", &empty, ctx_);
    if (empty.failed > 0) throw collisions_error(s_.plan, "fix the sources, or set unique: in the job");
    finish(false);
    return exit_code::ok;
  }

  sync::ApplyOptions apply_options(ResultsJournal& journal, output::Progress& progress,
                                   const deprovision_engine::FinishOptions& fo) {
    sync::ApplyOptions aopts;
    aopts.target = s_.job.target == "scim" ? sync::TargetKind::Scim : sync::TargetKind::Platform;
    aopts.managed_by = s_.job.managed_by();
    aopts.batch_size =
        static_cast<std::size_t>(std::max(64, ctx_.global.concurrency.value_or(kDefaultConcurrency) * 32));
    if (s_.job.dismissal.configured) {
      aopts.revoke_sessions = s_.job.dismissal.has_now(deprovision::Step::RevokeSessions);
      aopts.revoke_tokens = s_.job.dismissal.has_now(deprovision::Step::RevokeTokens);
    }
    aopts.photo_bytes = [this](const std::string& external_id) -> Result<std::string> {
      auto it = s_.photo_bytes.find(external_id);
      if (it == s_.photo_bytes.end()) return fail(ErrorKind::NotFound, "no photo bytes in this run");
      if (!it->second.stored) return it->second.bytes;
      if (!s_.photo_store) return fail(ErrorKind::Internal, "the photo spool is gone", "photo of " + external_id);
      return s_.photo_store->get(*it->second.stored);
    };
    aopts.before_deactivate = deprovision_engine::intent_recorder(s_, ctx_, fo);
    aopts.on_item = [this, &journal, &progress](const sync::ItemOutcome& item) {
      journal.item(item, ctx_);
      if (!item.ok) ctx_.warn(item.object + " (" + item.action + "): " + item.error);
      if (opts_.outcome && item.ok && item.phase == "users") ++opts_.outcome->applied[item.action];
      progress.add(1);
    };
    return aopts;
  }

  int apply(std::vector<sync::ItemOutcome> left_out) {
    ResultsJournal journal(results_path(opts_.results_file, s_.job, s_.state_dir), ctx_);
    journal.start(s_, ctx_);
    std::size_t total = s_.plan.departments.size() + s_.plan.users.size() + s_.plan.managers.size() +
                        s_.plan.photos.size() + s_.plan.groups.size();
    auto progress = make_progress(ctx_, "applying", static_cast<std::int64_t>(total));
    deprovision_engine::FinishOptions fo;
    fo.who = s_.job.managed_by();
    auto report = sync::apply_plan(s_.plan, s_.state, *s_.target, apply_options(journal, *progress, fo));
    progress->finish();
    // The people collisions left out: nothing was sent for them, and the run
    // reports each as a failed item (exit 3).
    for (auto& item : left_out) {
      journal.item(item, ctx_);
      ++report.failed;
      report.items.push_back(std::move(item));
    }
    total += left_out.size();
    journal.finish(report, ctx_);
    // Blocks and reactivations go into the deprovisioning ledger (so only
    // daoctl's own blocks are ever undone); due staged steps run now.
    if (s_.job.dismissal.configured || !s_.ledger.entries.empty() ||
        s_.plan.count(sync::UserActionKind::Deactivate) > 0 || s_.plan.count(sync::UserActionKind::Reactivate) > 0) {
      report.failed += deprovision_engine::finish_deprovisioning(s_, report, ctx_, fo);
    }
    if (opts_.outcome) {
      opts_.outcome->changes = report.succeeded;
      opts_.outcome->failed = report.failed;
    }
    write_reports(opts_.run, s_, report.failed > 0 ? "partial" : "ok", &report, ctx_);
    ctx_.info(fmt::format("{}: applied {} change(s), {} failed; results in {}", s_.job.name, report.succeeded,
                          report.failed, journal.path()));
    if (report.failed > 0)
      throw CommandError(
          ErrorKind::Partial, fmt::format("{} of {} changes failed", report.failed, total), "job " + s_.job.name, "",
          "see " + journal.path() + " for each failed item" +
              (inc_ ? "; the cookie was not advanced: the next --incremental run reads these changes again" : ""));
    finish(true);
    return exit_code::ok;
  }

  // After the apply: the deactivation window, then a held batch ends the run
  // with exit 5 and the cookie where it was (the same change set, and batch,
  // comes back next run); otherwise the cookie and the HTTP validators are
  // saved.
  void finish(bool applied) {
    if (inc_ && s_.scoped)
      if (auto st = sync_incremental::record_deactivations(s_.state_dir, s_.job.name, s_.job.safety.window_seconds,
                                                           ctx_.now(), batch_deactivations_);
          !st)
        ctx_.warn("cannot record the deactivation window: " + st.error().describe());
    if (held_) throw CommandError(*held_);
    if (inc_) {
      if (auto st = sync_incremental::save(*inc_, ctx_.now(), applied); !st) throw CommandError(st.error());
      ctx_.info(inc_->scoped ? fmt::format("{}: incremental: {} changed and {} deleted entr(ies) of source {} applied",
                                           s_.job.name, inc_->changed, inc_->deleted, inc_->source)
                             : fmt::format("{}: incremental: full run ({}); cookie saved for the next run",
                                           s_.job.name, inc_->full_reason));
    }
    if (opts_.run.conditional)
      if (auto st = sync_conditional::save(s_.state_dir, s_.job, s_.job_sha256, s_.http_validators, ctx_.now()); !st)
        ctx_.warn("cannot save the HTTP validators (the next batch reads the sources whole): " +
                  st.error().describe());
  }

  const SyncApplyOptions& opts_;
  CommandContext& ctx_;
  Session s_;
  std::optional<sync_incremental::Run> inc_;
  std::optional<Error> held_;
  long batch_deactivations_ = 0;
};

}  // namespace

int run_sync_apply(const SyncApplyOptions& opts, CommandContext& ctx) { return SyncApply(opts, ctx).run(); }

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
  cmd.add_option("--full-every", o->full_every,
                 "With --incremental: a full read when the last one is older than this many seconds (default 0: "
                 "never); it finds deletions by absence, which a change log can miss")
      ->check(CLI::Range(0.0, 366.0 * 86400));
  cmd.callback([o, run, &ctx] {
    JobReport report("sync apply", "sync");
    ctx.exit_status = run_reported(ctx, {o->summary_file, o->metrics_file}, report,
                                   [&](JobReport&) { return run(*o, ctx); });
  });
}

}  // namespace daoctl::commands
