#include "core/deprovision/pipeline.hpp"

#include <fmt/format.h>

#include <map>

namespace daoctl::deprovision {

using nlohmann::json;

FollowupPlan plan_followups(const FollowupInput& in) {
  FollowupPlan out;
  const Policy& policy = *in.policy;
  std::map<std::string, const sync::PlatformUser*> users;
  for (const auto& u : in.state->users) users[u.id] = &u;

  for (const auto& [id, entry] : in.ledger->entries) {
    if (!in.only_ids.empty() && !in.only_ids.count(id)) continue;
    auto it = users.find(id);
    if (it == users.end()) {
      out.forget.push_back(id);
      out.held.emplace_back(entry.user_name, "the account no longer exists on the platform; forgotten");
      continue;
    }
    const sync::PlatformUser& user = *it->second;
    if (user.active) {
      // Somebody unblocked it by hand: never archive or delete an account in use.
      out.forget.push_back(id);
      out.held.emplace_back(entry.user_name, "the account was re-enabled outside daoctl; pending steps cancelled");
      continue;
    }
    if (entry.state != "blocked") continue;  // archived: the pipeline is over
    auto due = add_days(entry.blocked_at, policy.after_days);
    if (due.empty()) {
      out.held.emplace_back(entry.user_name, "the ledger's blocked_at '" + entry.blocked_at + "' is not a date");
      continue;
    }
    auto elapsed = days_between(entry.blocked_at, in.today);
    if (!in.ignore_grace && (!elapsed || *elapsed < policy.after_days)) {
      bool pending = false;
      for (auto s : policy.then) pending |= !entry.did(to_string(s));
      if (pending) out.waiting.emplace_back(entry.user_name, due);
      continue;
    }
    std::string reason = entry.reason + fmt::format("; blocked {} ({}), grace period of {} day(s) over",
                                                    entry.blocked_at, entry.blocked_by, policy.after_days);
    if (in.ignore_grace) reason = entry.reason + "; offboarded at once";
    for (auto step : policy.then) {
      if (entry.did(to_string(step))) continue;
      StagedAction a{id, entry.user_name, step, reason, {}, "", "", false, ""};
      if (step == Step::RemoveFromGroups) {
        for (const auto& g : in.state->groups)
          for (const auto& m : g.member_ids)
            if (m == id) a.groups.emplace_back(g.id, g.display_name);
        if (a.groups.empty()) {
          a.skipped = true;
          a.note = "in no group";
        }
      } else if (step == Step::RemoveFromCommunities) {
        if (!in.communities_supported) {
          a.skipped = true;
          a.note = in.communities_note.empty() ? "the platform has no communities" : in.communities_note;
        }
      } else if (step == Step::TransferContent) {
        std::string to = entry.transfer_to;
        std::string how = "chosen at offboarding";
        if (to.empty()) {
          switch (policy.transfer.kind) {
            case TransferTarget::Kind::Keep:
              a.skipped = true;
              a.note = "transfer_content: keep (content stays with the account)";
              break;
            case TransferTarget::Kind::Manager:
              to = !user.manager_id.empty() ? user.manager_id : entry.manager_id;
              how = "the manager";
              break;
            case TransferTarget::Kind::Account:
              for (const auto& u : in.state->users)
                if (u.id == policy.transfer.account || u.user_name == policy.transfer.account ||
                    (u.fields.count("email") && u.fields.at("email").string() &&
                     *u.fields.at("email").string() == policy.transfer.account))
                  to = u.id;
              how = "account " + policy.transfer.account;
              break;
          }
        }
        if (!a.skipped) {
          auto target = users.find(to);
          std::string problem;
          if (to.empty()) problem = "no transfer target (" + how + " is not set)";
          else if (target == users.end()) problem = "the transfer target " + how + " (id " + to + ") does not exist";
          else if (!target->second->active) problem = "the transfer target " + target->second->user_name + " is blocked";
          if (!problem.empty()) {
            // Deleting before the content has a new owner would lose it: the
            // account's pipeline waits here until the target is fixed.
            out.held.emplace_back(entry.user_name, problem + "; transfer_content and the steps after it wait");
            break;
          }
          a.transfer_to_id = to;
          a.transfer_to_name = target->second->user_name;
        }
      }
      out.actions.push_back(std::move(a));
    }
  }
  return out;
}

std::vector<StepOutcome> run_followups(const FollowupPlan& plan, Ledger& ledger, DeprovisionTarget& target,
                                       const std::function<void(const StepOutcome&)>& on_step) {
  std::vector<StepOutcome> outcomes;
  std::set<std::string> stopped;  // accounts whose earlier step failed
  for (const auto& id : plan.forget) ledger.entries.erase(id);
  for (const auto& a : plan.actions) {
    StepOutcome o{a.user_id, a.user_name, to_string(a.step), a.reason, a.note, false, a.skipped, ""};
    if (stopped.count(a.user_id)) continue;
    auto entry = ledger.entries.find(a.user_id);
    if (entry == ledger.entries.end()) continue;
    Status st;
    if (!a.skipped) {
      switch (a.step) {
        case Step::RemoveFromGroups: {
          std::string names;
          for (const auto& [gid, gname] : a.groups) {
            st = target.remove_from_group(gid, gname, a.user_id, a.user_name);
            if (!st) break;
            names += (names.empty() ? "" : ", ") + gname;
          }
          o.detail = "groups: " + names;
          break;
        }
        case Step::TransferContent: {
          auto r = target.transfer_content(a.user_id, a.transfer_to_id, a.user_name);
          if (r) o.detail = "to " + a.transfer_to_name + " (id " + a.transfer_to_id + "): " + r->dump();
          else st = std::unexpected(r.error());
          break;
        }
        case Step::Delete: st = target.delete_user(a.user_id, a.user_name); break;
        case Step::Archive: o.detail = "kept blocked, marked archived in the ledger"; break;
        default: break;
      }
    }
    o.ok = st.has_value();
    if (!o.ok) {
      o.error = st.error().describe();
      stopped.insert(a.user_id);
    } else if (a.step == Step::Delete) {
      ledger.entries.erase(entry);
    } else {
      entry->second.done.push_back(to_string(a.step));
      if (a.step == Step::Archive) entry->second.state = "archived";
    }
    if (on_step) on_step(o);
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

Reconciliation reconcile_intents(Ledger& ledger, const sync::PlatformState& state) {
  Reconciliation out;
  std::map<std::string, const sync::PlatformUser*> users;
  for (const auto& u : state.users) users[u.id] = &u;
  for (auto it = ledger.entries.begin(); it != ledger.entries.end();) {
    if (!it->second.intent_only()) {
      ++it;
      continue;
    }
    auto u = users.find(it->first);
    if (u != users.end() && !u->second->active) {
      it->second.state = "blocked";
      out.confirmed.push_back(it->second);
      ++it;
    } else {
      out.dropped.push_back(it->second);
      it = ledger.entries.erase(it);
    }
  }
  return out;
}

std::vector<StaleDeactivation> stale_deactivations(const sync::SyncPlan& saved, const sync::SyncPlan& fresh) {
  std::set<std::string> still;  // ids (or external ids) the fresh plan deactivates too
  for (const auto& a : fresh.users)
    if (a.kind == sync::UserActionKind::Deactivate) {
      if (!a.id.empty()) still.insert("id:" + a.id);
      if (!a.external_id.empty()) still.insert("ext:" + a.external_id);
    }
  std::vector<StaleDeactivation> out;
  for (const auto& a : saved.users) {
    if (a.kind != sync::UserActionKind::Deactivate) continue;
    bool holds = (!a.id.empty() && still.count("id:" + a.id)) ||
                 (a.id.empty() && !a.external_id.empty() && still.count("ext:" + a.external_id));
    if (!holds) out.push_back({a.user_name, a.id, a.reason});
  }
  return out;
}

json audit_record(const std::string& who, const std::string& what, const std::string& object, const std::string& id,
                  const std::string& why, const std::string& when, const std::string& result,
                  const std::string& detail) {
  json j = {{"when", when}, {"who", who}, {"what", what}, {"object", object}, {"id", id},
            {"why", why},   {"result", result}};
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

}  // namespace daoctl::deprovision
