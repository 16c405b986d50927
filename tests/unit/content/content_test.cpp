#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

#include "connectors/content/readers.hpp"
#include "connectors/content/source_tree.hpp"
#include "core/content/external_id.hpp"
#include "core/content/markup.hpp"

using namespace daoctl;
using namespace daoctl::content;

TEST_CASE("slack markup becomes platform Markdown") {
  std::map<std::string, std::string> channels{{"C123", "general"}};
  struct Case {
    std::string in, out;
  };
  std::vector<Case> cases = {
      {"hi <@U1>!", "hi @[[user:U1]]!"},
      {"see <#C123|general> and <#C123>", "see #general and #general"},
      {"<https://example.com|the site> or <https://x.org>", "[the site](https://example.com) or <https://x.org>"},
      {"<!here> *bold* _it_ ~gone~", "@here **bold** *it* ~~gone~~"},
      {"`*not bold*` ```\n_kept_\n```", "`*not bold*` ```\n_kept_\n```"},
      {"a &lt;b&gt; &amp; c", "a <b> & c"},
      {"snake_case_name stays", "snake_case_name stays"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(slack_to_markdown(c.in, channels) == c.out);
  }
}

TEST_CASE("mention tokens render to platform user names") {
  auto text = mattermost_mentions("@ron hello @nobody, cc @harry.", [](std::string_view n) { return n == "ron" || n == "harry"; });
  CHECK(text == "@[[user:ron]] hello @nobody, cc @[[user:harry]].");
  CHECK(render_mentions(text, [](std::string_view k) { return "p." + std::string(k); }) == "@p.ron hello @nobody, cc @p.harry.");
}

TEST_CASE("external ids are stable, unambiguous and bounded") {
  CHECK(derive_external_id("slack", {"message", "C1", "1516454537.000093"}) == "slack:message:C1:1516454537.000093");
  CHECK(derive_external_id("x", {"a:b", "c"}) != derive_external_id("x", {"a", "b:c"}));
  std::string long_part(400, 'z');
  auto id = derive_external_id("wxr", {long_part});
  CHECK(id.size() <= 255);
  CHECK(id == derive_external_id("wxr", {long_part}));
  CHECK(id != derive_external_id("wxr", {long_part + "y"}));
}

TEST_CASE("archive entry names that would escape are refused") {
  for (const char* bad : {"../etc/passwd", "a/../../b", "/abs/path", "C:/win", "a\\..\\b", "bad\x01name", ""}) {
    INFO(bad);
    auto r = safe_entry_name(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Safety);
  }
  CHECK(safe_entry_name("./general/2018-01-20.json").value() == "general/2018-01-20.json");
}

namespace {
std::filesystem::path write_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string pattern = (std::filesystem::temp_directory_path() / "daoctl-content-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()));
  auto file = std::filesystem::path(pattern) / "export.zip";
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_filename(a, file.c_str());
  for (const auto& [name, data] : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_write_header(a, e);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return file;
}
}  // namespace

TEST_CASE("a zip with a path-escaping entry is refused, a normal one is read") {
  auto evil = write_zip({{"users.json", "[]"}, {"../../outside.json", "[]"}});
  auto r = open_archive(evil);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Safety);
  CHECK(r.error().object.find("outside.json") != std::string::npos);

  auto good = write_zip({{"users.json", R"([{"id":"U1","name":"ann","profile":{"email":"ann@x.org"}}])"},
                         {"general/2018-01-20.json", R"([{"type":"message","user":"U1","text":"hi <@U1>","ts":"1516454537.000093"},
                           {"type":"message","user":"U1","text":"reply","ts":"1516454600.000001","thread_ts":"1516454537.000093"}])"}});
  auto tree = open_archive(good);
  REQUIRE(tree);
  auto read = read_slack(**tree);
  REQUIRE(read);
  REQUIRE(read->set.posts.size() == 1);
  CHECK(read->set.posts[0].created_at == "2018-01-20T13:22:17Z");
  CHECK(read->set.posts[0].comments.size() == 1);
  CHECK(read->set.posts[0].body == "hi @[[user:U1]]");
}

TEST_CASE("archive limits count inflated bytes and entries") {
  auto zip = write_zip({{"a.json", std::string(5000, 'a')}, {"b.json", "x"}});
  ArchiveLimits small;
  small.max_entry_bytes = 1000;
  auto r = open_archive(zip, small);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "an archive entry is too large");
  ArchiveLimits few;
  few.max_entries = 1;
  CHECK_FALSE(open_archive(zip, few));
}

TEST_CASE("the real Mattermost sample reads in any line order") {
  auto file = std::filesystem::path(DAOCTL_SHARED_DIR) / "realdata/zulip/zerver/tests/fixtures/mattermost_fixtures/export.json";
  auto r = read_content_source(file);
  REQUIRE(r);
  CHECK(r->set.source_kind == "mattermost");
  CHECK(r->problems.empty());
  CHECK(count_content(r->set).posts == 19);  // streamed from the file (mattermost_test.cpp)
  CHECK(r->set.communities.size() == 5);
}

TEST_CASE("found by fuzzing: damaged archives and huge numbers are errors, not crashes") {
  // A zip whose damage libarchive reports without a message (NULL error string).
  auto damaged = open_archive(std::string(DAOCTL_SOURCE_DIR) +
                              "/tests/fuzz/regressions/archive/zip-without-libarchive-error-string");
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().kind == ErrorKind::Parse);
  CHECK(damaged.error().message == "the archive is damaged");

  // nlohmann throws out_of_range, not parse_error, for a number beyond double.
  auto zip = write_zip({{"users.json", "[1e400]"}, {"general/2018-01-20.json", "[]"}});
  auto tree = open_archive(zip);
  REQUIRE(tree);
  auto read = read_slack(**tree);
  REQUIRE_FALSE(read);
  CHECK(read.error().kind == ErrorKind::Parse);
  CHECK(read.error().message == "the export file is not valid JSON");
  CHECK(read.error().object.ends_with("users.json"));
}

