// Carries out a SyncPlan against a SyncTarget in dependency order:
// departments (parents first), users (create, then update/link/deactivate/
// reactivate), managers, photos (once every user has an id), groups, and
// empty departments last. Items fail
// alone: a failed item is reported and whatever depends on it is skipped
// with the reason, the rest is applied.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sync/plan.hpp"
#include "core/sync/target.hpp"

namespace daoctl::sync {

struct ItemOutcome {
  std::string phase;   // departments | users | managers | photos | groups
  std::string action;  // create | update | link | deactivate | reactivate | delete | set | upload | add_members | remove_members
  std::string object;  // "user ivanov", "department Company/IT", "group admins"
  std::string id;      // the platform id, when known
  bool ok = false;
  std::string error;   // Error::describe() when !ok
};

struct ApplyOptions {
  TargetKind target = TargetKind::Platform;
  std::string managed_by;
  std::size_t batch_size = 256;  // users per concurrent batch
  // What a Deactivate revokes besides login (deprovision.now).
  bool revoke_sessions = true;
  bool revoke_tokens = true;
  // The bytes of the desired photo of a user by external id (plan.photos
  // names only their sha256); an error of kind NotFound when this run did
  // not read them, any other error when they cannot be read back (both fail
  // that item alone). Called a batch at a time, so only one batch of photos
  // is in memory. Bytes whose sha256 is not the plan's fail that item (the
  // source changed since the plan was made).
  std::function<Result<std::string>(const std::string& external_id)> photo_bytes;
  // Called with a batch's deactivations before any request of the batch is
  // sent: the deprovisioning ledger and audit log record the intent durably
  // there, so a block is on record before a kill can lose it. An error
  // fails those deactivations without sending them (the rest of the batch goes).
  std::function<Status(const std::vector<const UserAction*>&)> before_deactivate;
  // Called once per item as soon as its outcome is known (journal, progress).
  std::function<void(const ItemOutcome&)> on_item;
};

struct ApplyReport {
  std::vector<ItemOutcome> items;
  long succeeded = 0;
  long failed = 0;
};

// `state` is the platform as read for this apply (existing ids by external id
// and department path come from it).
ApplyReport apply_plan(const SyncPlan& plan, const PlatformState& state, SyncTarget& target,
                       const ApplyOptions& options);

// The SCIM PatchOp operations for a user action's changes.
nlohmann::json patch_operations(const UserAction& action, TargetKind target,
                                const std::string& department_id);

}  // namespace daoctl::sync
