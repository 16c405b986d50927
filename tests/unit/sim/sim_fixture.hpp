// An in-process daoctl-sim on a free loopback port over a throwaway data
// directory, and a bearer-token client for it.
#pragma once

#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sim/sim.hpp"
#include "sim/store.hpp"

namespace daoctl::sim::testing {

inline constexpr const char* kToken = "test-admin-token";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "daoctl-sim-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline ServerOptions test_options(const std::filesystem::path& dir, FaultOptions faults = {}) {
  ServerOptions o;
  o.data_dir = dir;
  o.admin_token = kToken;
  o.faults = faults;
  // A response that breaks schemas/openapi.yaml becomes a 500 the test sees.
  o.check_responses = true;
  return o;
}

class RunningSim {
 public:
  explicit RunningSim(FaultOptions faults = {}) : server_(test_options(dir_.path(), faults)) {
    auto ok = server_.start();
    if (!ok) throw std::runtime_error("cannot start daoctl-sim: " + ok.error().describe());
  }

  httplib::Client client(bool with_token = true) const {
    httplib::Client c("127.0.0.1", server_.port());
    if (with_token) c.set_bearer_token_auth(kToken);
    c.set_read_timeout(10, 0);
    return c;
  }

  httplib::Result get(const std::string& path, httplib::Headers headers = {}) const {
    return client().Get(path, headers);
  }
  httplib::Result post(const std::string& path, const nlohmann::json& body,
                       httplib::Headers headers = {}) const {
    return client().Post(path, headers, body.dump(), "application/json");
  }
  httplib::Result put(const std::string& path, const nlohmann::json& body,
                      httplib::Headers headers = {}) const {
    return client().Put(path, headers, body.dump(), "application/json");
  }
  httplib::Result patch(const std::string& path, const nlohmann::json& body,
                        httplib::Headers headers = {}) const {
    return client().Patch(path, headers, body.dump(), "application/json");
  }
  httplib::Result del(const std::string& path, httplib::Headers headers = {}) const {
    return client().Delete(path, headers);
  }

  Server& server() { return server_; }
  Store& store() { return server_.store(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  Server server_;
};

inline nlohmann::json body_of(const httplib::Result& r) {
  if (!r) throw std::runtime_error("no HTTP response: " + httplib::to_string(r.error()));
  return nlohmann::json::parse(r->body);
}

inline nlohmann::json user_doc(const std::string& user_name, const std::string& external_id = {}) {
  nlohmann::json doc = {
      {"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
      {"userName", user_name},
      {"name", {{"givenName", "Иван"}, {"familyName", "Иванов"}}},
      {"emails", {{{"value", user_name + "@corp.example"}, {"type", "work"}, {"primary", true}}}},
      {"active", true}};
  if (!external_id.empty()) doc["externalId"] = external_id;
  return doc;
}

inline nlohmann::json patch_op(nlohmann::json operations) {
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
          {"Operations", std::move(operations)}};
}

}  // namespace daoctl::sim::testing
