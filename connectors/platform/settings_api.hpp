// SettingsApi: the /api/v1/settings calls the policy, branding and env
// commands make: documents with their ETag, replaced with If-Match, and the
// branding images. The commands only wire flags to it (issue 18).
#pragma once

#include <optional>
#include <string>

#include "connectors/platform/client.hpp"
#include "connectors/platform/planned_request.hpp"

namespace daoctl::platform {

struct SettingDocument {
  json body;
  std::string etag;  // "" when the server sent none
};

class SettingsApi {
 public:
  explicit SettingsApi(PlatformClient& client) : client_(client) {}

  static std::string path(const std::string& name);         // /api/v1/settings/<name>
  static std::string image_path(const std::string& slot);   // /api/v1/settings/branding/<slot>
  // The upload put_image sends, for a dry run (the body is the image's bytes).
  static PlannedRequest put_image_request(const std::string& slot) { return {"PUT", image_path(slot), std::nullopt}; }

  // GET /api/v1/settings/<name> ("password-policy", "registration", "branding",
  // "keyword-rules"). A body that is not JSON is a Remote error.
  Result<SettingDocument> get(const std::string& name);
  // PUT with If-Match: etag (none when empty); a 412 means someone changed it
  // since it was read (the error gets a hint to re-run). Returns the stored document.
  Result<json> put(const std::string& name, const json& body, const std::string& etag);

  // GET /api/v1/settings/branding/<slot> bytes; nullopt on 404 (none uploaded).
  Result<std::optional<std::string>> get_image(const std::string& slot);
  // PUT the bytes with the content type their content shows. Returns the Image document.
  Result<json> put_image(const std::string& slot, const std::string& bytes, const std::string& content_type);

 private:
  PlatformClient& client_;
};

}  // namespace daoctl::platform
