// daoctl-sim backups in-process: jobs, listing, Range/ETag downloads,
// validation, and a restore that brings back the old state.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "../sim/sim_fixture.hpp"
#include "core/backup/manifest.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {

json wait_job(RunningSim& sim, const std::string& id) {
  for (int i = 0; i < 500; ++i) {
    auto job = body_of(sim.get("/api/v1/jobs/" + id));
    if (job["state"] == "succeeded" || job["state"] == "failed") return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("job " << id << " did not finish");
  return {};
}

// Creates a backup and returns its Backup object once ready.
json make_backup(RunningSim& sim, json include = {"db", "files"}) {
  auto r = sim.post("/api/v1/backups", {{"include", include}, {"note", "test"}});
  REQUIRE(r);
  REQUIRE(r->status == 202);
  auto job = json::parse(r->body);
  CHECK(r->get_header_value("Location") == "/api/v1/jobs/" + job["id"].get<std::string>());
  CHECK(job["kind"] == "backup");
  auto done = wait_job(sim, job["id"]);
  REQUIRE(done["state"] == "succeeded");
  auto id = done["result"]["backup_id"].get<std::string>();
  return body_of(sim.get("/api/v1/backups/" + id));
}

}  // namespace

TEST_CASE("a backup is listed ready with the size and sha256 of the archive it serves") {
  RunningSim sim;
  std::filesystem::create_directories(sim.dir() / "files");
  std::ofstream(sim.dir() / "files" / "note.txt") << "stored file";
  auto b = make_backup(sim);
  CHECK(b["state"] == "ready");
  CHECK(b["kind"] == "manual");
  CHECK(b["note"] == "test");
  auto list = body_of(sim.get("/api/v1/backups?state=ready"));
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["id"] == b["id"]);
  CHECK(list["next_cursor"].is_null());

  auto full = sim.get("/api/v1/backups/" + b["id"].get<std::string>() + "/download");
  REQUIRE(full);
  CHECK(full->status == 200);
  CHECK(full->get_header_value("Accept-Ranges") == "bytes");
  CHECK(full->get_header_value("ETag") == "W/\"" + b["sha256"].get<std::string>() + "\"");
  CHECK(full->get_header_value("Digest").starts_with("sha-256="));
  CHECK(full->body.size() == b["size"].get<std::size_t>());
  CHECK(daoctl::backup::sha256_hex(full->body) == b["sha256"]);
}

TEST_CASE("downloads honour one Range, If-Range, and answer 416 past the end") {
  RunningSim sim;
  auto b = make_backup(sim, {"db"});
  auto path = "/api/v1/backups/" + b["id"].get<std::string>() + "/download";
  auto size = b["size"].get<std::size_t>();
  auto full = sim.get(path)->body;

  auto tail = sim.get(path, {{"Range", "bytes=10-"}});
  REQUIRE(tail);
  CHECK(tail->status == 206);
  CHECK(tail->get_header_value("Content-Range") == "bytes 10-" + std::to_string(size - 1) + "/" + std::to_string(size));
  CHECK(tail->body == full.substr(10));

  auto head = sim.get(path, {{"Range", "bytes=0-9"}, {"If-Range", "W/\"" + b["sha256"].get<std::string>() + "\""}});
  REQUIRE(head);
  CHECK(head->status == 206);
  CHECK(head->body == full.substr(0, 10));

  auto changed = sim.get(path, {{"Range", "bytes=10-"}, {"If-Range", "W/\"other\""}});
  REQUIRE(changed);
  CHECK(changed->status == 200);
  CHECK(changed->body == full);

  auto past = sim.get(path, {{"Range", "bytes=" + std::to_string(size) + "-"}});
  REQUIRE(past);
  CHECK(past->status == 416);
  CHECK(past->get_header_value("Content-Range") == "bytes */" + std::to_string(size));
  CHECK(json::parse(past->body)["status"] == 416);
}

