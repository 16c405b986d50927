// Mattermost bulk exports read from their file (posts left in the file and
// read again, in time order, whenever the import needs them) against the same
// export read from memory (posts held).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connectors/content/readers.hpp"

using namespace daoctl;
using namespace daoctl::content;

namespace {

std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("daoctl-mattermost-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Post> all_posts(const ContentSet& set) {
  std::vector<Post> posts;
  auto read = for_each_post(set, [&](const Post& p) { posts.push_back(p); });
  REQUIRE(read);
  return posts;
}

void check_same_posts(const std::vector<Post>& streamed, const std::vector<Post>& held) {
  REQUIRE(streamed.size() == held.size());
  for (std::size_t i = 0; i < held.size(); ++i) {
    INFO("post " << i << " " << held[i].where);
    const auto &a = streamed[i], &b = held[i];
    CHECK(a.external_id == b.external_id);
    CHECK(a.where == b.where);
    CHECK(a.body == b.body);
    CHECK(a.created_at == b.created_at);
    CHECK(a.author_key == b.author_key);
    CHECK(a.community_external_id == b.community_external_id);
    REQUIRE(a.comments.size() == b.comments.size());
    for (std::size_t c = 0; c < b.comments.size(); ++c) {
      CHECK(a.comments[c].external_id == b.comments[c].external_id);
      CHECK(a.comments[c].author_key == b.comments[c].author_key);
      CHECK(a.comments[c].body == b.comments[c].body);
      CHECK(a.comments[c].created_at == b.comments[c].created_at);
      CHECK(a.comments[c].where == b.comments[c].where);
    }
    REQUIRE(a.reactions.size() == b.reactions.size());
    for (std::size_t r = 0; r < b.reactions.size(); ++r) {
      CHECK(a.reactions[r].user_key == b.reactions[r].user_key);
      CHECK(a.reactions[r].kind == b.reactions[r].kind);
      CHECK(a.reactions[r].created_at == b.reactions[r].created_at);
    }
  }
}

// Reads `file` both ways, checks that they agree and returns the file's read.
ReadResult read_both_ways(const std::filesystem::path& file, std::vector<Post>& posts) {
  auto held = read_mattermost(slurp(file), file.string());
  REQUIRE(held);
  CHECK_FALSE(held->set.streamed_posts);
  auto streamed = read_mattermost_file(file);
  REQUIRE(streamed);
  CHECK(streamed->set.posts.empty());  // left in the file
  if (!held->set.posts.empty()) {
    REQUIRE(streamed->set.streamed_posts);
    CHECK_FALSE(streamed->set.streamed_posts->has_attachments());
  }
  REQUIRE(streamed->problems.size() == held->problems.size());
  for (std::size_t i = 0; i < held->problems.size(); ++i) {
    CHECK(streamed->problems[i].where == held->problems[i].where);
    CHECK(streamed->problems[i].message == held->problems[i].message);
  }
  REQUIRE(streamed->set.skipped.size() == held->set.skipped.size());
  for (std::size_t i = 0; i < held->set.skipped.size(); ++i) {
    CHECK(streamed->set.skipped[i].where == held->set.skipped[i].where);
    CHECK(streamed->set.skipped[i].reason == held->set.skipped[i].reason);
  }
  CHECK(streamed->set.communities.size() == held->set.communities.size());
  CHECK(streamed->set.users.size() == held->set.users.size());
  auto a = count_content(streamed->set), b = count_content(held->set);
  CHECK(a.posts == b.posts);
  CHECK(a.comments == b.comments);
  CHECK(a.reactions == b.reactions);
  CHECK(a.communities == b.communities);
  for (int pass = 0; pass < 2; ++pass) {  // every pass reads the same posts
    posts = all_posts(streamed->set);
    check_same_posts(posts, held->set.posts);
  }
  return std::move(*streamed);
}

}  // namespace

TEST_CASE("the real Mattermost export streams from its file the posts it holds from memory") {
  auto file = std::filesystem::path(DAOCTL_SHARED_DIR) / "realdata/zulip/zerver/tests/fixtures/mattermost_fixtures/export.json";
  std::vector<Post> posts;
  auto read = read_both_ways(file, posts);
  CHECK(read.problems.empty());
  REQUIRE(posts.size() == 19);
  CHECK(count_content(read.set).comments == 1);
  CHECK(count_content(read.set).reactions == 9);
  CHECK(posts.front().created_at == "2019-03-21T10:45:41Z");
  CHECK(posts.back().created_at == "2019-03-21T11:15:16Z");
  for (std::size_t i = 1; i < posts.size(); ++i) CHECK(posts[i - 1].created_at <= posts[i].created_at);
  // The read through read_content_source is the streamed one.
  auto detected = read_content_source(file);
  REQUIRE(detected);
  CHECK(detected->set.posts.empty());
  CHECK(count_content(detected->set).posts == 19);
}

