// Finding SCIM users and groups by what an administrator types: an id, a
// userName, an e-mail address (users) or a displayName (groups).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/common/context.hpp"
#include "connectors/platform/answer.hpp"

namespace daoctl::commands {

// A SCIM filter string literal: quoted, with " and \ escaped (RFC 7644 §3.4.2.2),
// so a value can never extend the filter expression.
std::string scim_quote(std::string_view value);

// GET /scim/v2/Users/{ref}; on 404 looks the reference up by userName (or
// emails.value when it contains '@'). Throws CommandError NotFound naming the
// reference when nothing matches, other errors as the client reported them.
json find_user(CommandContext& ctx, const std::string& ref);
// Same for groups: by id, else by displayName.
json find_group(CommandContext& ctx, const std::string& ref);

// Check the fields daoctl reads or prints of a SCIM user, group, or a
// department of /api/v1/departments: a wrong type throws a Remote
// CommandError naming the object and the field (platform::Answer). `answer`
// is the resource, its `base` the resource's place in the whole answer.
void check_user(const platform::Answer& answer);
void check_group(const platform::Answer& answer);
void check_department(const platform::Answer& answer);
// Each resource of a page (`items`, at `member` of the page: "/Resources")
// through `check`; `object` names the page ("page 2 of /scim/v2/Users").
void check_page(const json& items, const std::string& object, const std::string& member,
                void (*check)(const platform::Answer&));

const std::vector<output::Column>& user_columns();
const std::vector<output::Column>& group_columns();

inline constexpr const char* kEnterpriseUser =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr const char* kProfileUser = "urn:daoffice:scim:schemas:extension:profile:1.0:User";
inline constexpr const char* kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

}  // namespace daoctl::commands
