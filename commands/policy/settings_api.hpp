// The settings calls of the policy, branding and env commands, as the
// commands use them: platform::SettingsApi (connectors/platform/settings_api.hpp)
// with its errors thrown as CommandError.
#pragma once

#include <optional>
#include <string>

#include "commands/common/context.hpp"
#include "connectors/platform/settings_api.hpp"

namespace daoctl::commands {

using platform::SettingDocument;

// GET /api/v1/settings/<name> ("password-policy", "registration", "branding",
// "keyword-rules"). Throws CommandError.
SettingDocument get_setting(CommandContext& ctx, const std::string& name);
// PUT with If-Match: etag (none when empty); a 412 means someone changed it
// since it was read (Conflict, with a hint to re-run). Returns the stored document.
json put_setting(CommandContext& ctx, const std::string& name, const json& body,
                 const std::string& etag);

// GET /api/v1/settings/branding/<slot> bytes; nullopt on 404 (none uploaded).
std::optional<std::string> get_branding_image(CommandContext& ctx, const std::string& slot);
// PUT the bytes with the content type their content shows. Returns the Image document.
json put_branding_image(CommandContext& ctx, const std::string& slot, const std::string& bytes,
                        const std::string& content_type);

}  // namespace daoctl::commands
