#include <catch2/catch.hpp>

#include "core/sync/scim_mapping.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

TEST_CASE("a SCIM ListResponse page is read into platform users without a document") {
  std::string body = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,
    "Resources":[
     {"id":"42","externalId":"g-42","userName":"ivanov","active":false,
      "name":{"givenName":"Иван","familyName":"Иванов"},"displayName":"Иван Иванов","title":"QA",
      "emails":[{"value":"other@x","type":"home"},{"value":"ivanov@corp.example","type":"work","primary":true}],
      "phoneNumbers":[{"value":"+7 916","type":"mobile"},{"value":"+7 495","type":"work"}],
      "groups":[{"value":"7","display":"admins"}],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E1","department":"IT",
        "manager":{"value":"41","displayName":"Boss"}},
      "urn:daoffice:scim:schemas:extension:profile:1.0:User":{"skills":["C++","SQL"],"departmentId":"3",
        "managedBy":"daoctl:nightly","hireDate":"2020-01-15","photo":"/api/v1/users/42/photo",
        "photoSha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"},
      "meta":{"resourceType":"User","version":"W/\"5\""}},
     {"id":"43","userName":"petrov","unknown":{"nested":[1,2,{"x":null}]}}],
    "startIndex":1,"itemsPerPage":2})";
  std::vector<PlatformUser> users;
  REQUIRE(users_from_scim_page(body, {{"3", "Company/IT"}}, users));
  REQUIRE(users.size() == 2);
  const PlatformUser& u = users[0];
  CHECK(u.id == "42");
  CHECK(u.external_id == "g-42");
  CHECK(u.user_name == "ivanov");
  CHECK_FALSE(u.active);
  CHECK(u.version == "W/\"5\"");
  CHECK(u.managed_by == "daoctl:nightly");
  CHECK(u.manager_id == "41");
  CHECK(u.department_id == "3");
  CHECK(u.group_ids == std::vector<std::string>{"7"});
  CHECK(u.fields.at("email") == Value("ivanov@corp.example"));  // the primary one
  CHECK(u.fields.at("phone") == Value("+7 495"));                // the work one
  CHECK(u.fields.at("name.givenName") == Value("Иван"));
  CHECK(u.fields.at("department") == Value("Company/IT"));       // a path, from departmentId
  CHECK(u.fields.at("skills") == Value(daoctl::mapping::List{"C++", "SQL"}));
  CHECK(u.fields.at("employeeNumber") == Value("E1"));
  CHECK(u.fields.at("hireDate") == Value("2020-01-15"));
  CHECK(u.fields.at("active") == Value(false));
  CHECK(u.photo_sha256 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  CHECK_FALSE(u.fields.count("photo"));  // compared by digest, never as a field
  CHECK(users[1].user_name == "petrov");
  CHECK(users[1].photo_sha256.empty());
  CHECK(users[1].active);  // absent active means active (RFC 7643 default for the platform)
}

TEST_CASE("a page that is not a ListResponse is an error, not an empty page") {
  std::string body = R"(["not", "an", "object"])";
  std::vector<PlatformUser> users;
  auto st = users_from_scim_page(body, {}, users);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Remote);
}
