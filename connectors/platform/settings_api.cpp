#include "connectors/platform/settings_api.hpp"

#include <fmt/format.h>

namespace daoctl::platform {

namespace {
std::string object_name(const std::string& name) { return fmt::format("{} settings", name); }

json body_or_empty(const std::string& body) {
  return body.empty() ? json::object() : json::parse(body, nullptr, false);
}
}  // namespace

std::string SettingsApi::path(const std::string& name) { return "/api/v1/settings/" + name; }
std::string SettingsApi::image_path(const std::string& slot) { return "/api/v1/settings/branding/" + slot; }

Result<SettingDocument> SettingsApi::get(const std::string& name) {
  auto resp = client_.send(client_.make_request("GET", path(name), object_name(name)));
  if (!resp) return std::unexpected(std::move(resp.error()));
  SettingDocument doc;
  doc.body = body_or_empty(resp->body);
  if (doc.body.is_discarded())
    return fail(ErrorKind::Remote, fmt::format("cannot read the {} settings", name), object_name(name),
                "the platform answered with a body that is not JSON");
  doc.etag = resp->header("ETag").value_or("");
  return doc;
}

Result<json> SettingsApi::put(const std::string& name, const json& body, const std::string& etag) {
  auto req = client_.make_request("PUT", path(name), object_name(name), body);
  if (!etag.empty()) req.headers.push_back({"If-Match", etag});
  auto resp = client_.send(std::move(req));
  if (!resp) {
    Error e = std::move(resp.error());
    if (e.http_status == 412)
      e.hint = "someone changed these settings since daoctl read them; run the command again";
    return std::unexpected(std::move(e));
  }
  return body_or_empty(resp->body);
}

Result<std::optional<std::string>> SettingsApi::get_image(const std::string& slot) {
  auto req = client_.make_request("GET", image_path(slot), "branding " + slot);
  for (auto& h : req.headers)
    if (h.name == "Accept") h.value = "*/*";
  auto resp = client_.send(std::move(req));
  if (!resp) {
    if (resp.error().http_status == 404) return std::optional<std::string>();
    return std::unexpected(std::move(resp.error()));
  }
  return std::optional<std::string>(std::move(resp->body));
}

Result<json> SettingsApi::put_image(const std::string& slot, const std::string& bytes,
                                    const std::string& content_type) {
  const PlannedRequest planned = put_image_request(slot);
  auto req = client_.make_request(planned.method, planned.path, "branding " + slot);
  req.headers.push_back({"Content-Type", content_type});
  req.body = bytes;
  auto resp = client_.send(std::move(req));
  if (!resp) return std::unexpected(std::move(resp.error()));
  return body_or_empty(resp->body);
}

}  // namespace daoctl::platform
