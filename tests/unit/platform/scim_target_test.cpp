// ScimSyncTarget against a plain SCIM 2.0 service: the base URL as given, a
// 404 on discovery naming the URL, no empty PATCH, externalId accounts
// counted as managed.
#include <catch2/catch.hpp>

#include "client_harness.hpp"
#include "connectors/targets/scim_target.hpp"

using namespace daoctl;
using namespace daoctl::test;
using daoctl::targets::ScimSyncTarget;
using daoctl::targets::scim_root_for;

namespace {

platform::ClientOptions with_base(std::string base) {
  auto o = test_options();
  o.base_url = std::move(base);
  return o;
}

targets::ScimTargetOptions scim_options() {
  targets::ScimTargetOptions o;
  o.kind = sync::TargetKind::Scim;
  o.managed_by = "daoctl:nightly";
  return o;
}

const char* kSpc = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
  "patch":{"supported":true},"filter":{"supported":true,"maxResults":200}})";

std::string list_of(const std::string& resources) {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":)" +
         std::to_string(resources.empty() ? 0 : 2) + R"(,"startIndex":1,"itemsPerPage":2,"Resources":[)" +
         resources + "]}";
}

}  // namespace

TEST_CASE("the SCIM root: the platform's /scim/v2, a plain service's URL as given") {
  using sync::TargetKind;
  CHECK(scim_root_for(TargetKind::Platform, "https://corp.example") == "/scim/v2");
  CHECK(scim_root_for(TargetKind::Platform, "https://corp.example/sub") == "/scim/v2");
  CHECK(scim_root_for(TargetKind::Scim, "https://idp.example") == "/scim/v2");
  CHECK(scim_root_for(TargetKind::Scim, "https://idp.example/") == "/scim/v2");
  CHECK(scim_root_for(TargetKind::Scim, "https://idp.example/scim/v2") == "");
  CHECK(scim_root_for(TargetKind::Scim, "https://idp.example/scim") == "");
  CHECK(scim_root_for(TargetKind::Scim, "http://127.0.0.1:8080/tenant/scim") == "");
}

TEST_CASE("a SCIM target under /tenant/scim reads and writes there, typed as SCIM") {
  const std::string base = "https://idp.example/tenant/scim";
  ClientHarness h(with_base(base));
  h.fake->on("GET", base + "/ServiceProviderConfig", response(200, kSpc));
  h.fake->on("GET", base + "/Users?startIndex=1&count=200",
             response(200, list_of(R"({"id":"1","userName":"a","externalId":"e1","active":true},
                                      {"id":"2","userName":"admin","active":true})")));
  h.fake->on("GET", base + "/Groups?startIndex=1&count=200", response(200, list_of("")));
  ScimSyncTarget target(h.client, scim_options());
  REQUIRE(target.discover());
  auto state = target.read_state();
  REQUIRE(state);
  REQUIRE(state->users.size() == 2);
  // An account with an externalId was written by the provisioning client:
  // this job's. One without is never this job's.
  CHECK(state->users[0].managed_by == "daoctl:nightly");
  CHECK(state->users[1].managed_by.empty());

  h.fake->on("PATCH", base + "/Users/1", response(200, R"({"id":"1"})"));
  std::vector<sync::UserPatch> patches;
  patches.push_back({"1", "user a", json::array({{{"op", "replace"}, {"path", "active"}, {"value", false}}}), false,
                     false});
  patches.push_back({"2", "user b", json::array(), false, false});  // nothing the service can store
  auto results = target.patch_users(patches);
  REQUIRE(results.size() == 2);
  CHECK(results[0]);
  CHECK(results[1]);
  // The empty PATCH was never sent; the other one was, as SCIM.
  int patches_sent = 0;
  for (const auto& r : h.fake->requests()) {
    if (r.request.method != "PATCH") continue;
    ++patches_sent;
    bool scim_type = false;
    for (const auto& header : r.request.headers)
      if (header.name == "Content-Type" && header.value == "application/scim+json") scim_type = true;
    CHECK(scim_type);
  }
  CHECK(patches_sent == 1);
}

TEST_CASE("a 404 on discovery names the URL it tried and how the URL is meant") {
  const std::string base = "https://idp.example/wrong";
  ClientHarness h(with_base(base));
  h.fake->on("GET", base + "/ServiceProviderConfig",
             response(404, R"({"detail":"no"})", {{"Content-Type", "application/json"}}));
  ScimSyncTarget target(h.client, scim_options());
  auto st = target.discover();
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == ErrorKind::NotFound);
  CHECK(st.error().message == "no SCIM service at https://idp.example/wrong/ServiceProviderConfig");
  CHECK_THAT(st.error().hint, Catch::Contains("SCIM root"));
}