TEST_CASE("backup requests are validated") {
  RunningSim sim;
  CHECK(sim.post("/api/v1/backups", {{"include", json::array()}})->status == 422);
  CHECK(sim.post("/api/v1/backups", {{"include", {"db", "logs"}}})->status == 422);
  CHECK(sim.post("/api/v1/backups", {{"include", {"db"}}, {"extra", 1}})->status == 422);
  CHECK(sim.get("/api/v1/backups/99")->status == 404);
  CHECK(sim.get("/api/v1/backups/99/download")->status == 404);
  CHECK(sim.get("/api/v1/backups?kind=weekly")->status == 400);
  auto b = make_backup(sim, {"db"});
  auto id = b["id"].get<std::string>();
  auto wrong = sim.post("/api/v1/backups/" + id + "/restore", {{"confirm", "nope"}});
  CHECK(wrong->status == 422);
  CHECK(json::parse(wrong->body)["errors"][0]["field"] == "confirm");
  CHECK(sim.post("/api/v1/backups/99/restore", {{"confirm", "99"}})->status == 404);

  httplib::MultipartFormDataItems parts = {{"archive", "not an archive", "a.tar.zst", "application/octet-stream"},
                                           {"confirm", std::string(64, '0'), "", ""}};
  auto upload = sim.client().Post("/api/v1/restore", parts);
  REQUIRE(upload);
  CHECK(upload->status == 422);

  CHECK(sim.del("/api/v1/backups/" + id, {{"If-Match", "W/\"999\""}})->status == 412);
  CHECK(sim.del("/api/v1/backups/" + id)->status == 204);
  CHECK(sim.get("/api/v1/backups/" + id)->status == 404);
}

TEST_CASE("a restore brings back the backed-up state and reports its job") {
  RunningSim sim;
  REQUIRE(sim.post("/scim/v2/Users", user_doc("kept.before"))->status == 201);
  auto b = make_backup(sim);
  auto id = b["id"].get<std::string>();
  REQUIRE(sim.post("/scim/v2/Users", user_doc("added.after"))->status == 201);
  REQUIRE(sim.del("/scim/v2/Users/1")->status == 204);

  auto r = sim.post("/api/v1/backups/" + id + "/restore", {{"confirm", id}});
  REQUIRE(r->status == 202);
  auto job = wait_job(sim, json::parse(r->body)["id"]);
  CHECK(job["kind"] == "restore");
  CHECK(job["state"] == "succeeded");
  CHECK(job["result"]["backup_id"] == id);

  auto users = body_of(sim.get("/scim/v2/Users"));
  REQUIRE(users["totalResults"] == 1);
  CHECK(users["Resources"][0]["userName"] == "kept.before");
  // The catalogue survives the restore: the backup is still listed.
  CHECK(sim.get("/api/v1/backups/" + id)->status == 200);
  // The restored store keeps working for writes (its id index was reloaded).
  CHECK(sim.post("/scim/v2/Users", user_doc("added.later"))->status == 201);
}

TEST_CASE("an uploaded archive restores into a fresh server") {
  std::string archive;
  std::string id;
  {
    RunningSim source;
    REQUIRE(source.post("/scim/v2/Users", user_doc("moved.user"))->status == 201);
    auto b = make_backup(source);
    id = b["id"].get<std::string>();
    archive = source.get("/api/v1/backups/" + id + "/download")->body;
  }
  RunningSim target;
  httplib::MultipartFormDataItems parts = {{"archive", archive, "a.tar.zst", "application/octet-stream"},
                                           {"confirm", daoctl::backup::sha256_hex(archive), "", ""}};
  auto r = target.client().Post("/api/v1/restore", parts);
  REQUIRE(r);
  REQUIRE(r->status == 202);
  auto job = wait_job(target, json::parse(r->body)["id"]);
  CHECK(job["state"] == "succeeded");
  auto users = body_of(target.get("/scim/v2/Users"));
  REQUIRE(users["totalResults"] == 1);
  CHECK(users["Resources"][0]["userName"] == "moved.user");
}

TEST_CASE("a damaged uploaded archive fails its job and changes nothing") {
  std::string archive;
  {
    RunningSim source;
    std::filesystem::create_directories(source.dir() / "files");
    std::ofstream(source.dir() / "files" / "big.bin") << std::string(200000, 'x');
    archive = source.get("/api/v1/backups/" + make_backup(source)["id"].get<std::string>() + "/download")->body;
  }
  archive[archive.size() / 2] = static_cast<char>(archive[archive.size() / 2] ^ 0x55);
  RunningSim target;
  REQUIRE(target.post("/scim/v2/Users", user_doc("still.here"))->status == 201);
  httplib::MultipartFormDataItems parts = {{"archive", archive, "a.tar.zst", "application/octet-stream"},
                                           {"confirm", daoctl::backup::sha256_hex(archive), "", ""}};
  auto r = target.client().Post("/api/v1/restore", parts);
  REQUIRE(r->status == 202);
  auto job = wait_job(target, json::parse(r->body)["id"]);
  CHECK(job["state"] == "failed");
  CHECK(job["error"]["title"] == "restore failed");
  CHECK(body_of(target.get("/scim/v2/Users"))["Resources"][0]["userName"] == "still.here");
}
