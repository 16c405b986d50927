// daoctl deprovision plan: who would be blocked, reactivated or cleaned up, and why.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/plan_html.hpp"
#include "commands/deprovision/verbs.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;
using namespace deprovision_engine;
using namespace deprovision_verbs;

int run_deprovision_plan(const DeprovisionPlanOptions& opts, CommandContext& ctx) {
  Session s = prepare(opts.run, ctx, /*read_sources=*/true);
  require_policy(s, opts.run.job_file);
  s.plan = deprovision_only(s.plan);
  auto due = plan_due_steps(s, ctx, false, {});
  const bool staging = opts.staging || s.job.dismissal.staging;
  if (ctx.format() == output::Format::Json) {
    json j = {{"plan", s.plan.to_json()}, {"staged", followups_json(due)}, {"staging", staging},
              {"today", s.today}};
    ctx.io().out() << j.dump(2) << "\n";
  } else {
    render(s, s.plan, due, staging, ctx);
  }
  auto guards = sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision));
  if (!opts.html_out.empty())
    write_plan_html(opts.html_out, s.plan.to_json(), followups_json(due), "deprovision", opts.run.job_file, "", guards,
                    ctx);
  value_or_throw(std::move(guards));
  if (opts.detailed_exitcode && (s.plan.has_changes() || !due.actions.empty())) return exit_code::changes_pending;
  return exit_code::ok;
}

void register_deprovision_plan(CLI::App& group, CommandContext& ctx, DeprovisionRunner<DeprovisionPlanOptions> run) {
  auto o = std::make_shared<DeprovisionPlanOptions>();
  auto& cmd = add_command(group, {"plan", "Show who would be blocked, reactivated or cleaned up, and why",
                                  "daoctl deprovision plan -f nightly.yaml --today 2025-03-01"});
  add_job_flags(cmd, o->run, o->audit_file, true);
  cmd.add_flag("--staging", o->staging, "Say that this is a staging run (plan and report, never act)");
  cmd.add_flag("--detailed-exitcode", o->detailed_exitcode, "Exit 8 when something would be done");
  cmd.add_option("--html", o->html_out, "Also write the plan's review page (self-contained HTML) to FILE");
  cmd.add_option("--allow-deprovision", o->allow_deprovision,
                 "Let exactly the plan with this hash past the deactivation thresholds");
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
