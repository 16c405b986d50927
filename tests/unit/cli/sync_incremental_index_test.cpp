// The entryUUID index of sync apply --incremental (commands/sync/
// incremental.hpp): a change set edits it without loading everyone, and the
// file is rewritten only when an entry changed.
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/sync/incremental.hpp"
#include "core/ldap/dn.hpp"

using namespace daoctl;
using namespace daoctl::commands::sync_incremental;
using daoctl::mapping::Value;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "daoctl-index-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ino_t inode(const std::string& p) {
  struct stat st{};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

// A desired user read from the directory, and its entryUUID known to the run.
sync::DesiredUser person(Run& run, const std::string& uuid, const std::string& ext, const std::string& dn,
                         sync::Fields fields = {}) {
  sync::DesiredUser d;
  d.external_id = ext;
  d.user_name = "user-" + ext;
  d.origin = "ldap://127.0.0.1:389/" + dn;
  d.fields = std::move(fields);
  run.uuid_of_origin[d.origin] = uuid;
  return d;
}

void start(Run& run, const TempDir& dir, const std::string& text, long employees) {
  run.job = "inc";
  run.source = "ldap";
  run.state_dir = dir.path.string();
  run.scoped = true;
  run.index_text = text;
  run.cursor.cookie = "rid=000,csn=1";
  run.cursor.employees = employees;
  run.employees = employees;
  run.changes.cookie = run.cursor.cookie;
}

const char* kSalesA = "uid=a,ou=Sales\\, EMEA,dc=corp";  // an escaped comma in the OU's name
const char* kSalesB = "uid=b,ou=Sales\\, EMEA,dc=corp";
const char* kItC = "uid=c,ou=IT,dc=corp";

}  // namespace

TEST_CASE("a change set edits the entryUUID index only where an entry changed") {
  TempDir dir;
  const auto chrono_now = std::chrono::system_clock::now();
  const std::string index = index_path(dir.path.string(), "inc", "ldap");
  const std::string cursor = cursor_path(dir.path.string(), "inc", "ldap");

  // A full run writes the whole index.
  {
    Run full;
    full.job = "inc";
    full.source = "ldap";
    full.state_dir = dir.path.string();
    std::vector<sync::DesiredUser> users = {person(full, "ua", "e1", kSalesA), person(full, "ub", "e2", kSalesB),
                                            person(full, "uc", "e3", kItC)};
    update_index(full, users);
    CHECK(full.employees == 3);
    REQUIRE(save(full, chrono_now, true));
  }
  const std::string text = slurp(index);
  const auto all = index_find(text, {"ua", "ub", "uc", "nobody"}, index);
  REQUIRE(all.size() == 3);
  CHECK(all.at("ua").dn == ldap::canonical_dn(kSalesA));
  CHECK(all.at("uc").external_id == "e3");

  SECTION("a modify that changes neither the externalId nor the DN leaves the file as it is") {
    Run run;
    start(run, dir, text, 3);
    run.changes.new_cookie = "rid=000,csn=2";
    std::vector<sync::DesiredUser> users = {person(run, "uc", "e3", kItC, {{"title", Value("New")}})};
    const auto before = inode(index);
    scope_change_set(run, users, sync::JobSpec{});
    update_index(run, users);
    CHECK(run.index_edits.empty());
    REQUIRE(save(run, chrono_now, true));
    CHECK(inode(index) == before);  // not even rewritten with the same bytes
    CHECK(slurp(index) == text);
    CHECK(slurp(cursor).find("\"cookie\": \"rid=000,csn=2\"") != std::string::npos);
    CHECK(slurp(cursor).find("\"employees\": 3") != std::string::npos);
  }

  SECTION("deletions, an add with a manager outside the change set, and the OU they empty") {
    Run run;
    start(run, dir, text, 3);
    run.deleted_uuids = {"ua", "ub", "not-an-employee"};
    std::vector<sync::DesiredUser> users = {
        person(run, "ud", "e4", "uid=d,ou=IT,dc=corp", {{"manager", Value("UID=c, ou=IT,dc=corp")}})};
    const auto lookups = scope_change_set(run, users, sync::JobSpec{});
    CHECK(*users[0].fields.at("manager").string() == "e3");  // resolved through the index, by its canonical DN
    CHECK(run.scope == std::unordered_set<std::string>{"e1", "e2", "e4"});
    CHECK(run.deleted == 2);
    CHECK(std::count(lookups.begin(), lookups.end(), std::pair<std::string, std::string>{"externalId", "e3"}) == 1);
    CHECK(std::count(lookups.begin(), lookups.end(), std::pair<std::string, std::string>{"externalId", "e1"}) == 1);
    // Both employees under "ou=Sales\, EMEA" went: the parent is that of the
    // unescaped DN, not cut at the escaped comma.
    REQUIRE(run.vanished.size() == 1);
    CHECK(run.vanished[0].first == ldap::canonical_dn("ou=Sales\\, EMEA,dc=corp"));
    CHECK(run.vanished[0].second == 2);
    update_index(run, users);
    CHECK(run.employees == 2);
    REQUIRE(save(run, chrono_now, true));
    const std::string after = slurp(index);
    const auto left = index_find(after, {"ua", "ub", "uc", "ud"}, index);
    CHECK(left.size() == 2);
    CHECK(left.count("uc") == 1);
    CHECK(left.at("ud").dn == ldap::canonical_dn("uid=d,ou=IT,dc=corp"));
    CHECK(slurp(cursor).find("\"employees\": 2") != std::string::npos);
  }

  SECTION("a move to another OU edits the entry's DN and keeps the count") {
    Run run;
    start(run, dir, text, 3);
    std::vector<sync::DesiredUser> users = {person(run, "uc", "e3", "uid=c,ou=Sales\\, EMEA,dc=corp")};
    scope_change_set(run, users, sync::JobSpec{});
    CHECK(run.vanished.empty());
    update_index(run, users);
    CHECK(run.employees == 3);
    REQUIRE(save(run, chrono_now, true));
    const auto moved = index_find(slurp(index), {"ua", "ub", "uc"}, index);
    REQUIRE(moved.size() == 3);
    CHECK(moved.at("uc").dn == ldap::canonical_dn("uid=c,ou=Sales\\, EMEA,dc=corp"));
    CHECK(moved.at("ua").dn == ldap::canonical_dn(kSalesA));  // copied as written, escapes intact
  }
}

TEST_CASE("a malformed index line is named by file and line") {
  try {
    index_find("ua\te1\tuid=a\nbroken line\n", {"ua"}, "/state/inc.ldap.index.tsv");
    FAIL("no error");
  } catch (const daoctl::CommandError& e) {
    CHECK(e.error().message == "/state/inc.ldap.index.tsv:2: not uuid<TAB>externalId<TAB>dn");
  }
}
