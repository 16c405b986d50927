#include "commands/register_all.hpp"

#include "commands/api/api.hpp"
#include "commands/backup/backup.hpp"
#include "commands/config/config_commands.hpp"
#include "commands/departments/departments.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "commands/doctor/doctor.hpp"
#include "commands/env/env_commands.hpp"
#include "commands/groups/groups.hpp"
#include "commands/import/import.hpp"
#include "commands/stats/stats.hpp"
#include "commands/sync/sync.hpp"
#include "commands/users/users.hpp"
#include "commands/version/version.hpp"

namespace daoctl::commands {

void register_all_commands(CLI::App& root, CommandContext& ctx) {
  register_sync(root, ctx);
  register_stats(root, ctx);
  register_deprovision(root, ctx);
  register_backup(root, ctx);
  register_import(root, ctx);
  register_environment_commands(root, ctx);
  register_users(root, ctx);
  register_groups(root, ctx);
  register_departments(root, ctx);
  register_api(root, ctx);
  register_config(root, ctx);
  register_doctor(root, ctx);
  register_version(root, ctx);
}

}  // namespace daoctl::commands
