// daoctl sync plan: read the sources and the platform and show what would change.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/plan_html.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/verbs.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace sync_verbs;

int run_sync_plan(const SyncPlanOptions& opts, CommandContext& ctx) {
  Session s = prepare(opts.run, ctx, /*read_sources=*/true);
  log_adoptions(s.plan, ctx);
  if (ctx.format() == output::Format::Json) ctx.io().out() << s.plan.to_json().dump(2) << "\n";
  else render_plan(s.plan, s, ctx);
  if (!opts.plan_out.empty())
    value_or_throw(local::write_file_atomic(opts.plan_out, s.plan.to_json().dump(2) + "\n", 0600));
  // A plan that apply would refuse says so now, with the same exit code.
  auto guards = sync::check_guards(s.job, s.plan, guard_input(s, opts.allow_deprovision));
  if (!opts.html_out.empty())
    write_plan_html(opts.html_out, s.plan.to_json(), nullptr, "sync", opts.run.job_file, opts.plan_out, guards, ctx);
  value_or_throw(std::move(guards));
  // Colliding people are named in the plan ("collisions"); exit 3 like an
  // apply whose items partly failed, before anything was sent.
  if (s.plan.unresolved_collisions() > 0) throw collisions_error(s.plan, "see the Collisions section of the plan");
  if (opts.detailed_exitcode && s.plan.has_changes()) return exit_code::changes_pending;
  return exit_code::ok;
}

void register_sync_plan(CLI::App& group, CommandContext& ctx, SyncRunner<SyncPlanOptions> run) {
  auto o = std::make_shared<SyncPlanOptions>();
  auto& cmd = add_command(group, {"plan", "Read the sources and the platform and show what would change",
                                 "daoctl sync plan -f nightly.yaml --out plan.json --detailed-exitcode"});
  add_job_flags(cmd, o->run);
  cmd.add_option("--out", o->plan_out, "Save the plan (JSON) for a later 'sync apply --plan'");
  cmd.add_flag("--detailed-exitcode", o->detailed_exitcode, "Exit 8 when the plan has changes");
  cmd.add_option("--html", o->html_out, "Also write the plan's review page (self-contained HTML) to FILE");
  add_retry_flags(cmd, o->run);
  cmd.add_option("--allow-deprovision", o->allow_deprovision,
                 "Let exactly the plan with this hash past the deactivation thresholds");
  cmd.add_option("--adopt-from", o->run.adopt_from,
                 "Take over the accounts another job manages (managedBy daoctl:JOB); counted like deactivations")
      ->type_name("JOB");
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
