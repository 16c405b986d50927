// PUT/GET/DELETE /api/v1/users/{id}/photo and the read-only photo attributes
// of the SCIM user's profile extension.
#include <catch2/catch.hpp>

#include "sim/text.hpp"
#include "sim_fixture.hpp"
#include "tests/tools/ldapgen/ldif_generator.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {

constexpr const char* kProfile = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

// An 8-byte PNG signature and an IHDR chunk of a 3x2 image: enough for the
// magic-byte and dimension checks.
std::string tiny_png() {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\x00\x00\x00\x0dIHDR", 8);
  png += std::string("\x00\x00\x00\x03\x00\x00\x00\x02\x08\x02\x00\x00\x00", 13);
  png += std::string("\x00\x00\x00\x00", 4);  // CRC (not checked)
  return png;
}

std::string create_user(const RunningSim& sim, const std::string& name) {
  auto r = sim.post("/scim/v2/Users", user_doc(name, "ext-" + name));
  REQUIRE(r);
  REQUIRE(r->status == 201);
  return body_of(r)["id"].get<std::string>();
}

httplib::Result put_photo(const RunningSim& sim, const std::string& id, const std::string& bytes,
                          const std::string& content_type, httplib::Headers headers = {}) {
  return sim.client().Put("/api/v1/users/" + id + "/photo", headers, bytes, content_type.c_str());
}

json scim_user(const RunningSim& sim, const std::string& id) { return body_of(sim.get("/scim/v2/Users/" + id)); }

}  // namespace

TEST_CASE("a JPEG photo is stored and read back byte for byte with its sha256 as ETag") {
  RunningSim sim;
  auto id = create_user(sim, "ivanov");
  const std::string jpeg = daoctl::ldapgen::detail::photo_for(7);
  const std::string sha = daoctl::sim::sha256_hex(jpeg);
  auto version_before = scim_user(sim, id)["meta"]["version"];

  auto put = put_photo(sim, id, jpeg, "image/jpeg");
  REQUIRE(put);
  INFO(put->body);
  REQUIRE(put->status == 200);
  CHECK(put->get_header_value("ETag") == "\"" + sha + "\"");
  auto reply = body_of(put);
  CHECK(reply["url"] == "/api/v1/users/" + id + "/photo");
  CHECK(reply["content_type"] == "image/jpeg");
  CHECK(reply["size"] == jpeg.size());
  CHECK(reply["sha256"] == sha);
  CHECK(reply["width"] == 2);

  auto got = sim.get("/api/v1/users/" + id + "/photo");
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body == jpeg);
  CHECK(got->get_header_value("Content-Type") == "image/jpeg");
  CHECK(got->get_header_value("ETag") == "\"" + sha + "\"");
  auto not_modified = sim.get("/api/v1/users/" + id + "/photo", {{"If-None-Match", "\"" + sha + "\""}});
  REQUIRE(not_modified);
  CHECK(not_modified->status == 304);

  // The SCIM user names the photo and its digest, and its version moved.
  auto user = scim_user(sim, id);
  CHECK(user[kProfile]["photo"] == "/api/v1/users/" + id + "/photo");
  CHECK(user[kProfile]["photoSha256"] == sha);
  CHECK(user["meta"]["version"] != version_before);
  CHECK(std::find(user["schemas"].begin(), user["schemas"].end(), kProfile) != user["schemas"].end());
  auto listed = body_of(sim.get("/scim/v2/Users?filter=userName%20eq%20%22ivanov%22"));
  CHECK(listed["Resources"][0][kProfile]["photoSha256"] == sha);

  SECTION("the same bytes again change nothing") {
    auto version = scim_user(sim, id)["meta"]["version"];
    REQUIRE(put_photo(sim, id, jpeg, "image/jpeg")->status == 200);
    CHECK(scim_user(sim, id)["meta"]["version"] == version);
  }

  SECTION("a PNG replaces it") {
    auto png = tiny_png();
    auto r = put_photo(sim, id, png, "image/png");
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    CHECK(body_of(r)["width"] == 3);
    auto again = sim.get("/api/v1/users/" + id + "/photo");
    CHECK(again->body == png);
    CHECK(again->get_header_value("Content-Type") == "image/png");
    CHECK(scim_user(sim, id)[kProfile]["photoSha256"] == daoctl::sim::sha256_hex(png));
  }

  SECTION("If-Match takes the photo's ETag; another one is 412") {
    auto png = tiny_png();
    auto stale = put_photo(sim, id, png, "image/png", {{"If-Match", "\"0000\""}});
    CHECK(stale->status == 412);
    CHECK(stale->get_header_value("Content-Type") == "application/problem+json");
    auto ok = put_photo(sim, id, png, "image/png", {{"If-Match", "\"" + sha + "\""}});
    CHECK(ok->status == 200);
  }

  SECTION("SCIM writes cannot set or drop the read-only photo attributes") {
    auto doc = user_doc("ivanov", "ext-ivanov");
    doc[kProfile] = {{"photo", "https://elsewhere.example/x.jpg"}, {"photoSha256", "forged"}, {"location", "Riga"}};
    auto replaced = sim.put("/scim/v2/Users/" + id, doc);
    REQUIRE(replaced);
    REQUIRE(replaced->status == 200);
    CHECK(body_of(replaced)[kProfile]["photoSha256"] == sha);
    CHECK(body_of(replaced)[kProfile]["photo"] == "/api/v1/users/" + id + "/photo");
    auto patched = sim.patch("/scim/v2/Users/" + id,
                             patch_op({{{"op", "remove"}, {"path", std::string(kProfile) + ":photoSha256"}},
                                       {{"op", "replace"}, {"path", "title"}, {"value", "Lead"}}}));
    REQUIRE(patched);
    INFO(patched->body);
    REQUIRE(patched->status == 200);
    CHECK(body_of(patched)[kProfile]["photoSha256"] == sha);
    CHECK(body_of(patched)["title"] == "Lead");
  }

  SECTION("DELETE removes the photo and its attributes") {
    auto del = sim.del("/api/v1/users/" + id + "/photo");
    REQUIRE(del);
    CHECK(del->status == 204);
    CHECK(sim.get("/api/v1/users/" + id + "/photo")->status == 404);
    auto user_after = scim_user(sim, id);
    CHECK_FALSE(user_after.contains(kProfile));
    CHECK(sim.del("/api/v1/users/" + id + "/photo")->status == 404);
  }

  SECTION("deleting the user deletes the photo") {
    REQUIRE(sim.del("/scim/v2/Users/" + id)->status == 204);
    CHECK(sim.get("/api/v1/users/" + id + "/photo")->status == 404);
  }
}

