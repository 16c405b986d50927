#include "commands/deprovision/verbs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <CLI/CLI.hpp>

#include "connectors/local/files.hpp"
#include "core/deprovision/pipeline.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::commands::deprovision_verbs {

using nlohmann::json;
using namespace sync_engine;
using namespace daoctl::deprovision;

namespace {

std::string steps_text(const std::vector<Step>& steps) {
  std::string out;
  for (auto s : steps) out += (out.empty() ? "" : ", ") + std::string(to_string(s));
  return out;
}

}  // namespace

std::string login_name() { return deprovision_engine::real_user(); }

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

const sync::PlatformUser& resolve_user(const sync::PlatformState& state, const std::string& who) {
  const sync::PlatformUser* found = nullptr;
  for (const auto& u : state.users) {
    auto email = u.fields.find("email");
    bool match = u.id == who || text::lower_ascii(u.user_name) == text::lower_ascii(who) ||
                 (email != u.fields.end() && email->second.string() && text::lower_ascii(*email->second.string()) == text::lower_ascii(who));
    if (!match) continue;
    if (found && found != &u)
      throw CommandError(ErrorKind::Usage, "several accounts match", "user " + who, "", "name the account by its id");
    found = &u;
  }
  if (!found) throw CommandError(ErrorKind::NotFound, "no such user", "user " + who, "no account has this id, userName or email");
  return *found;
}

Session adhoc_session(const SyncOptions& run, const std::string& transfer_to, CommandContext& ctx) {
  if (!run.job_file.empty()) {
    Session s = prepare(run, ctx, /*read_sources=*/false);
    require_policy(s, run.job_file);
    return s;
  }
  Session s;
  s.started = ctx.now();
  s.today = run.today.empty() ? today_local(s.started) : run.today;
  s.job.name = "adhoc";
  s.job.today = s.today;
  s.job.dismissal.configured = true;
  s.job.dismissal.after_days = 0;
  s.job.dismissal.then = {Step::RemoveFromGroups};
  if (!transfer_to.empty()) s.job.dismissal.then.push_back(Step::TransferContent);
  s.job.dismissal.then.push_back(Step::Archive);
  s.state_dir = run.state_dir.empty() ? local::default_state_dir() : run.state_dir;
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

void add_job_flags(CLI::App& cmd, SyncOptions& run, std::string& audit_file, bool required) {
  auto* f = cmd.add_option("-f,--file", run.job_file, "The sync job file (sync.yaml) with a deprovision block");
  if (required) f->required();
  cmd.add_option("--state-dir", run.state_dir, "Where the ledger, audit log, locks and state live");
  cmd.add_option("--today", run.today, "The date rules and grace periods use (yyyy-MM-dd; default: today)");
  cmd.add_option("--audit-file", audit_file, "Also append the audit log (JSON Lines) to this file");
}

}  // namespace daoctl::commands::deprovision_verbs
