// daoctl users: SCIM user administration, one verb per file.
// Each register_* only declares flags and hands parsed Options to its run_*
// (or to `run` when a test passes one); run_* returns the exit status and
// throws CommandError on failure.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

template <class Options>
using Runner = std::function<int(const Options&, CommandContext&)>;

struct UsersListOptions {
  std::string filter;
  int page_size = 500;
};
int run_users_list(const UsersListOptions& opts, CommandContext& ctx);
void register_users_list(CLI::App& parent, CommandContext& ctx,
                         Runner<UsersListOptions> run = run_users_list);

struct UsersGetOptions {
  std::string ref;  // id, userName or e-mail
};
int run_users_get(const UsersGetOptions& opts, CommandContext& ctx);
void register_users_get(CLI::App& parent, CommandContext& ctx,
                        Runner<UsersGetOptions> run = run_users_get);

struct UsersCreateOptions {
  std::string user_name;
  std::string email;
  std::string given_name;
  std::string family_name;
  std::string display_name;  // default: "given family"
  std::string title;
  std::string external_id;
  std::string department_id;
  bool active = true;
  bool dry_run = false;  // check and say what would be created, change nothing
};
json user_create_body(const UsersCreateOptions& opts);
int run_users_create(const UsersCreateOptions& opts, CommandContext& ctx);
void register_users_create(CLI::App& parent, CommandContext& ctx,
                           Runner<UsersCreateOptions> run = run_users_create);

struct UsersUpdateOptions {
  std::string ref;
  std::vector<std::string> assignments;  // attr=value
  bool dry_run = false;  // look the user up and say what would change, change nothing
};
// The SCIM PatchOp for --set attr=value pairs: one replace per pair; values
// true/false become booleans, values starting with { [ or " are JSON, the
// rest are strings. A pair without '=' or with an empty path is a Usage error.
json user_patch_body(const std::vector<std::string>& assignments);
int run_users_update(const UsersUpdateOptions& opts, CommandContext& ctx);
void register_users_update(CLI::App& parent, CommandContext& ctx,
                           Runner<UsersUpdateOptions> run = run_users_update);

struct UsersActivationOptions {
  std::string ref;
  bool dry_run = false;
  bool active = false;  // deactivate: false (and revoke sessions/tokens); reactivate: true
};
int run_users_set_active(const UsersActivationOptions& opts, CommandContext& ctx);
void register_users_deactivate(CLI::App& parent, CommandContext& ctx,
                               Runner<UsersActivationOptions> run = run_users_set_active);
void register_users_reactivate(CLI::App& parent, CommandContext& ctx,
                               Runner<UsersActivationOptions> run = run_users_set_active);

struct UsersDeleteOptions {
  std::string ref;
  bool dry_run = false;
};
int run_users_delete(const UsersDeleteOptions& opts, CommandContext& ctx);
void register_users_delete(CLI::App& parent, CommandContext& ctx,
                           Runner<UsersDeleteOptions> run = run_users_delete);

void register_users(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
