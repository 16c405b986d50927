// What the deprovision verbs share: the plan they show, the account they
// name, the session of an ad hoc run, the apply options.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <string>

#include "commands/deprovision/deprovision.hpp"

namespace daoctl::commands::deprovision_verbs {

// The person running daoctl (deprovision_engine::real_user).
std::string login_name();

// Only the deprovisioning part of a sync plan: blocks and reactivations,
// without the field updates that ride along in a full sync.
sync::SyncPlan deprovision_only(const sync::SyncPlan& full);

// The staged steps as JSON (plan -o json's "staged").
nlohmann::json followups_json(const deprovision::FollowupPlan& f);

// The plan and the due steps as text, for plan and a staging apply.
void render(const sync_engine::Session& s, const sync::SyncPlan& plan, const deprovision::FollowupPlan& due,
            bool staging, CommandContext& ctx);

// A Config error when the job has no deprovision block.
void require_policy(const sync_engine::Session& s, const std::string& file);

// The platform account named by an id, userName or email (case-insensitive).
const sync::PlatformUser& resolve_user(const sync::PlatformState& state, const std::string& who);

// A Session for the ad hoc commands: the job's (with -f) or the ad hoc
// policy and ledger, the platform state, no sources.
sync_engine::Session adhoc_session(const SyncOptions& run, const std::string& transfer_to, CommandContext& ctx);

sync::ApplyOptions apply_options(const sync_engine::Session& s, CommandContext& ctx);

// -f (required for plan and apply), --state-dir, --today and --audit-file.
void add_job_flags(CLI::App& cmd, SyncOptions& run, std::string& audit_file, bool required);

}  // namespace daoctl::commands::deprovision_verbs
