#include "connectors/platform/departments_api.hpp"

#include <strings.h>

#include "connectors/platform/answer.hpp"

namespace daoctl::platform {

namespace {

// The "id" of a created department. A 2xx answer without one is a broken
// server, reported as such rather than as a created object with no id.
Result<std::string> id_of(const http::Response& resp, const std::string& object) {
  json body = json::parse(resp.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("id") || !body["id"].is_string())
    return fail(ErrorKind::Remote, "the server's answer has no id", object,
                "expected a JSON object with a string \"id\"");
  return body["id"].get<std::string>();
}

}  // namespace

json DepartmentsApi::create_body(const std::string& name, const std::string& parent_id,
                                 const std::string& external_id) {
  json body = {{"name", name}, {"external_id", external_id}};
  body["parent_id"] = parent_id.empty() ? json(nullptr) : json(parent_id);
  return body;
}

Status DepartmentsApi::list(const std::function<void(const json& items)>& on_page) {
  return client_.cursor_list(kPath, 1000, on_page);
}

Result<std::string> DepartmentsApi::create(const std::string& name, const std::string& parent_id,
                                           const std::string& external_id, const std::string& object,
                                           const std::string& idempotency_key) {
  auto req = client_.make_request("POST", kPath, object, create_body(name, parent_id, external_id));
  if (!idempotency_key.empty()) http::set_header(req, "Idempotency-Key", idempotency_key);
  auto resp = client_.send(std::move(req));
  if (resp) return id_of(*resp, object);
  if (resp.error().http_status == 409) {
    auto found = client_.get_json(std::string(kPath) + "?external_id=" + url_encode_query(external_id), object);
    if (found) {
      auto id = Answer(*found, object).get_or<std::string>("/items/0/id", "");
      if (!id) return std::unexpected(id.error());
      if (!id->empty()) return *id;
    }
  }
  return std::unexpected(resp.error());
}

Status DepartmentsApi::remove(const std::string& id, const std::string& object) {
  auto resp = client_.send(client_.make_request("DELETE", std::string(kPath) + "/" + url_encode_segment(id), object));
  if (!resp) return std::unexpected(std::move(resp.error()));
  return {};
}

}  // namespace daoctl::platform
