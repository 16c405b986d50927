// daoctl deprovision reactivate: undo a block daoctl made (never an administrator's).
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/deprovision/verbs.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;
using namespace deprovision_engine;
using namespace deprovision_verbs;

int run_deprovision_reactivate(const DeprovisionReactivateOptions& opts, CommandContext& ctx) {
  Session s = adhoc_session(opts.run, "", ctx);
  if (!opts.dry_run) record_reconciled(s, ctx, opts.audit_file);
  const sync::PlatformUser& user = resolve_user(s.state, opts.who);
  auto e = s.ledger.entries.find(user.id);
  if (e == s.ledger.entries.end() || !e->second.command_may_reactivate())
    throw CommandError(ErrorKind::Safety, "daoctl did not block this account", "user " + user.user_name,
                       e == s.ledger.entries.end() ? "it is not in the ledger of job " + s.job.name
                                                   : "an administrator blocked it",
                       "an administrator's block is undone by hand: daoctl users reactivate " + user.id);
  if (opts.dry_run) {
    const json details = {{"user", {{"id", user.id}, {"userName", user.user_name}, {"active", user.active}}},
                          {"blocked_by", e->second.blocked_by},
                          {"reactivate", !user.active}};
    return report_dry_run(ctx,
                          user.active ? "cancel the pending steps of user " + user.user_name + " (active already)"
                                      : "reactivate user " + user.user_name + " (id " + user.id +
                                            ") and cancel its pending deprovisioning steps",
                          details);
  }
  if (user.active) {
    s.ledger.entries.erase(e);
    save_ledger(s);
    ctx.info("user " + user.user_name + " is active already; its pending steps are cancelled");
    return exit_code::ok;
  }
  s.plan = sync::SyncPlan{};
  s.plan.job = s.job.name;
  sync::UserAction a;
  a.kind = sync::UserActionKind::Reactivate;
  a.id = user.id;
  a.external_id = user.external_id;
  a.user_name = user.user_name;
  a.reason = opts.reason.empty() ? "reactivated by " + login_name() : opts.reason;
  s.plan.users.push_back(a);
  auto report = sync::apply_plan(s.plan, s.state, *s.target, apply_options(s, ctx));
  deprovision_engine::FinishOptions fo;
  fo.who = login_name();
  fo.audit_file = opts.audit_file;
  fo.only_ids = {user.id};
  if (deprovision_engine::finish_deprovisioning(s, report, ctx, fo) > 0)
    throw CommandError(ErrorKind::Validation, "the account could not be reactivated", "user " + user.user_name,
                       report.items.empty() ? "" : report.items.front().error);
  ctx.info("user " + user.user_name + " reactivated; pending deprovisioning steps cancelled");
  return exit_code::ok;
}

void register_deprovision_reactivate(CLI::App& group, CommandContext& ctx,
                                     DeprovisionRunner<DeprovisionReactivateOptions> run) {
  auto o = std::make_shared<DeprovisionReactivateOptions>();
  auto& cmd = add_command(group, {"reactivate", "Undo a block daoctl made and cancel the pending steps",
                                  "daoctl deprovision reactivate ivanov.i -f nightly.yaml"});
  cmd.add_option("user", o->who, "The account: id, userName or email")->required();
  add_job_flags(cmd, o->run, o->audit_file, false);
  cmd.add_option("--reason", o->reason, "Why (recorded in the audit log)");
  cmd.add_flag("--dry-run", o->dry_run, "Only say what would be undone");
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
