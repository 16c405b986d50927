// daoctl deprovision user: offboard one account now through the same pipeline.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/deprovision/verbs.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;
using namespace deprovision_engine;
using namespace deprovision_verbs;

namespace {

std::string step_list(const std::vector<Step>& steps) {
  std::vector<std::string> names;
  for (auto step : steps) names.push_back(to_string(step));
  return fmt::format("{}", fmt::join(names, ", "));
}

// What run_deprovision_user would do for `user`, said and not done: the
// ledger, the audit log and the platform stay as they are.
int dry_run_offboarding(const Session& s, const sync::PlatformUser& user, const DeprovisionUserOptions& opts,
                        const std::string& reason, CommandContext& ctx) {
  const bool grace_now = opts.run.job_file.empty() || opts.immediately;
  const std::string then_due = grace_now ? s.today : add_days(s.today, s.job.dismissal.after_days);
  const auto ledger = s.ledger.entries.find(user.id);
  std::vector<Step> now;
  if (user.active) now = s.job.dismissal.now;
  json details = {{"user", {{"id", user.id}, {"userName", user.user_name}, {"active", user.active}}},
                  {"reason", reason},
                  {"now", json::array()},
                  {"then", json::array()},
                  {"then_due", then_due}};
  for (auto step : now) details["now"].push_back(to_string(step));
  for (auto step : s.job.dismissal.then) details["then"].push_back(to_string(step));
  if (!opts.transfer_to.empty()) details["transfer_to"] = opts.transfer_to;
  std::string what = fmt::format("offboard user {} (id {})", user.user_name, user.id);
  if (!now.empty()) what += ": " + step_list(now) + " now";
  else what += ledger == s.ledger.entries.end() ? ", blocked already" : ", blocked already by " + ledger->second.blocked_by;
  if (!s.job.dismissal.then.empty())
    what += fmt::format("; {} {}", step_list(s.job.dismissal.then), grace_now ? "now" : "on " + then_due);
  return report_dry_run(ctx, what, details);
}

}  // namespace

int run_deprovision_user(const DeprovisionUserOptions& opts, CommandContext& ctx) {
  Session s = adhoc_session(opts.run, opts.transfer_to, ctx);
  if (!opts.dry_run) record_reconciled(s, ctx, opts.audit_file);
  const sync::PlatformUser& user = resolve_user(s.state, opts.who);
  std::string transfer_id;
  if (!opts.transfer_to.empty()) {
    const auto& to = resolve_user(s.state, opts.transfer_to);
    if (to.id == user.id) throw CommandError(ErrorKind::Usage, "cannot transfer content to the leaver", "user " + opts.who);
    if (!to.active)
      throw CommandError(ErrorKind::Validation, "the new content owner is blocked", "user " + to.user_name);
    transfer_id = to.id;
  }
  const std::string reason = opts.reason.empty() ? "offboarded by " + login_name() : opts.reason;
  if (opts.dry_run) return dry_run_offboarding(s, user, opts, reason, ctx);
  confirm_by_typing(ctx, "deprovision user " + user.user_name, "user " + user.user_name, user.user_name);
  s.plan = sync::SyncPlan{};
  s.plan.job = s.job.name;
  if (user.active) {
    sync::UserAction a;
    a.kind = sync::UserActionKind::Deactivate;
    a.id = user.id;
    a.external_id = user.external_id;
    a.user_name = user.user_name;
    a.reason = reason;
    s.plan.users.push_back(a);
  } else if (!s.ledger.entries.count(user.id)) {
    // Blocked by hand already: clean up, but never unblock it later.
    s.ledger.entries[user.id] = {user.id, user.external_id, user.user_name, reason, s.today,
                                 kBlockedByAdministrator, user.manager_id, transfer_id, {}, "blocked"};
  }
  if (auto e = s.ledger.entries.find(user.id); e != s.ledger.entries.end() && !transfer_id.empty())
    e->second.transfer_to = transfer_id;
  // An administrator's block, not the job's: sync never undoes it (only
  // `deprovision reactivate` does), and the audit log names the person.
  deprovision_engine::FinishOptions fo;
  fo.who = login_name();
  fo.blocked_by = std::string(kManualPrefix) + login_name();
  fo.audit_file = opts.audit_file;
  fo.only_ids = {user.id};
  fo.ignore_grace = opts.run.job_file.empty() || opts.immediately;
  if (!transfer_id.empty()) fo.transfer_to[user.id] = transfer_id;
  auto aopts = apply_options(s, ctx);
  aopts.before_deactivate = intent_recorder(s, ctx, fo);
  auto report = sync::apply_plan(s.plan, s.state, *s.target, aopts);
  long failed = deprovision_engine::finish_deprovisioning(s, report, ctx, fo);
  if (failed > 0)
    throw CommandError(ErrorKind::Partial, fmt::format("{} offboarding step(s) failed", failed), "user " + user.user_name,
                       "", "see the audit log " + deprovision_engine::audit_path(s.state_dir, s.job.name));
  auto e = s.ledger.entries.find(user.id);
  json out = {{"id", user.id}, {"userName", user.user_name}, {"reason", reason}};
  if (e != s.ledger.entries.end()) {
    out["blocked_at"] = e->second.blocked_at;
    out["blocked_by"] = e->second.blocked_by;
    out["done"] = e->second.done;
    out["state"] = e->second.state;
    out["then_due"] = add_days(e->second.blocked_at, s.job.dismissal.after_days);
  } else {
    out["state"] = "deleted";
  }
  if (ctx.format() == output::Format::Json) ctx.io().out() << out.dump(2) << "\n";
  else {
    // A sentence for the person at the terminal; -o json has the fields.
    std::vector<std::string> done;
    if (out.contains("done") && out["done"].is_array())
      for (const auto& d : out["done"]) done.push_back(d.is_string() ? d.get<std::string>() : d.dump());
    std::string text = fmt::format("Offboarded {} (id {}): now {}", user.user_name, user.id, out["state"].get<std::string>());
    if (!done.empty()) text += fmt::format("; done: {}", fmt::join(done, ", "));
    else if (out.contains("then_due")) text += "; the staged steps are due " + out["then_due"].get<std::string>();
    ctx.io().out() << text << ".\n";
  }
  return exit_code::ok;
}

void register_deprovision_user(CLI::App& group, CommandContext& ctx, DeprovisionRunner<DeprovisionUserOptions> run) {
  auto o = std::make_shared<DeprovisionUserOptions>();
  auto& cmd = add_command(group, {"user", "Offboard one account now: block, revoke, remove from groups, transfer, archive",
                                  "daoctl deprovision user ivanov.i --transfer-to petrov.p --yes"});
  cmd.add_option("user", o->who, "The account: id, userName or email")->required();
  add_job_flags(cmd, o->run, o->audit_file, false);
  cmd.add_option("--transfer-to", o->transfer_to, "Give the account's content to this account (id, userName or email)");
  cmd.add_option("--reason", o->reason, "Why (recorded in the ledger and the audit log)");
  cmd.add_flag("--immediately", o->immediately, "With -f: run the job's staged steps now, not after the grace period");
  cmd.add_flag("--dry-run", o->dry_run, "Only say which steps would run; no confirmation, nothing changed");
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
