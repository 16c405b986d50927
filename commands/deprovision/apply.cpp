// daoctl deprovision apply: block dismissed staff, reactivate returners, run the due staged steps.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "core/text/date.hpp"
#include "commands/common/job_report.hpp"
#include "commands/deprovision/verbs.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;
using namespace deprovision_engine;
using namespace deprovision_verbs;

int run_deprovision_apply(const DeprovisionApplyOptions& opts, CommandContext& ctx) {
  std::string state_dir = opts.run.state_dir.empty() ? local::default_state_dir() : opts.run.state_dir;
  value_or_throw(local::make_dirs(state_dir));
  // The sync job's lock: a sync and a deprovision run of one job never overlap.
  auto job = load_job_file(opts.run.job_file, opts.run.today, ctx.now());
  if (ctx.job_report) ctx.job_report->labels["job"] = job.name;
  auto lock = value_or_throw(local::JobLock::acquire(state_dir + "/" + job.name + ".lock", "sync job " + job.name));
  Session s = prepare(opts.run, ctx, /*read_sources=*/true);
  require_policy(s, opts.run.job_file);
  record_reconciled(s, ctx, opts.audit_file);
  s.plan = deprovision_only(s.plan);
  const std::string who = s.job.managed_by();
  if (auto guard = sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision)); !guard) {
    write_audit(ctx, s.state_dir, s.job.name, opts.audit_file,
                audit_record(who, "safety_stop", "job " + s.job.name, "", guard.error().describe(), text::format_rfc3339(ctx.now()),
                             "stopped", "nothing was changed"));
    throw CommandError(guard.error());
  }
  if (opts.staging || s.job.dismissal.staging) {
    auto due = plan_due_steps(s, ctx, false, {});
    render(s, s.plan, due, true, ctx);
    std::string when = text::format_rfc3339(ctx.now());
    for (const auto& a : s.plan.users)
      write_audit(ctx, s.state_dir, s.job.name, opts.audit_file,
                  audit_record(who, a.kind == sync::UserActionKind::Deactivate ? "block" : "reactivate",
                               "user " + a.user_name, a.id, a.reason, when, "staged"));
    for (const auto& a : due.actions)
      write_audit(ctx, s.state_dir, s.job.name, opts.audit_file,
                  audit_record(who, to_string(a.step), "user " + a.user_name, a.user_id, a.reason, when, "staged"));
    if (ctx.job_report) {
      ctx.job_report->count("staged", static_cast<std::int64_t>(s.plan.users.size() + due.actions.size()));
      ctx.job_report->extra["staging"] = true;
    }
    return exit_code::ok;
  }
  deprovision_engine::FinishOptions fo;
  fo.who = who;
  fo.audit_file = opts.audit_file;
  auto aopts = apply_options(s, ctx);
  aopts.before_deactivate = intent_recorder(s, ctx, fo);
  auto report = sync::apply_plan(s.plan, s.state, *s.target, aopts);
  long failed = deprovision_engine::finish_deprovisioning(s, report, ctx, fo);
  if (ctx.job_report) {
    ctx.job_report->count("blocked", s.plan.count(sync::UserActionKind::Deactivate) - report.failed);
    ctx.job_report->count("reactivated", s.plan.count(sync::UserActionKind::Reactivate));
    ctx.job_report->count("failed", failed);
    for (const auto& i : report.items)
      if (!i.ok) ctx.job_report->error(i.object + " (" + i.action + ")", i.error);
  }
  ctx.info(fmt::format("{}: {} blocked, {} reactivated, {} failed; audit log {}", s.job.name,
                       s.plan.count(sync::UserActionKind::Deactivate) - report.failed,
                       s.plan.count(sync::UserActionKind::Reactivate), failed,
                       deprovision_engine::audit_path(s.state_dir, s.job.name)));
  if (failed > 0)
    throw CommandError(ErrorKind::Partial, fmt::format("{} deprovisioning step(s) failed", failed), "job " + s.job.name,
                       "", "see the audit log; the next run retries them");
  return exit_code::ok;
}

void register_deprovision_apply(CLI::App& group, CommandContext& ctx, DeprovisionRunner<DeprovisionApplyOptions> run) {
  auto o = std::make_shared<DeprovisionApplyOptions>();
  auto& cmd = add_command(group, {"apply", "Block dismissed staff, reactivate returners, run the due staged steps",
                                  "daoctl deprovision apply -f nightly.yaml --audit-file /var/log/daoctl/audit.jsonl"});
  add_job_flags(cmd, o->run, o->audit_file, true);
  cmd.add_flag("--staging", o->staging, "Plan and write the audit log as 'staged', change nothing");
  cmd.add_option("--allow-deprovision", o->allow_deprovision,
                 "Let exactly the plan with this hash past the deactivation thresholds");
  cmd.add_option("--summary-file", o->summary_file,
                 "Write the JSON run summary to this file (atomically, also on failure)");
  cmd.add_option("--metrics-file", o->metrics_file,
                 "Write Prometheus textfile metrics to this file (atomically, also on failure)");
  cmd.callback([o, run, &ctx] {
    JobReport report("deprovision apply", "deprovision");
    ctx.exit_status =
        run_reported(ctx, {o->summary_file, o->metrics_file}, report, [&](JobReport&) { return run(*o, ctx); });
  });
}

}  // namespace daoctl::commands