TEST_CASE("posts of a Mattermost export are imported by second and in file order within one") {
  // Posts out of time order; lines 3 and 7 have equal create_at, line 5 the
  // same second as both but fewer milliseconds: one second, file order.
  auto file = temp_file("order.jsonl",
                        "{\"type\":\"version\",\"version\":1}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"ann\",\"message\":\"last @bob\","
                        "\"create_at\":3000500,\"replies\":[{\"user\":\"bob\",\"message\":\"re @ann\",\"create_at\":3000600},"
                        "{\"user\":\"ann\",\"message\":\"\"}],\"reactions\":[{\"user\":\"bob\",\"emoji_name\":\"tada\",\"create_at\":3000700}]}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"bob\",\"message\":\"first\",\"create_at\":1000999}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"gone\",\"user\":\"bob\",\"message\":\"lost\",\"create_at\":500}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"ann\",\"message\":\"same second\",\"create_at\":1000000}}\n"
                        "\r\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"bob\",\"message\":\"equal\",\"create_at\":1000999}}\r\n"
                        "{\"type\":\"direct_post\",\"direct_post\":{}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"ann\",\"message\":\"middle\",\"create_at\":2000000,"
                        "\"reactions\":null,\"replies\":null}}\n"
                        "{\"type\":\"channel\",\"channel\":{\"team\":\"t\",\"name\":\"c\",\"display_name\":\"C\"}}\n"
                        "{\"type\":\"user\",\"user\":{\"username\":\"bob\"}}\n"
                        "{\"type\":\"user\",\"user\":{\"username\":\"ann\"}}");  // no newline at the end
  std::vector<Post> posts;
  auto read = read_both_ways(file, posts);
  CHECK(read.problems.empty());
  REQUIRE(posts.size() == 5);
  const auto name = file.string();
  CHECK(posts[0].where == name + ":3");
  CHECK(posts[1].where == name + ":5");
  CHECK(posts[2].where == name + ":7");
  CHECK(posts[3].where == name + ":9");
  CHECK(posts[4].where == name + ":2");
  CHECK(posts[0].created_at == "1970-01-01T00:16:40Z");
  CHECK(posts[1].created_at == "1970-01-01T00:16:40Z");
  CHECK(posts[4].body == "last @[[user:bob]]");  // bob is defined after the post
  REQUIRE(posts[4].comments.size() == 2);
  CHECK(posts[4].comments[0].body == "re @[[user:ann]]");
  CHECK(posts[4].comments[0].where == name + ":2 /post/replies/0");
  CHECK(posts[4].comments[1].body == "(empty message)");
  CHECK(posts[4].comments[1].created_at == posts[4].created_at);
  REQUIRE(posts[4].reactions.size() == 1);
  CHECK(posts[4].reactions[0].kind == "celebrate");
  auto counts = count_content(read.set);
  CHECK(counts.posts == 5);
  CHECK(counts.comments == 2);
  CHECK(counts.reactions == 1);
  REQUIRE(read.set.skipped.size() == 2);
  CHECK(read.set.skipped[0].where == name + ":8");
  CHECK(read.set.skipped[1].where == name + ":4");
  CHECK(read.set.skipped[1].reason == "channel t/gone is not in the export");
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("problems of a Mattermost export are the same from its file and from memory") {
  auto file = temp_file("bad.jsonl",
                        "{\"type\":\"channel\",\"channel\":{\"team\":\"t\",\"name\":\"c\"}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"a\",\"message\":\"no time\"}}\n"
                        "not json\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"x\",\"user\":\"a\",\"message\":\"no time, no channel\"}}\n"
                        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"a\",\"message\":\"ok\",\"create_at\":1,"
                        "\"replies\":[1,{\"user\":\"a\"}],\"reactions\":[\"x\"]}}\n"
                        "{\"type\":\"post\",\"post\":[]}\n");
  std::vector<Post> posts;
  auto read = read_both_ways(file, posts);
  const auto name = file.string();
  REQUIRE(read.problems.size() == 4);
  CHECK(read.problems[0].where == name + ":3:2");
  CHECK(read.problems[1].where == name + ":6 /type");
  CHECK(read.problems[2].where == name + ":1");
  CHECK(read.problems[2].message == "the export has no {\"type\":\"version\"} line");
  CHECK(read.problems[3].where == name + ":2 /post/create_at");
  REQUIRE(read.set.skipped.size() == 1);
  CHECK(read.set.skipped[0].where == name + ":4");
  REQUIRE(posts.size() == 1);  // replies and reactions that are not objects are kept, as always
  CHECK(posts[0].comments.size() == 2);
  CHECK(posts[0].reactions.size() == 1);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("a Mattermost export rewritten after it was read is refused") {
  const std::string text =
      "{\"type\":\"version\",\"version\":1}\n"
      "{\"type\":\"channel\",\"channel\":{\"team\":\"t\",\"name\":\"c\"}}\n"
      "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"a\",\"message\":\"two\",\"create_at\":2000}}\n"
      "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"a\",\"message\":\"one\",\"create_at\":1000}}\n";
  auto file = temp_file("export.jsonl", text);
  auto refused = [&](const ReadResult& read, const std::string& object) {
    auto again = for_each_post(read.set, [](const Post&) {});
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == ErrorKind::Conflict);
    CHECK(again.error().message == "the export changed since it was validated");
    CHECK(again.error().object == object);
  };

  SECTION("a new modification time") {
    auto read = read_mattermost_file(file);
    REQUIRE(read);
    REQUIRE(for_each_post(read->set, [](const Post&) {}));
    std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::hours(1));
    refused(*read, file.string());
  }
  SECTION("a line appended") {
    auto read = read_mattermost_file(file);
    REQUIRE(read);
    std::ofstream(file, std::ios::app) << "{\"type\":\"team\",\"team\":{}}\n";
    refused(*read, file.string());
  }
  SECTION("a post line damaged in place, with size and time kept") {
    auto read = read_mattermost_file(file);
    REQUIRE(read);
    auto when = std::filesystem::last_write_time(file);
    auto damaged = text;
    damaged.replace(damaged.find("{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"c\",\"user\":\"a\",\"message\":\"one\""), 1, "#");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
    std::filesystem::last_write_time(file, when);
    // The post of line 4 comes first (earlier create_at): its line names the place.
    refused(*read, file.string() + ":4");
  }
  std::filesystem::remove_all(file.parent_path());
}
