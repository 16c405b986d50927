// daoctl groups: SCIM groups and their membership. One verb per file
// (list.cpp, get.cpp, create.cpp, delete.cpp, membership.cpp for add-member
// and remove-member), each with its run_* and register_*; groups.cpp only
// registers the group.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "commands/users/users.hpp"

namespace daoctl::commands {

struct GroupsListOptions {
  std::string filter;
  int page_size = 500;
};
int run_groups_list(const GroupsListOptions& opts, CommandContext& ctx);

struct GroupsGetOptions {
  std::string ref;  // id or displayName
};
int run_groups_get(const GroupsGetOptions& opts, CommandContext& ctx);

struct GroupsCreateOptions {
  std::string name;
  std::string external_id;
  bool dry_run = false;  // check and say what would be created, change nothing
};
int run_groups_create(const GroupsCreateOptions& opts, CommandContext& ctx);

struct GroupsDeleteOptions {
  std::string ref;
  bool dry_run = false;  // say what would be deleted, change nothing
};
int run_groups_delete(const GroupsDeleteOptions& opts, CommandContext& ctx);

struct GroupsMembershipOptions {
  std::string group;
  std::vector<std::string> users;  // ids, userNames or e-mails
  bool add = true;
  bool dry_run = false;  // say whom it would add or remove, change nothing
};
// The PATCH bodies that add or remove `user_ids`, each with at most
// `max_operations` member operations (the platform's maxPatchOperations):
// add sends one "members" operation per chunk of values; remove sends one
// `members[value eq "id"]` operation per user.
std::vector<json> membership_patches(const std::vector<std::string>& user_ids, bool add,
                                     std::size_t max_operations = 1000);
int run_groups_membership(const GroupsMembershipOptions& opts, CommandContext& ctx);

void register_groups(CLI::App& root, CommandContext& ctx);
void register_groups_list(CLI::App& group, CommandContext& ctx);
void register_groups_get(CLI::App& group, CommandContext& ctx);
void register_groups_create(CLI::App& group, CommandContext& ctx);
void register_groups_delete(CLI::App& group, CommandContext& ctx);
void register_groups_membership(CLI::App& group, CommandContext& ctx);  // add-member, remove-member

}  // namespace daoctl::commands
