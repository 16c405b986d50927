// daoctl policy: the platform's password policy, registration limits and
// keyword-monitoring rules (get/set/diff each, validated before sending).
#pragma once

#include "commands/common/cli_fwd.hpp"

#include "commands/common/context.hpp"
#include "commands/policy/setting_command.hpp"

namespace daoctl::commands {

const SettingSpec& password_policy_spec();
const SettingSpec& registration_spec();
const SettingSpec& keyword_rules_spec();

void register_policy(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
