// /api/v1/settings: password policy, registration, branding (with logo and
// favicon images) and keyword rules. Each setting is one JSON document with a
// version (ETag); PUT replaces it whole after checking it against the
// contract's schema. Also installs the community and badge route groups.
#include <fmt/format.h>

#include <mutex>

#include "core/policy/image.hpp"
#include "sim/badge_routes.hpp"
#include "sim/community_routes.hpp"
#include "sim/http_reply.hpp"
#include "sim/routes.hpp"
#include "sim/settings_common.hpp"
#include "sim/store_settings.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

struct SettingKind {
  const char* name;         // row key and path segment
  const char* schema_name;  // #/components/schemas/<name>
};

constexpr SettingKind kPasswordPolicy{"password-policy", "PasswordPolicy"};
constexpr SettingKind kRegistration{"registration", "RegistrationSettings"};
constexpr SettingKind kBranding{"branding", "Branding"};
constexpr SettingKind kKeywordRules{"keyword-rules", "KeywordRules"};

// What a fresh platform starts with.
json default_setting(std::string_view name) {
  if (name == kPasswordPolicy.name)
    return {{"min_length", 8},        {"require_upper", false},  {"require_lower", false},
            {"require_digit", false}, {"require_symbol", false}, {"history", 0},
            {"max_age_days", 0},      {"lockout_threshold", 0},  {"lockout_minutes", 15}};
  if (name == kRegistration.name)
    return {{"mode", "directory_only"}, {"allowed_domains", json::array()}};
  if (name == kBranding.name)
    return {{"primary_color", "#0a66c2"},
            {"accent_color", "#f5a623"},
            {"background_color", "#ffffff"},
            {"css", ""}};
  return {{"rules", json::array()}};
}

// Caller holds the store's mutex. A setting never written is the default,
// at version 1.
StoredSetting read_setting(Store& store, std::string_view name) {
  return SettingsTable(store).find(name).value_or(StoredSetting{default_setting(name), 1});
}

std::optional<StoredImage> read_image(Store& store, std::string_view slot) { return SettingsTable(store).image(slot); }

std::string image_url(std::string_view slot) {
  return fmt::format("/api/v1/settings/branding/{}", slot);
}

// Branding as served: the stored colours and css plus the read-only image URLs.
json render_branding(Store& store, json body) {
  body["logo_url"] = read_image(store, "logo") ? json(image_url("logo")) : json(nullptr);
  body["favicon_url"] = read_image(store, "favicon") ? json(image_url("favicon")) : json(nullptr);
  return body;
}

// Normalises an accepted body before storing: read-only fields dropped,
// defaults filled (keyword rule scope "all"), ids assigned to keyword rules.
json normalise(const SettingKind& kind, json body) {
  if (std::string_view(kind.name) == kBranding.name) {
    body.erase("logo_url");
    body.erase("favicon_url");
    if (!body.contains("css")) body["css"] = "";
  }
  if (std::string_view(kind.name) == kKeywordRules.name) {
    int next_id = 1;
    for (auto& rule : body["rules"]) {
      rule["id"] = std::to_string(next_id++);
      if (!rule.contains("scope")) rule["scope"] = "all";
    }
  }
  return body;
}

void add_setting(RouteTable& routes, Store& store, const SettingKind& kind) {
  const std::string path = fmt::format("/api/v1/settings/{}", kind.name);
  const bool is_branding = std::string_view(kind.name) == kBranding.name;
  routes.get(path, [&store, kind, is_branding](const auto&, auto& res) {
    std::lock_guard lock(store.mutex());
    auto s = read_setting(store, kind.name);
    send_etag(res, s.version);
    send_body(res, 200, (is_branding ? render_branding(store, s.body) : s.body).dump(), kJson);
  });
  routes.put(path, [&store, kind, is_branding](const auto& req, auto& res) {
    auto body = read_body_object(req);
    if (!body) return send_error(req, res, body.error());
    if (auto ok = check_against_contract(*body, kind.schema_name); !ok)
      return send_error(req, res, ok.error());
    json stored = normalise(kind, std::move(*body));
    std::lock_guard lock(store.mutex());
    auto current = read_setting(store, kind.name);
    if (!if_match(req).matches(current.version))
      return send_error(
          req, res, 412,
          fmt::format("the {} settings changed since they were read (now version {}); read "
                      "them again",
                      kind.name, current.version));
    std::int64_t version = current.version + 1;
    SettingsTable(store).write(kind.name, {stored, version}, rfc3339_now());
    send_etag(res, version);
    send_body(res, 200, (is_branding ? render_branding(store, stored) : stored).dump(), kJson);
  });
}