TEST_CASE("found by fuzzing: timestamps beyond year 9999 are problems, not undefined casts") {
  CHECK(unix_to_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(unix_to_rfc3339(253402300799.5) == "9999-12-31T23:59:59Z");
  CHECK(unix_to_rfc3339(-62135596800.0) == "0001-01-01T00:00:00Z");
  CHECK(unix_to_rfc3339(253402300800.0).empty());
  CHECK(unix_to_rfc3339(-62135596801.0).empty());
  CHECK(unix_to_rfc3339(1.6e116).empty());
  CHECK(unix_to_rfc3339(std::numeric_limits<double>::infinity()).empty());
  CHECK(unix_to_rfc3339(std::numeric_limits<double>::quiet_NaN()).empty());

  auto zip = write_zip({{"users.json", R"([{"id":"U1","name":"ann"}])"},
                        {"general/2018-01-20.json",
                         R"([{"type":"message","user":"U1","text":"ok","ts":"1516406400.000100"},)"
                         R"({"type":"message","user":"U1","text":"far","ts":"1e116"}])"}});
  auto tree = open_archive(zip);
  REQUIRE(tree);
  auto slack = read_slack(**tree);
  REQUIRE(slack);
  REQUIRE(slack->problems.size() == 1);
  CHECK(slack->problems[0].where.ends_with("general/2018-01-20.json[1] /ts"));
  CHECK(slack->problems[0].message == "ts is not a time (seconds since 1970, before year 10000)");
  CHECK(slack->set.posts.size() == 1);

  const std::string export_text =
      "{\"type\":\"version\",\"version\":1}\n"
      "{\"type\":\"channel\",\"channel\":{\"team\":\"t\",\"name\":\"c\"}}\n"
      "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"u\",\"message\":\"far\","
      "\"create_at\":1.6e107}}\n"
      "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"u\",\"message\":\"ok\","
      "\"create_at\":1516406400000,\"replies\":[{\"user\":\"u\",\"message\":\"r\",\"create_at\":1e300}]}}\n";
  auto mm = read_mattermost(export_text, "export.jsonl");
  REQUIRE(mm);
  REQUIRE(mm->problems.size() == 1);
  CHECK(mm->problems[0].where == "export.jsonl:3 /post/create_at");
  REQUIRE(mm->set.posts.size() == 1);
  REQUIRE(mm->set.posts[0].comments.size() == 1);
  // A reply's time beyond any integer: named by its position, dated as its post.
  CHECK(mm->set.posts[0].comments[0].created_at == "2018-01-20T00:00:00Z");
}

namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("daoctl-content-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

}  // namespace

TEST_CASE("a JSON Lines manifest keeps its posts in the file and reads them again in order") {
  auto attachment = write_temp("note.txt", "hello");
  auto file = write_temp("content.jsonl",
                         "{\"kind\":\"header\",\"version\":1,\"namespace\":\"t\"}\n"
                         "{\"kind\":\"user\",\"key\":\"a\",\"email\":\"a@corp.example\"}\n"
                         "\n"
                         "{\"kind\":\"post\",\"id\":\"p1\",\"author\":\"a\",\"body\":\"one\",\"created_at\":\"2024-01-01T00:00:00Z\","
                         "\"comments\":[{\"id\":\"c1\",\"author\":\"a\",\"body\":\"x\",\"created_at\":\"2024-01-01T00:00:00Z\","
                         "\"replies\":[{\"id\":\"c2\",\"author\":\"a\",\"body\":\"y\",\"created_at\":\"2024-01-01T00:00:00Z\"}]}],"
                         "\"reactions\":[{\"user\":\"a\",\"kind\":\"like\"}]}\r\n"
                         "{\"kind\":\"community\",\"id\":\"k\",\"name\":\"K\"}\n"
                         "{\"kind\":\"post\",\"type\":\"news\",\"id\":\"p2\",\"author\":\"a\",\"title\":\"T\",\"body\":\"two\","
                         "\"created_at\":\"2024-01-02T00:00:00Z\",\"attachments\":[\"note.txt\"]}\n");
  auto read = read_manifest(file);
  REQUIRE(read);
  CHECK(read->problems.empty());
  CHECK(read->set.posts.empty());  // not held
  REQUIRE(read->set.streamed_posts);
  CHECK(read->set.streamed_posts->has_attachments());
  auto counts = count_content(read->set);
  CHECK(counts.posts == 1);
  CHECK(counts.news == 1);
  CHECK(counts.comments == 2);
  CHECK(counts.reactions == 1);
  CHECK(counts.files == 1);
  CHECK(counts.communities == 1);
  std::vector<Post> seen;
  for (int pass = 0; pass < 2; ++pass) {  // every pass reads the same posts
    seen.clear();
    REQUIRE(for_each_post(read->set, [&](const Post& p) { seen.push_back(p); }));
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].external_id == derive_external_id("manifest", {"t", "post", "p1"}));
    CHECK(seen[0].where == file.string() + ":4");
    REQUIRE(seen[0].comments.size() == 2);
    CHECK(seen[0].comments[1].parent_external_id == seen[0].comments[0].external_id);
    CHECK(seen[1].type == "news");
    CHECK(seen[1].where == file.string() + ":6");
    REQUIRE(seen[1].attachments.size() == 1);
    CHECK(seen[1].attachments[0].path == attachment.string());
  }
  // A manifest rewritten after it was validated is refused, not sent half-checked.
  std::ofstream(file, std::ios::app) << "{\"kind\":\"post\",\"id\":\"p3\"}\n";
  auto again = for_each_post(read->set, [](const Post&) {});
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == ErrorKind::Conflict);
  CHECK(again.error().message == "the manifest changed since it was validated");
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("problems of a JSON Lines manifest name the file and line and posts with problems are not counted") {
  auto file = write_temp("bad.jsonl",
                         "{\"kind\":\"header\",\"version\":1}\n"
                         "{\"kind\":\"post\",\"id\":\"p1\",\"author\":\"a\",\"body\":\"one\",\"created_at\":\"2024-01-01T00:00:00Z\"}\n"
                         "not json\n"
                         "{\"kind\":\"post\",\"id\":\"p2\",\"body\":\"no author\",\"created_at\":\"2024-01-01T00:00:00Z\"}\n"
                         "{\"kind\":\"planet\"}\n");
  auto read = read_manifest(file);
  REQUIRE(read);
  REQUIRE(read->problems.size() == 3);
  CHECK(read->problems[0].where == file.string() + ":3:2");  // "not": the 'o' is where no JSON literal fits
  CHECK(read->problems[0].message.starts_with("invalid JSON: syntax error while parsing value"));
  CHECK(read->problems[1].where.starts_with(file.string() + ":4:"));
  CHECK(read->problems[2].where == file.string() + ":5:9");  // the value of "kind"
  CHECK(read->problems[2].message == "/kind: kind must be header, user, community, badge, post, event or award");
  CHECK(count_content(read->set).posts == 1);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("a JSON Lines manifest names line and column: syntax errors, unknown keys, wrong values, non-ASCII") {
  // What an HR or migration script writes by hand: a stray comma, a
  // misspelled key, a wrong type after Cyrillic text (columns count
  // characters, not bytes), a bare string, a valid line.
  auto file = write_temp("cols.jsonl",
                         "{\"kind\":\"header\",\"version\":1}\n"
                         "{\"kind\":\"post\",\"id\":\"p1\",,\"author\":\"a\"}\n"
                         "{\"kind\":\"post\",\"id\":\"p2\",\"autor\":\"a\",\"body\":\"x\",\"created_at\":\"2024-01-01T00:00:00Z\"}\n"
                         "{\"kind\":\"post\",\"body\":\"Привет\",\"id\":7,\"author\":\"a\",\"created_at\":\"2024-01-01T00:00:00Z\"}\n"
                         "\"just a string\"\n"
                         "  {\"kind\":\"post\",\"id\":\"p3\",\"author\":\"a\",\"body\":\"ok\",\"created_at\":\"2024-01-01T00:00:00Z\"}\n");
  auto read = read_manifest(file);
  REQUIRE(read);
  const auto name = file.string();
  REQUIRE(read->problems.size() >= 4);
  std::map<std::string, std::string> by_where;
  for (const auto& p : read->problems) by_where[p.where] = p.message;
  INFO([&] {
    std::string all;
    for (const auto& p : read->problems) all += p.where + " | " + p.message + "\n";
    return all;
  }());
  // Line 2: the second comma, at column 26.
  REQUIRE(by_where.count(name + ":2:26"));
  CHECK(by_where[name + ":2:26"] == "invalid JSON: syntax error while parsing object key - unexpected ','; expected string literal");
  // Line 3: the misspelled key, at the key.
  REQUIRE(by_where.count(name + ":3:26"));
  CHECK(by_where[name + ":3:26"] == "unknown key 'autor' (did you mean 'author'?)");
  // Line 4: "id":7 after 6 Cyrillic letters (12 bytes): column of the value.
  REQUIRE(by_where.count(name + ":4:37"));
  CHECK(by_where[name + ":4:37"].starts_with("/id: "));
  // Line 5: a JSON value that is not an object.
  REQUIRE(by_where.count(name + ":5:1"));
  CHECK(by_where[name + ":5:1"] == "a line must be a JSON object, not string");
  CHECK(count_content(read->set).posts == 1);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("manifest attachments must stay inside the manifest folder") {
  auto outside = write_temp("secret.txt", "not for upload");
  auto dir = outside.parent_path() / "m";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ok.txt") << "fine";
  std::filesystem::create_symlink(outside, dir / "link.txt");
  std::ofstream(dir / "content.yaml") << "version: 1\n"
                                         "users: [{key: a, email: a@corp.example}]\n"
                                         "posts:\n"
                                         "  - {id: p1, author: a, body: x, created_at: \"2024-01-01T00:00:00Z\",\n"
                                         "     attachments: [ok.txt, ../secret.txt, /etc/passwd, link.txt]}\n";
  auto read = read_manifest(dir / "content.yaml");
  REQUIRE(read);
  REQUIRE(read->problems.size() == 3);
  CHECK_THAT(read->problems[0].message, Catch::Contains("\"../secret.txt\" is outside the manifest's folder"));
  CHECK_THAT(read->problems[1].message, Catch::Contains("\"/etc/passwd\" is outside"));
  CHECK_THAT(read->problems[2].message, Catch::Contains("\"link.txt\" is outside"));
  CHECK_THAT(read->problems[0].where, Catch::Contains("content.yaml:4:"));
  std::filesystem::remove_all(outside.parent_path());
}
