#include "connectors/targets/deprovision_target.hpp"

#include "connectors/platform/answer.hpp"

#include <fmt/format.h>
#include <strings.h>

#include <thread>

namespace daoctl::targets {

using nlohmann::json;
using platform::url_encode_segment;

PlatformDeprovisionTarget::PlatformDeprovisionTarget(platform::PlatformClient& client, ScimSyncTarget& scim,
                                                     std::string managed_by, TransferPolling polling)
    : client_(client), scim_(scim), managed_by_(std::move(managed_by)), polling_(std::move(polling)) {
  if (!polling_.sleep) polling_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

Status PlatformDeprovisionTarget::remove_from_group(const std::string& group_id, const std::string& group_name,
                                                    const std::string& user_id, const std::string&) {
  return scim_.change_group_members(group_id, group_name, {}, {user_id});
}

Result<json> PlatformDeprovisionTarget::transfer_content(const std::string& from_id, const std::string& to_id,
                                                         const std::string& user_name) {
  const std::string object = "content of user " + user_name;
  json body = {{"to_user_id", to_id}, {"what", {"posts", "communities", "events", "files"}}};
  auto req = client_.make_request("POST", "/api/v1/users/" + url_encode_segment(from_id) + "/transfer", object, body);
  // The same transfer of the same account gets the same key: a rerun after a
  // crash is answered with the first job instead of starting a second one.
  for (auto& h : req.headers)
    if (strcasecmp(h.name.c_str(), "Idempotency-Key") == 0) h.value = idempotency_key(managed_by_, "transfer:" + from_id, body.dump());
  auto resp = client_.send(std::move(req));
  if (!resp) return std::unexpected(resp.error());
  json job = json::parse(resp->body, nullptr, false);
  if (job.is_discarded() || !job.contains("id") || !job["id"].is_string())
    return fail(ErrorKind::Remote, "the transfer answer has no job id", object, "expected a Job object");
  const std::string job_id = job["id"].get<std::string>();
  auto waited = std::chrono::milliseconds(0);
  auto interval = polling_.first_interval;
  while (true) {
    const platform::Answer answer(job, "job " + job_id + " (" + object + ")");
    auto read = [&answer](std::string_view pointer) -> Result<std::string> {
      return answer.get_or<std::string>(pointer, "");
    };
    auto state_read = read("/state");
    if (!state_read) return std::unexpected(state_read.error());
    const std::string state = *state_read;
    if (state == "succeeded") {
      auto result = answer.find_kind("/result", platform::JsonKind::Object);
      if (!result) return std::unexpected(result.error());
      return *result ? **result : json::object();
    }
    if (state == "failed") {
      auto title = read("/error/title");
      auto detail = read("/error/detail");
      if (!title) return std::unexpected(title.error());
      if (!detail) return std::unexpected(detail.error());
      std::string why = job.contains("error") && job["error"].is_object() ? *title + ": " + *detail
                                                                           : "no error given";
      return fail(ErrorKind::Remote, "the transfer job " + job_id + " failed", object, why);
    }
    if (waited >= polling_.timeout)
      return fail(ErrorKind::Network, "the transfer job " + job_id + " did not finish", object,
                  fmt::format("still {} after {} s", state, polling_.timeout.count()),
                  "the next run waits for the same job (same Idempotency-Key)");
    polling_.sleep(interval);
    waited += interval;
    interval = std::min(interval * 2, polling_.max_interval);
    auto polled = client_.get_json("/api/v1/jobs/" + url_encode_segment(job_id), "job " + job_id);
    if (!polled) return std::unexpected(polled.error());
    job = *polled;
  }
}

Status PlatformDeprovisionTarget::delete_user(const std::string& id, const std::string& user_name) {
  auto resp = client_.send(client_.make_request("DELETE", "/scim/v2/Users/" + url_encode_segment(id), "user " + user_name));
  if (!resp && resp.error().http_status != 404) return std::unexpected(resp.error());
  return {};
}

Status PlatformDeprovisionTarget::revoke(const std::string& id, const std::string& user_name, const std::string& what) {
  auto resp = client_.send(client_.make_request("DELETE", "/api/v1/users/" + url_encode_segment(id) + "/" + what,
                                                "user " + user_name + " " + what));
  if (!resp) return std::unexpected(resp.error());
  return {};
}

bool PlatformDeprovisionTarget::communities_supported(std::string& why) {
  auto r = client_.get_json("/api/v1/communities?limit=1", "communities");
  if (!r) {
    why = r.error().http_status == 404 ? "this platform has no communities API (GET /api/v1/communities is 404)"
                                       : "communities cannot be listed: " + r.error().describe();
    return false;
  }
  // The contract has no endpoint to remove one member from a community.
  why = "the platform API has no endpoint to remove a member from a community; remove them by hand";
  return false;
}

}  // namespace daoctl::targets
