#include <catch2/catch.hpp>

#include "core/backup/manifest.hpp"

using namespace daoctl::backup;

namespace {
Manifest sample() {
  Manifest m;
  m.backup_id = "3";
  m.created_at = "2026-01-01T00:00:00Z";
  m.include = {"db", "files"};
  m.members = {{"db/platform.db", 3, sha256_hex("abc")}, {"files/a.txt", 0, sha256_hex("")}};
  return m;
}
}  // namespace

TEST_CASE("sha256 matches the FIPS 180-2 test vector and streams") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a");
  h.update("bc");
  CHECK(h.hex() == sha256_hex("abc"));
  CHECK(is_sha256_hex(sha256_hex("")));
  CHECK_FALSE(is_sha256_hex("ABC"));
}

TEST_CASE("a manifest round-trips through JSON") {
  auto parsed = parse_manifest(sample().to_json().dump(), "MANIFEST.json");
  REQUIRE(parsed);
  CHECK(parsed->backup_id == "3");
  REQUIRE(parsed->members.size() == 2);
  CHECK(parsed->members[0].path == "db/platform.db");
  CHECK(parsed->members[0].size == 3);
}

TEST_CASE("malformed manifests are refused with the reason") {
  struct Row {
    std::string text;
    std::string reason;
  };
  auto with_member = [](const char* path) {
    auto j = sample().to_json();
    j["members"][1]["path"] = path;
    return j.dump();
  };
  std::vector<Row> rows = {
      {"{", "not valid JSON"},
      {R"({"format": 1e400})", "not valid JSON"},  // found by fuzzing: out_of_range, not parse_error
      {R"({"format": "other/1"})", "format is \"other/1\""},
      {R"({"format": ["db", "files"]})", "format is [\"db\",\"files\"]"},  // found by fuzzing: type_error
      {with_member("../etc/passwd"), "not a safe relative path"},
      {with_member("/abs"), "not a safe relative path"},
      {with_member("files//x"), "not a safe relative path"},
      {with_member("db/platform.db"), "listed twice"},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto m = parse_manifest(r.text, "x.tar.zst:MANIFEST.json");
    REQUIRE_FALSE(m);
    CHECK(m.error().kind == daoctl::ErrorKind::Parse);
    CHECK(m.error().object == "x.tar.zst:MANIFEST.json");
    CHECK((m.error().message + " " + m.error().detail).find(r.reason) != std::string::npos);
  }
}

TEST_CASE("check_members names every damaged, missing and extra member") {
  auto m = sample();
  std::vector<ObservedMember> good = {{"db/platform.db", 3, sha256_hex("abc"), ""},
                                      {"files/a.txt", 0, sha256_hex(""), ""},
                                      {"MANIFEST.json", 10, "", ""}};
  CHECK(check_members(m, good).empty());
  // Headers only (quick mode): sizes are checked, hashes are not.
  std::vector<ObservedMember> headers = {{"db/platform.db", 3, "", ""}, {"files/a.txt", 0, "", ""}};
  CHECK(check_members(m, headers).empty());

  std::vector<ObservedMember> bad = {{"db/platform.db", 3, sha256_hex("abd"), ""}, {"files/extra", 1, "", ""}};
  auto problems = check_members(m, bad);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].path == "db/platform.db");
  CHECK(problems[0].problem.find("sha256 is") == 0);
  CHECK(problems[1].path == "files/a.txt");
  CHECK(problems[1].problem == "missing from the archive");
  CHECK(problems[2].path == "files/extra");
  CHECK(problems[2].problem == "is not in the manifest");

  std::vector<ObservedMember> cut = {{"db/platform.db", 1, "", "truncated gzip input"}, {"files/a.txt", 5, "", ""}};
  problems = check_members(m, cut);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].problem == "cannot be read: truncated gzip input");
  CHECK(problems[1].problem == "size is 5 bytes, the manifest says 0");
}