void add_image(RouteTable& routes, Store& store, const policy::ImageSlot& slot) {
  const std::string path = image_url(slot.name);
  routes.get(path, [&store, slot](const auto& req, auto& res) {
    std::lock_guard lock(store.mutex());
    auto image = read_image(store, slot.name);
    if (!image) return send_error(req, res, 404, fmt::format("no {} has been uploaded", slot.name));
    send_etag(res, image->version);
    res.status = 200;
    res.set_content(std::move(image->data), image->content_type);
  });
  routes.put(path, [&store, slot](const auto& req, auto& res) {
    const std::string declared = req.get_header_value("Content-Type");
    const auto declared_format = policy::format_of_content_type(declared);
    std::vector<std::string> accepted;
    for (auto f : slot.formats) accepted.emplace_back(policy::content_type_of(f));
    if (std::find(slot.formats.begin(), slot.formats.end(), declared_format) ==
        slot.formats.end()) {
      ApiError e;
      e.status = 415;
      e.detail = fmt::format("a {} must be sent as {}, not \"{}\"", slot.name,
                             fmt::join(accepted, ", "), declared);
      return send_error(req, res, e);
    }
    if (req.body.size() > slot.max_bytes) {
      ApiError e;
      e.status = 413;
      e.detail = fmt::format("the {} is {} bytes; at most {} bytes are accepted", slot.name,
                             req.body.size(), slot.max_bytes);
      return send_error(req, res, e);
    }
    const auto info = policy::inspect_image(req.body);
    if (info.format != declared_format)
      return send_error(
          req, res,
          field_error("body", fmt::format("the body is {} by its content but was sent as {}",
                                          policy::to_string(info.format), declared)));
    for (const auto& problem : policy::check_image(req.body, slot, "the " + slot.name))
      return send_error(req, res, field_error("body", problem.message));
    StoredImage image;
    image.content_type = policy::content_type_of(info.format);
    image.data = req.body;
    if (info.width) image.width = *info.width;
    if (info.height) image.height = *info.height;
    image.sha256 = sha256_hex(req.body);
    std::lock_guard lock(store.mutex());
    auto current = read_image(store, slot.name);
    std::int64_t current_version = current ? current->version : 0;
    if (!if_match(req).matches(current_version))
      return send_error(req, res, 412,
                        fmt::format("the {} changed since it was read (now version {})", slot.name,
                                    current_version));
    image.version = current_version + 1;
    SettingsTable(store).write_image(slot.name, image, rfc3339_now());
    send_etag(res, image.version);
    json reply = {{"url", image_url(slot.name)},
                  {"content_type", image.content_type},
                  {"size", image.data.size()},
                  {"width", image.width ? json(*image.width) : json(nullptr)},
                  {"height", image.height ? json(*image.height) : json(nullptr)},
                  {"sha256", image.sha256}};
    send_body(res, 200, reply.dump(), kJson);
  });
}

}  // namespace

void add_settings_routes(RouteTable& routes, Store& store) {
  {
    std::lock_guard lock(store.mutex());
    SettingsTable(store).create();
  }
  add_setting(routes, store, kPasswordPolicy);
  add_setting(routes, store, kRegistration);
  add_setting(routes, store, kBranding);
  add_setting(routes, store, kKeywordRules);
  add_image(routes, store, policy::logo_slot());
  add_image(routes, store, policy::favicon_slot());
  add_community_routes(routes, store);
  add_badge_routes(routes, store);
}

}  // namespace daoctl::sim
