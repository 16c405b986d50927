// The staged part of deprovisioning: after a dismissed employee was blocked
// (the `now` steps, carried out by the sync executor as a Deactivate), the
// `then` steps run once `after_days` have passed since the block. Planning is
// pure (an injected `today` is the clock); carrying out goes through the
// DeprovisionTarget interface so ordering and ledger rules are unit-tested.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/deprovision/ledger.hpp"
#include "core/deprovision/policy.hpp"
#include "core/sync/model.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::deprovision {

struct StagedAction {
  std::string user_id;
  std::string user_name;
  Step step = Step::RemoveFromGroups;
  std::string reason;  // the dismissal reason and the grace period that elapsed
  std::vector<std::pair<std::string, std::string>> groups;  // remove_from_groups: (id, name)
  std::string transfer_to_id;                               // transfer_content
  std::string transfer_to_name;
  // Skipped steps are shown in the plan with the note and recorded as done
  // (they cannot happen: no communities on this platform, content kept).
  bool skipped = false;
  std::string note;
};

struct FollowupPlan {
  std::vector<StagedAction> actions;
  // Accounts still in their grace period: (user name, the date the steps are due).
  std::vector<std::pair<std::string, std::string>> waiting;
  // Accounts whose pipeline is held, with the cause (transfer target missing,
  // account re-enabled by hand, account deleted by hand).
  std::vector<std::pair<std::string, std::string>> held;
  // Ledger entries to forget: the account is gone or was re-enabled by hand.
  std::vector<std::string> forget;
};

struct FollowupInput {
  const Policy* policy = nullptr;
  const Ledger* ledger = nullptr;
  const sync::PlatformState* state = nullptr;
  std::string today;  // yyyy-MM-dd
  bool communities_supported = false;
  std::string communities_note;  // why they are not, for the plan
  bool ignore_grace = false;     // `deprovision user --immediately`
  std::set<std::string> only_ids;  // when not empty: only these accounts
};

FollowupPlan plan_followups(const FollowupInput& input);

// What the staged steps write to. Implemented over the platform API in
// connectors/targets/deprovision_target.*.
class DeprovisionTarget {
 public:
  virtual ~DeprovisionTarget() = default;
  virtual Status remove_from_group(const std::string& group_id, const std::string& group_name,
                                   const std::string& user_id, const std::string& user_name) = 0;
  // Starts the transfer job and polls it to completion; returns its result.
  virtual Result<nlohmann::json> transfer_content(const std::string& from_id, const std::string& to_id,
                                                  const std::string& user_name) = 0;
  virtual Status delete_user(const std::string& id, const std::string& user_name) = 0;
};

struct StepOutcome {
  std::string user_id;
  std::string user_name;
  std::string step;
  std::string reason;
  std::string detail;  // the note, the transfer result, the groups
  bool ok = false;
  bool skipped = false;
  std::string error;
};

// Runs the actions in order, per account; a failed step stops that
// account's pipeline (the rest of the account waits for the next run) but
// not the other accounts. Updates `ledger` (done steps, archived state,
// deleted accounts removed) and reports each step through `on_step`.
std::vector<StepOutcome> run_followups(const FollowupPlan& plan, Ledger& ledger, DeprovisionTarget& target,
                                       const std::function<void(const StepOutcome&)>& on_step);

// Blocks whose intent was recorded (state "blocking") by a run that died
// before it recorded the outcome, checked against the platform as it is now:
//   - the account is blocked on the platform -> the block is daoctl's: the
//     entry becomes "blocked" (the grace clock counts from the recorded date);
//   - the account is active or gone -> the block never happened (or was
//     undone by hand): the entry is dropped, and the next plan decides again.
// Pure; the caller saves the ledger and writes the audit lines.
struct Reconciliation {
  std::vector<LedgerEntry> confirmed;
  std::vector<LedgerEntry> dropped;
  bool empty() const { return confirmed.empty() && dropped.empty(); }
};
Reconciliation reconcile_intents(Ledger& ledger, const sync::PlatformState& state);

// `sync apply --plan`: the planned deactivations the sources read now would
// not make (the person is listed as active again, or no longer dismissed).
// `fresh` is the plan computed from the sources and platform of this run.
// Each item: (user name, id, the planned reason).
struct StaleDeactivation {
  std::string user_name;
  std::string id;
  std::string planned_reason;
};
std::vector<StaleDeactivation> stale_deactivations(const sync::SyncPlan& saved, const sync::SyncPlan& fresh);

// One audit line (JSON Lines): who, what, why, when, result.
nlohmann::json audit_record(const std::string& who, const std::string& what, const std::string& object,
                            const std::string& id, const std::string& why, const std::string& when,
                            const std::string& result, const std::string& detail = {});

}  // namespace daoctl::deprovision
