#include "commands/policy/settings_api.hpp"

namespace daoctl::commands {

SettingDocument get_setting(CommandContext& ctx, const std::string& name) {
  return value_or_throw(platform::SettingsApi(ctx.client()).get(name));
}

json put_setting(CommandContext& ctx, const std::string& name, const json& body, const std::string& etag) {
  return value_or_throw(platform::SettingsApi(ctx.client()).put(name, body, etag));
}

std::optional<std::string> get_branding_image(CommandContext& ctx, const std::string& slot) {
  return value_or_throw(platform::SettingsApi(ctx.client()).get_image(slot));
}

json put_branding_image(CommandContext& ctx, const std::string& slot, const std::string& bytes,
                        const std::string& content_type) {
  return value_or_throw(platform::SettingsApi(ctx.client()).put_image(slot, bytes, content_type));
}

}  // namespace daoctl::commands