TEST_CASE("photos that are not JPEG or PNG are 415 and oversized ones 413") {
  RunningSim sim;
  auto id = create_user(sim, "petrova");
  const std::string jpeg = daoctl::ldapgen::detail::photo_for(1);

  auto gif_type = put_photo(sim, id, jpeg, "image/gif");
  REQUIRE(gif_type);
  CHECK(gif_type->status == 415);
  CHECK(gif_type->get_header_value("Content-Type") == "application/problem+json");
  CHECK(body_of(gif_type)["detail"].get<std::string>().find("image/jpeg or image/png") != std::string::npos);

  auto not_an_image = put_photo(sim, id, "GIF89a not really", "image/jpeg");
  CHECK(not_an_image->status == 415);
  CHECK(body_of(not_an_image)["detail"].get<std::string>().find("not a JPEG or PNG image by its content") !=
        std::string::npos);

  auto mislabelled = put_photo(sim, id, jpeg, "image/png");
  CHECK(mislabelled->status == 415);
  CHECK(body_of(mislabelled)["detail"].get<std::string>().find("is JPEG by its content") != std::string::npos);

  std::string huge = jpeg + std::string((5u << 20) - jpeg.size() + 1, '\0');
  auto too_big = put_photo(sim, id, huge, "image/jpeg");
  REQUIRE(too_big);
  CHECK(too_big->status == 413);
  std::string just_fits = jpeg + std::string((5u << 20) - jpeg.size(), '\0');
  CHECK(put_photo(sim, id, just_fits, "image/jpeg")->status == 200);

  // Nothing rejected was stored.
  CHECK(sim.get("/api/v1/users/" + id + "/photo")->body.size() == just_fits.size());
}

TEST_CASE("photo routes of an unknown user are 404") {
  RunningSim sim;
  const std::string jpeg = daoctl::ldapgen::detail::photo_for(1);
  CHECK(put_photo(sim, "999", jpeg, "image/jpeg")->status == 404);
  CHECK(put_photo(sim, "not-an-id", jpeg, "image/jpeg")->status == 404);
  CHECK(sim.get("/api/v1/users/999/photo")->status == 404);
  CHECK(sim.del("/api/v1/users/999/photo")->status == 404);
  auto id = create_user(sim, "sidorov");
  auto none = sim.get("/api/v1/users/" + id + "/photo");
  CHECK(none->status == 404);
  CHECK(body_of(none)["detail"] == "user " + id + " has no photo");
}

TEST_CASE("SCIM schema discovery lists photoSha256 as read-only") {
  RunningSim sim;
  auto schemas = body_of(sim.get("/scim/v2/Schemas"));
  json profile;
  for (const auto& s : schemas["Resources"])
    if (s["id"] == kProfile) profile = s;
  REQUIRE(profile.is_object());
  std::map<std::string, json> attrs;
  for (const auto& a : profile["attributes"]) attrs[a["name"]] = a;
  REQUIRE(attrs.count("photoSha256"));
  CHECK(attrs["photoSha256"]["mutability"] == "readOnly");
  CHECK(attrs["photo"]["mutability"] == "readOnly");
}
