// The deprovisioning steps shared by `sync apply`, `deprovision apply` and
// `deprovision user`: ledger bookkeeping, the staged steps and the audit log.
#include <fmt/format.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "commands/deprovision/deprovision.hpp"
#include "core/text/date.hpp"
#include "connectors/local/files.hpp"
#include "connectors/targets/deprovision_target.hpp"
#include "core/deprovision/pipeline.hpp"

namespace daoctl::commands::deprovision_engine {

using nlohmann::json;
using namespace daoctl::deprovision;

std::string audit_path(const std::string& state_dir, const std::string& job) {
  return state_dir + "/" + job + ".audit.jsonl";
}

Status write_audit_lines(const std::string& state_dir, const std::string& job, const std::string& extra_file,
                         const std::vector<json>& records) {
  if (records.empty()) return {};
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  Status first;
  for (const auto& path : {audit_path(state_dir, job), extra_file}) {
    if (path.empty()) continue;
    if (auto st = local::append_durable(path, text, 0600); !st && first) first = st;
  }
  return first;
}

// Appends audit lines to the state dir's log and the --audit-file copy, each
// on disk before this returns. A log that cannot be written is a warning per
// line: the action happened.
void write_audit(CommandContext& ctx, const std::string& state_dir, const std::string& job,
                 const std::string& extra_file, const json& record) {
  if (auto st = write_audit_lines(state_dir, job, extra_file, {record}); !st)
    ctx.warn("cannot write the audit log: " + st.error().describe());
}

void save_ledger(const sync_engine::Session& s) {
  auto path = sync_engine::ledger_path(s.state_dir, s.job.name);
  value_or_throw(local::write_file_atomic(path, s.ledger.to_json().dump(2) + "\n", 0600));
}

std::string real_user() {
  // The audit trail's "who" must not be whatever the caller put in $USER
  // (`USER=someone-else daoctl deprovision user ...`). The effective uid is
  // what the kernel acts as; only when that is root under sudo is the person
  // sudo's SUDO_USER (root could write any name anyway).
  const uid_t euid = ::geteuid();
  const char* sudo = std::getenv("SUDO_USER");
  if (sudo && *sudo && euid == 0) return sudo;
  if (const passwd* pw = ::getpwuid(euid); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(euid);
}

std::function<Status(const std::vector<const sync::UserAction*>&)> intent_recorder(sync_engine::Session& s,
                                                                                 CommandContext& ctx,
                                                                                 const FinishOptions& options) {
  return [&s, &ctx, options](const std::vector<const sync::UserAction*>& blocks) -> Status {
    const std::string when = text::format_rfc3339(ctx.now());
    std::map<std::string, const sync::PlatformUser*> users;
    for (const auto& u : s.state.users) users[u.id] = &u;
    std::vector<json> lines;
    for (const auto* a : blocks) {
      LedgerEntry e;
      e.id = a->id;
      e.external_id = a->external_id;
      e.user_name = a->user_name;
      e.reason = a->reason;
      e.blocked_at = s.today;
      e.blocked_by = options.blocked_by.empty() ? s.job.managed_by() : options.blocked_by;
      if (auto u = users.find(a->id); u != users.end()) e.manager_id = u->second->manager_id;
      if (auto t = options.transfer_to.find(a->id); t != options.transfer_to.end()) e.transfer_to = t->second;
      e.state = kIntentState;
      s.ledger.entries[e.id] = e;
      lines.push_back(audit_record(options.who, "block", "user " + a->user_name, a->id, a->reason, when, "intent",
                                   "about to be sent; the next line gives the outcome"));
    }
    // The ledger first: it is what a rerun trusts to reactivate.
    if (auto st = local::write_file_atomic(sync_engine::ledger_path(s.state_dir, s.job.name),
                                           s.ledger.to_json().dump(2) + "\n", 0600);
        !st)
      return st;
    return write_audit_lines(s.state_dir, s.job.name, options.audit_file, lines);
  };
}

void record_reconciled(sync_engine::Session& s, CommandContext& ctx, const std::string& audit_file) {
  if (s.reconciled.empty()) return;
  const std::string when = text::format_rfc3339(ctx.now());
  std::vector<json> lines;
  // The run may have died between the PATCH and the revocations (they are
  // sent after every PATCH of a batch): the `now` steps are done again
  // (DELETE of sessions/tokens is idempotent).
  std::vector<std::string> revocations;
  if (s.job.target != "scim")
    for (auto step : s.job.dismissal.now)
      if (step == Step::RevokeSessions || step == Step::RevokeTokens)
        revocations.push_back(step == Step::RevokeSessions ? "sessions" : "tokens");
  std::optional<targets::PlatformDeprovisionTarget> platform;
  if (!revocations.empty() && !s.reconciled.confirmed.empty())
    platform.emplace(ctx.client(), *s.target, s.job.managed_by());
  for (const auto& e : s.reconciled.confirmed) {
    std::string detail = "reconciled: the intent of an interrupted run (" + e.blocked_at +
                         "); the account is blocked on the platform";
    std::string result = "ok";
    for (const auto& what : revocations) {
      if (auto st = platform->revoke(e.id, e.user_name, what); !st) {
        result = "failed";
        detail += "; revoking " + what + " failed: " + st.error().describe();
        ctx.warn("user " + e.user_name + ": " + st.error().describe());
      } else {
        detail += "; " + what + " revoked";
      }
    }
    lines.push_back(audit_record(e.blocked_by, "block", "user " + e.user_name, e.id, e.reason, when, result, detail));
    ctx.warn("user " + e.user_name + ": blocked by an interrupted run; now on record in the ledger");
  }
  for (const auto& e : s.reconciled.dropped)
    lines.push_back(audit_record(e.blocked_by, "block", "user " + e.user_name, e.id, e.reason, when, "not_carried_out",
                                 "reconciled: the intent of an interrupted run (" + e.blocked_at +
                                     "); the account is not blocked on the platform, so the block did not happen"));
  save_ledger(s);
  if (auto st = write_audit_lines(s.state_dir, s.job.name, audit_file, lines); !st)
    ctx.warn("cannot write the audit log: " + st.error().describe());
  s.reconciled = {};
}

// The staged steps due today, for the ledger as it is now.
FollowupPlan plan_due_steps(sync_engine::Session& s, CommandContext& ctx, bool ignore_grace,
                            const std::set<std::string>& only_ids) {
  FollowupInput in;
  in.policy = &s.job.dismissal;
  in.ledger = &s.ledger;
  in.state = &s.state;
  in.today = s.today;
  in.ignore_grace = ignore_grace;
  in.only_ids = only_ids;
  if (s.job.dismissal.has_then(Step::RemoveFromCommunities) && !s.ledger.entries.empty()) {
    targets::PlatformDeprovisionTarget probe(ctx.client(), *s.target, s.job.managed_by());
    in.communities_supported = probe.communities_supported(in.communities_note);
  }
  return plan_followups(in);
}

long finish_deprovisioning(sync_engine::Session& s, const sync::ApplyReport& report, CommandContext& ctx,
                           const FinishOptions& options) {
  const std::string when = text::format_rfc3339(ctx.now());
  auto audit = [&](const json& record) { write_audit(ctx, s.state_dir, s.job.name, options.audit_file, record); };
  std::map<std::string, const sync::UserAction*> action_by_id;
  for (const auto& a : s.plan.users)
    if (!a.id.empty()) action_by_id[a.id] = &a;
  std::map<std::string, sync::PlatformUser*> user_by_id;
  for (auto& u : s.state.users) user_by_id[u.id] = &u;
  long failed = 0;

  std::string revoked;
  for (auto step : s.job.dismissal.now)
    if (step != Step::Block) revoked += std::string(revoked.empty() ? "" : ", ") + to_string(step);
  for (const auto& item : report.items) {
    if (item.phase != "users" || (item.action != "deactivate" && item.action != "reactivate")) continue;
    auto ait = action_by_id.find(item.id);
    std::string why = ait != action_by_id.end() ? ait->second->reason : "";
    if (!item.ok) {
      ++failed;
      audit(audit_record(options.who, item.action == "deactivate" ? "block" : "reactivate", item.object, item.id, why,
                         when, "failed", item.error));
      continue;
    }
    auto uit = user_by_id.find(item.id);
    if (item.action == "deactivate") {
      LedgerEntry e;
      e.id = item.id;
      e.external_id = ait != action_by_id.end() ? ait->second->external_id : "";
      e.user_name = ait != action_by_id.end() ? ait->second->user_name : item.object;
      e.reason = why;
      e.blocked_at = s.today;
      e.blocked_by = options.blocked_by.empty() ? s.job.managed_by() : options.blocked_by;
      if (auto old = s.ledger.entries.find(item.id); old != s.ledger.entries.end() && old->second.intent_only())
        e.blocked_by = old->second.blocked_by;  // as the intent recorded it
      if (uit != user_by_id.end()) e.manager_id = uit->second->manager_id;
      if (auto t = options.transfer_to.find(item.id); t != options.transfer_to.end()) e.transfer_to = t->second;
      s.ledger.entries[e.id] = e;
      if (uit != user_by_id.end()) uit->second->active = false;
      audit(audit_record(options.who, "block", item.object, item.id, why, when, "ok",
                         revoked.empty() ? "login disabled" : "login disabled; " + revoked));
    } else {
      std::string cancelled;
      if (auto e = s.ledger.entries.find(item.id); e != s.ledger.entries.end()) {
        for (auto step : s.job.dismissal.then)
          if (!e->second.did(to_string(step)))
            cancelled += std::string(cancelled.empty() ? "" : ", ") + to_string(step);
        s.ledger.entries.erase(e);
      }
      if (uit != user_by_id.end()) uit->second->active = true;
      audit(audit_record(options.who, "reactivate", item.object, item.id, why, when, "ok",
                         cancelled.empty() ? "" : "pending steps cancelled: " + cancelled));
    }
  }

  // Employees dismissed before daoctl first saw them, created blocked by this
  // run: daoctl's own block, so the staged steps run for them (their grace
  // period counts from the dismissal date the source gives) and a source
  // that lists them as active again reactivates them.
  std::vector<sync::PlatformUser> created_blocked;  // added to the state below
  std::map<std::string, const sync::UserAction*> create_by_name;
  for (const auto& a : s.plan.users)
    if (a.kind == sync::UserActionKind::Create) create_by_name["user " + a.user_name] = &a;
  for (const auto& item : report.items) {
    if (item.phase != "users" || item.action != "create" || !item.ok || item.id.empty()) continue;
    auto c = create_by_name.find(item.object);
    if (c == create_by_name.end()) continue;
    auto d = s.dismissed.find(c->second->external_id);
    if (d == s.dismissed.end() || s.ledger.entries.count(item.id)) continue;
    auto since = s.dismissed_since.find(c->second->external_id);
    LedgerEntry e{item.id, c->second->external_id, c->second->user_name, d->second,
                  since != s.dismissed_since.end() ? since->second : s.today, s.job.managed_by(), "", "", {},
                  "blocked"};
    s.ledger.entries[item.id] = e;
    // The state was read before this run created the account: without it,
    // the follow-up pass below would take the new entry for an account
    // deleted since and forget it in the same run.
    sync::PlatformUser created;
    created.id = item.id;
    created.external_id = c->second->external_id;
    created.user_name = c->second->user_name;
    created.managed_by = s.job.managed_by();
    created.active = false;
    created_blocked.push_back(std::move(created));
    audit(audit_record(options.who, "block", item.object, item.id, d->second, when, "ok",
                       "created blocked (dismissed before daoctl first saw the account, on " + e.blocked_at +
                           "); the staged steps follow after the grace period"));
  }

  // Dismissed employees whose accounts an administrator blocked already: the
  // cleanup still follows the grace period, but sync never unblocks them.
  for (auto& u : s.state.users) {
    if (u.active || u.managed_by != s.job.managed_by() || s.ledger.entries.count(u.id)) continue;
    auto d = s.dismissed.find(u.external_id);
    if (d == s.dismissed.end()) continue;
    LedgerEntry e{u.id, u.external_id, u.user_name, d->second, s.today, kBlockedByAdministrator, u.manager_id, "", {}, "blocked"};
    s.ledger.entries[u.id] = e;
    audit(audit_record(options.who, "adopt", "user " + u.user_name, u.id, d->second, when, "ok",
                       "already blocked by an administrator; the staged steps follow after the grace period"));
  }

  for (auto& u : created_blocked) s.state.users.push_back(std::move(u));
  auto due = plan_due_steps(s, ctx, options.ignore_grace, options.only_ids);
  for (const auto& [name, why] : due.held) ctx.warn("user " + name + ": " + why);
  if (!due.actions.empty() || !due.forget.empty()) {
    targets::PlatformDeprovisionTarget target(ctx.client(), *s.target, s.job.managed_by());
    run_followups(due, s.ledger, target, [&](const StepOutcome& o) {
      std::string result = !o.ok ? "failed" : o.skipped ? "skipped" : "ok";
      if (!o.ok) {
        ++failed;
        ctx.warn("user " + o.user_name + " (" + o.step + "): " + o.error);
      }
      audit(audit_record(options.who, o.step, "user " + o.user_name, o.user_id, o.reason, when, result,
                         o.ok ? o.detail : o.error));
    });
  }
  save_ledger(s);
  return failed;
}

}  // namespace daoctl::commands::deprovision_engine
