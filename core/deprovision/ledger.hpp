// Per-account deprovisioning state: the grace clock and the proof of who
// blocked an account. Kept in the job's state dir (<job>.deprovision.json)
// rather than on the platform because
//   - "daoctl blocked this account" must be a record only daoctl writes: an
//     attribute on the platform can be edited by anyone with SCIM access, and
//     reactivation trusts this record to undo only daoctl's own blocks;
//   - every failure of this choice is safe: a lost ledger restarts the grace
//     clock (cleanup happens later, never earlier) and stops reactivation
//     (an account stays blocked, it is never unblocked by mistake).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace daoctl::deprovision {

inline constexpr const char* kBlockedByAdministrator = "administrator";
// blocked_by of an administrator's ad hoc offboarding through daoctl
// (`deprovision user`): "manual:<login>". Sync never undoes it; only
// `deprovision reactivate` (or the staged pipeline) moves it on.
inline constexpr const char* kManualPrefix = "manual:";
// LedgerEntry::state of a block whose intent is on record but whose outcome
// is not (the run that sent it was killed): reconciled on the next run.
inline constexpr const char* kIntentState = "blocking";

struct LedgerEntry {
  std::string id;  // platform id
  std::string external_id;
  std::string user_name;
  std::string reason;      // why the account was dismissed
  std::string blocked_at;  // yyyy-MM-dd: the grace period counts from here
  // "daoctl:<job>" or "daoctl:adhoc" when daoctl blocked the account;
  // "administrator" when daoctl found a dismissed account already blocked by
  // hand (cleaned up after the grace period, never unblocked).
  std::string blocked_by;
  std::string manager_id;   // the manager when blocked (transfer_content: manager)
  std::string transfer_to;  // a platform id chosen by `deprovision user --transfer-to`
  std::vector<std::string> done;  // the `then` steps carried out
  std::string state = "blocked";  // blocking (intent, outcome unknown) | blocked | archived

  bool blocked_by_daoctl() const { return blocked_by.starts_with("daoctl"); }
  // An administrator's ad hoc offboarding through daoctl (kManualPrefix).
  bool manual() const { return blocked_by.starts_with(kManualPrefix); }
  bool intent_only() const { return state == kIntentState; }
  // May `sync` reactivate it when the sources list the person as active?
  // Only the job's own automatic blocks with a recorded outcome.
  bool sync_may_reactivate() const { return blocked_by_daoctl() && !intent_only(); }
  // May `deprovision reactivate` undo it? daoctl's blocks, automatic or manual.
  bool command_may_reactivate() const { return blocked_by_daoctl() || manual(); }
  bool did(std::string_view step) const;
};

struct Ledger {
  std::map<std::string, LedgerEntry> entries;  // by platform id

  nlohmann::json to_json() const;
  // Errors (Config) name the file and the entry that is malformed.
  static Result<Ledger> from_json(const nlohmann::json& doc, const std::string& file);
};

}  // namespace daoctl::deprovision
