#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/job_report.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "connectors/local/files.hpp"
#include "connectors/targets/deprovision_target.hpp"
#include "core/deprovision/pipeline.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;


namespace {

using namespace deprovision_engine;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string login_name() { return deprovision_engine::real_user(); }

// Only the deprovisioning part of a sync plan: blocks and reactivations,
// without the field updates that ride along in a full sync.
sync::SyncPlan deprovision_only(const sync::SyncPlan& full) {
  sync::SyncPlan p;
  p.job = full.job;
  p.target = full.target;
  p.created_at = full.created_at;
  p.platform_fingerprint = full.platform_fingerprint;
  p.source_records = full.source_records;
  p.managed_users = full.managed_users;
  for (const auto& a : full.users) {
    if (a.kind != sync::UserActionKind::Deactivate && a.kind != sync::UserActionKind::Reactivate) continue;
    sync::UserAction copy = a;
    copy.changes.clear();
    p.users.push_back(std::move(copy));
  }
  for (const auto& w : full.warnings) p.warnings.push_back(w);
  return p;
}

std::string steps_text(const std::vector<Step>& steps) {
  std::string out;
  for (auto s : steps) out += (out.empty() ? "" : ", ") + std::string(to_string(s));
  return out;
}

json followups_json(const FollowupPlan& f) {
  json actions = json::array();
  for (const auto& a : f.actions) {
    json o = {{"id", a.user_id}, {"userName", a.user_name}, {"step", to_string(a.step)}, {"reason", a.reason},
              {"skipped", a.skipped}};
    if (!a.note.empty()) o["note"] = a.note;
    if (!a.groups.empty()) {
      o["groups"] = json::array();
      for (const auto& [id, name] : a.groups) o["groups"].push_back({{"id", id}, {"name", name}});
    }
    if (!a.transfer_to_id.empty()) o["transfer_to"] = {{"id", a.transfer_to_id}, {"userName", a.transfer_to_name}};
    actions.push_back(o);
  }
  json waiting = json::array();
  for (const auto& [name, due] : f.waiting) waiting.push_back({{"userName", name}, {"due", due}});
  json held = json::array();
  for (const auto& [name, why] : f.held) held.push_back({{"userName", name}, {"why", why}});
  return {{"steps", actions}, {"waiting", waiting}, {"held", held}};
}

void render(const Session& s, const sync::SyncPlan& plan, const FollowupPlan& due, bool staging, CommandContext& ctx) {
  auto& out = ctx.io().out();
  out << fmt::format("Deprovisioning for job {} (today {}{})\n", s.job.name, s.today,
                     s.job.dismissal.timezone.empty() ? "" : " in " + s.job.dismissal.timezone);
  for (const auto& [name, st] : s.sources) out << fmt::format("  source {}: {} records\n", name, st.records);
  for (const auto& a : plan.users) {
    std::string who = a.user_name + " (id " + a.id + ")";
    if (a.kind == sync::UserActionKind::Deactivate)
      out << fmt::format("  - {} {}: {}\n", who, steps_text(s.job.dismissal.now), a.reason);
    else
      out << fmt::format("  + {} reactivate: {}; pending steps cancelled\n", who, a.reason);
  }
  for (const auto& a : due.actions) {
    std::string extra;
    if (a.skipped) extra = " skipped: " + a.note;
    else if (a.step == Step::TransferContent) extra = " to " + a.transfer_to_name + " (id " + a.transfer_to_id + ")";
    else if (a.step == Step::RemoveFromGroups) {
      for (const auto& g : a.groups) extra += (extra.empty() ? " " : ", ") + g.second;
    }
    out << fmt::format("  ~ {} (id {}) {}{}: {}\n", a.user_name, a.user_id, to_string(a.step), extra, a.reason);
  }
  for (const auto& [name, when] : due.waiting)
    out << fmt::format("  . {}: in the grace period, {} due on {}\n", name, steps_text(s.job.dismissal.then), when);
  for (const auto& [name, why] : due.held) out << fmt::format("  ! {}: {}\n", name, why);
  for (const auto& w : plan.warnings) ctx.io().err() << "  ! " << w.object << ": " << w.message << "\n";
  out << fmt::format("\nPlan: {} to block, {} to reactivate, {} staged step(s) due, {} account(s) waiting.\n",
                     plan.count(sync::UserActionKind::Deactivate), plan.count(sync::UserActionKind::Reactivate),
                     due.actions.size(), due.waiting.size());
  out << "Plan hash: " << plan.hash() << "\n";
  if (staging) out << "Staging mode: nothing is carried out.\n";
}

void require_policy(const Session& s, const std::string& file) {
  if (!s.job.dismissal.configured)
    throw CommandError(ErrorKind::Config, "the job has no deprovision block", file, "",
                       "add deprovision: {dismissed_when: [...], now: [...], after_days: N, then: [...]}");
}

// The platform account named by an id, userName or email (case-insensitive).
const sync::PlatformUser& resolve_user(const sync::PlatformState& state, const std::string& who) {
  const sync::PlatformUser* found = nullptr;
  for (const auto& u : state.users) {
    auto email = u.fields.find("email");
    bool match = u.id == who || lower(u.user_name) == lower(who) ||
                 (email != u.fields.end() && email->second.string() && lower(*email->second.string()) == lower(who));
    if (!match) continue;
    if (found && found != &u)
      throw CommandError(ErrorKind::Usage, "several accounts match", "user " + who, "", "name the account by its id");
    found = &u;
  }
  if (!found) throw CommandError(ErrorKind::NotFound, "no such user", "user " + who, "no account has this id, userName or email");
  return *found;
}

// A Session for the ad hoc commands: the job's (with -f) or the ad hoc
// policy and ledger, the platform state, no sources.
Session adhoc_session(DeprovisionOptions& o, CommandContext& ctx) {
  if (!o.sync.job_file.empty()) {
    Session s = prepare(o.sync, ctx, /*read_sources=*/false);
    require_policy(s, o.sync.job_file);
    return s;
  }
  Session s;
  s.started = ctx.now();
  s.today = o.sync.today.empty() ? today_local(s.started) : o.sync.today;
  s.job.name = "adhoc";
  s.job.today = s.today;
  s.job.dismissal.configured = true;
  s.job.dismissal.after_days = 0;
  s.job.dismissal.then = {Step::RemoveFromGroups};
  if (!o.transfer_to.empty()) s.job.dismissal.then.push_back(Step::TransferContent);
  s.job.dismissal.then.push_back(Step::Archive);
  s.state_dir = o.sync.state_dir.empty() ? local::default_state_dir() : o.sync.state_dir;
  value_or_throw(local::make_dirs(s.state_dir));
  s.ledger = load_ledger(ledger_path(s.state_dir, s.job.name));
  targets::ScimTargetOptions topts;
  topts.managed_by = s.job.managed_by();
  s.target = std::make_unique<targets::ScimSyncTarget>(ctx.client(), topts);
  value_or_throw(s.target->discover());
  s.state = value_or_throw(s.target->read_state());
  s.reconciled = reconcile_intents(s.ledger, s.state);
  return s;
}

sync::ApplyOptions apply_options(const Session& s, CommandContext& ctx) {
  sync::ApplyOptions a;
  a.target = s.job.target == "scim" ? sync::TargetKind::Scim : sync::TargetKind::Platform;
  a.managed_by = s.job.managed_by();
  a.batch_size = static_cast<std::size_t>(std::max(64, ctx.global.concurrency.value_or(kDefaultConcurrency) * 32));
  a.revoke_sessions = s.job.dismissal.has_now(Step::RevokeSessions) || !s.job.dismissal.configured;
  a.revoke_tokens = s.job.dismissal.has_now(Step::RevokeTokens) || !s.job.dismissal.configured;
  return a;
}

int run_plan(DeprovisionOptions& o, CommandContext& ctx) {
  Session s = prepare(o.sync, ctx, /*read_sources=*/true);
  require_policy(s, o.sync.job_file);
  s.plan = deprovision_only(s.plan);
  auto due = plan_due_steps(s, ctx, false, {});
  const bool staging = o.staging || s.job.dismissal.staging;
  if (ctx.format() == output::Format::Json) {
    json j = {{"plan", s.plan.to_json()}, {"staged", followups_json(due)}, {"staging", staging},
              {"today", s.today}};
    ctx.io().out() << j.dump(2) << "\n";
  } else {
    render(s, s.plan, due, staging, ctx);
  }
  value_or_throw(sync::check_guards(s.job, s.plan, guard_input(s, o.sync.allow_deprovision)));
  if (o.sync.detailed_exitcode && (s.plan.has_changes() || !due.actions.empty())) return exit_code::changes_pending;
  return exit_code::ok;
}

int run_apply(DeprovisionOptions& o, CommandContext& ctx) {
  std::string state_dir = o.sync.state_dir.empty() ? local::default_state_dir() : o.sync.state_dir;
  value_or_throw(local::make_dirs(state_dir));
  // The sync job's lock: a sync and a deprovision run of one job never overlap.
  auto job = load_job_file(o.sync.job_file, o.sync.today, ctx.now());
  if (ctx.job_report) ctx.job_report->labels["job"] = job.name;
  auto lock = value_or_throw(local::JobLock::acquire(state_dir + "/" + job.name + ".lock", "sync job " + job.name));
  Session s = prepare(o.sync, ctx, /*read_sources=*/true);
  require_policy(s, o.sync.job_file);
  record_reconciled(s, ctx, o.audit_file);
  s.plan = deprovision_only(s.plan);
  const std::string who = s.job.managed_by();
  if (auto guard = sync::check_guards(s.job, s.plan, guard_input(s, o.sync.allow_deprovision)); !guard) {
    write_audit(ctx, s.state_dir, s.job.name, o.audit_file,
                audit_record(who, "safety_stop", "job " + s.job.name, "", guard.error().describe(), now_text(ctx),
                             "stopped", "nothing was changed"));
    throw CommandError(guard.error());
  }
  if (o.staging || s.job.dismissal.staging) {
    auto due = plan_due_steps(s, ctx, false, {});
    render(s, s.plan, due, true, ctx);
    std::string when = now_text(ctx);
    for (const auto& a : s.plan.users)
      write_audit(ctx, s.state_dir, s.job.name, o.audit_file,
                  audit_record(who, a.kind == sync::UserActionKind::Deactivate ? "block" : "reactivate",
                               "user " + a.user_name, a.id, a.reason, when, "staged"));
    for (const auto& a : due.actions)
      write_audit(ctx, s.state_dir, s.job.name, o.audit_file,
                  audit_record(who, to_string(a.step), "user " + a.user_name, a.user_id, a.reason, when, "staged"));
    if (ctx.job_report) {
      ctx.job_report->count("staged", static_cast<std::int64_t>(s.plan.users.size() + due.actions.size()));
      ctx.job_report->extra["staging"] = true;
    }
    return exit_code::ok;
  }
  deprovision_engine::FinishOptions fo;
  fo.who = who;
  fo.audit_file = o.audit_file;
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

int run_user(DeprovisionOptions& o, CommandContext& ctx) {
  Session s = adhoc_session(o, ctx);
  record_reconciled(s, ctx, o.audit_file);
  const sync::PlatformUser& user = resolve_user(s.state, o.who);
  std::string transfer_id;
  if (!o.transfer_to.empty()) {
    const auto& to = resolve_user(s.state, o.transfer_to);
    if (to.id == user.id) throw CommandError(ErrorKind::Usage, "cannot transfer content to the leaver", "user " + o.who);
    if (!to.active)
      throw CommandError(ErrorKind::Validation, "the new content owner is blocked", "user " + to.user_name);
    transfer_id = to.id;
  }
  const std::string reason = o.reason.empty() ? "offboarded by " + login_name() : o.reason;
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
  fo.audit_file = o.audit_file;
  fo.only_ids = {user.id};
  fo.ignore_grace = o.sync.job_file.empty() || o.immediately;
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

int run_reactivate(DeprovisionOptions& o, CommandContext& ctx) {
  Session s = adhoc_session(o, ctx);
  record_reconciled(s, ctx, o.audit_file);
  const sync::PlatformUser& user = resolve_user(s.state, o.who);
  auto e = s.ledger.entries.find(user.id);
  if (e == s.ledger.entries.end() || !e->second.command_may_reactivate())
    throw CommandError(ErrorKind::Safety, "daoctl did not block this account", "user " + user.user_name,
                       e == s.ledger.entries.end() ? "it is not in the ledger of job " + s.job.name
                                                   : "an administrator blocked it",
                       "an administrator's block is undone by hand: daoctl users reactivate " + user.id);
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
  a.reason = o.reason.empty() ? "reactivated by " + login_name() : o.reason;
  s.plan.users.push_back(a);
  auto report = sync::apply_plan(s.plan, s.state, *s.target, apply_options(s, ctx));
  deprovision_engine::FinishOptions fo;
  fo.who = login_name();
  fo.audit_file = o.audit_file;
  fo.only_ids = {user.id};
  if (deprovision_engine::finish_deprovisioning(s, report, ctx, fo) > 0)
    throw CommandError(ErrorKind::Validation, "the account could not be reactivated", "user " + user.user_name,
                       report.items.empty() ? "" : report.items.front().error);
  ctx.info("user " + user.user_name + " reactivated; pending deprovisioning steps cancelled");
  return exit_code::ok;
}

}  // namespace

void register_deprovision(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(root, {"deprovision", "Block dismissed staff at once and clean up after a grace period",
                                   "daoctl deprovision plan -f /etc/daoctl/nightly.yaml"});
  group.require_subcommand(1);
  auto add_job = [](CLI::App& cmd, DeprovisionOptions& o, bool required) {
    auto* f = cmd.add_option("-f,--file", o.sync.job_file, "The sync job file (sync.yaml) with a deprovision block");
    if (required) f->required();
    cmd.add_option("--state-dir", o.sync.state_dir, "Where the ledger, audit log, locks and state live");
    cmd.add_option("--today", o.sync.today, "The date rules and grace periods use (yyyy-MM-dd; default: today)");
    cmd.add_option("--audit-file", o.audit_file, "Also append the audit log (JSON Lines) to this file");
  };
  {
    auto o = std::make_shared<DeprovisionOptions>();
    auto& cmd = add_command(group, {"plan", "Show who would be blocked, reactivated or cleaned up, and why",
                                    "daoctl deprovision plan -f nightly.yaml --today 2025-03-01"});
    add_job(cmd, *o, true);
    cmd.add_flag("--staging", o->staging, "Say that this is a staging run (plan and report, never act)");
    cmd.add_flag("--detailed-exitcode", o->sync.detailed_exitcode, "Exit 8 when something would be done");
    cmd.add_option("--allow-deprovision", o->sync.allow_deprovision,
                   "Let exactly the plan with this hash past the deactivation thresholds");
    cmd.callback([o, &ctx] { ctx.exit_status = run_plan(*o, ctx); });
  }
  {
    auto o = std::make_shared<DeprovisionOptions>();
    auto& cmd = add_command(group, {"apply", "Block dismissed staff, reactivate returners, run the due staged steps",
                                    "daoctl deprovision apply -f nightly.yaml --audit-file /var/log/daoctl/audit.jsonl"});
    add_job(cmd, *o, true);
    cmd.add_flag("--staging", o->staging, "Plan and write the audit log as 'staged', change nothing");
    cmd.add_option("--allow-deprovision", o->sync.allow_deprovision,
                   "Let exactly the plan with this hash past the deactivation thresholds");
    cmd.add_option("--summary-file", o->sync.summary_file,
                   "Write the JSON run summary to this file (atomically, also on failure)");
    cmd.add_option("--metrics-file", o->sync.metrics_file,
                   "Write Prometheus textfile metrics to this file (atomically, also on failure)");
    cmd.callback([o, &ctx] {
      JobReport report("deprovision apply", "deprovision");
      ctx.exit_status = run_reported(ctx, {o->sync.summary_file, o->sync.metrics_file}, report,
                                     [&](JobReport&) { return run_apply(*o, ctx); });
    });
  }
  {
    auto o = std::make_shared<DeprovisionOptions>();
    auto& cmd = add_command(group, {"user", "Offboard one account now: block, revoke, remove from groups, transfer, archive",
                                    "daoctl deprovision user ivanov.i --transfer-to petrov.p --yes"});
    cmd.add_option("user", o->who, "The account: id, userName or email")->required();
    add_job(cmd, *o, false);
    cmd.add_option("--transfer-to", o->transfer_to, "Give the account's content to this account (id, userName or email)");
    cmd.add_option("--reason", o->reason, "Why (recorded in the ledger and the audit log)");
    cmd.add_flag("--immediately", o->immediately, "With -f: run the job's staged steps now, not after the grace period");
    cmd.callback([o, &ctx] { ctx.exit_status = run_user(*o, ctx); });
  }
  {
    auto o = std::make_shared<DeprovisionOptions>();
    auto& cmd = add_command(group, {"reactivate", "Undo a block daoctl made and cancel the pending steps",
                                    "daoctl deprovision reactivate ivanov.i -f nightly.yaml"});
    cmd.add_option("user", o->who, "The account: id, userName or email")->required();
    add_job(cmd, *o, false);
    cmd.add_option("--reason", o->reason, "Why (recorded in the audit log)");
    cmd.callback([o, &ctx] { ctx.exit_status = run_reactivate(*o, ctx); });
  }
}

}  // namespace daoctl::commands
