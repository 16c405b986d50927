#include "commands/policy/settings_api.hpp"

#include <fmt/format.h>

namespace daoctl::commands {

namespace {
std::string object_name(const std::string& name) { return fmt::format("{} settings", name); }
}  // namespace

SettingDocument get_setting(CommandContext& ctx, const std::string& name) {
  auto& client = ctx.client();
  auto resp = value_or_throw(
      client.send(client.make_request("GET", "/api/v1/settings/" + name, object_name(name))));
  SettingDocument doc;
  doc.body = resp.body.empty() ? json::object() : json::parse(resp.body, nullptr, false);
  if (doc.body.is_discarded())
    throw CommandError(ErrorKind::Remote, fmt::format("cannot read the {} settings", name),
                       object_name(name), "the platform answered with a body that is not JSON");
  doc.etag = resp.header("ETag").value_or("");
  return doc;
}

json put_setting(CommandContext& ctx, const std::string& name, const json& body,
                 const std::string& etag) {
  auto& client = ctx.client();
  auto req = client.make_request("PUT", "/api/v1/settings/" + name, object_name(name), body);
  if (!etag.empty()) req.headers.push_back({"If-Match", etag});
  auto resp = client.send(std::move(req));
  if (!resp) {
    Error e = resp.error();
    if (e.http_status == 412)
      e.hint = "someone changed these settings since daoctl read them; run the command again";
    throw CommandError(std::move(e));
  }
  return resp->body.empty() ? json::object() : json::parse(resp->body, nullptr, false);
}

std::optional<std::string> get_branding_image(CommandContext& ctx, const std::string& slot) {
  auto& client = ctx.client();
  auto req = client.make_request("GET", "/api/v1/settings/branding/" + slot, "branding " + slot);
  for (auto& h : req.headers)
    if (h.name == "Accept") h.value = "*/*";
  auto resp = client.send(std::move(req));
  if (!resp) {
    if (resp.error().http_status == 404) return std::nullopt;
    throw CommandError(std::move(resp.error()));
  }
  return std::move(resp->body);
}

json put_branding_image(CommandContext& ctx, const std::string& slot, const std::string& bytes,
                        const std::string& content_type) {
  auto& client = ctx.client();
  auto req = client.make_request("PUT", "/api/v1/settings/branding/" + slot, "branding " + slot);
  req.headers.push_back({"Content-Type", content_type});
  req.body = bytes;
  auto resp = value_or_throw(client.send(std::move(req)));
  return resp.body.empty() ? json::object() : json::parse(resp.body, nullptr, false);
}

}  // namespace daoctl::commands
