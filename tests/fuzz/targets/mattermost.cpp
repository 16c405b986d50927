// Mattermost bulk exports (JSON Lines): connectors/content read_mattermost
// (held in memory) and read_mattermost_file (posts left in the file and read
// again, as an import does), which must find the same problems and the same
// posts, comments and reactions in the same order.
#include "common.hpp"
#include "connectors/content/readers.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  auto held = content::read_mattermost(text, "export.jsonl");
  auto path = fuzz::scratch().write("export.jsonl", text);
  auto streamed = content::read_mattermost_file(path);
  FUZZ_CHECK(held.has_value() == streamed.has_value());
  if (!held || !streamed) return 0;
  auto a = content::count_content(held->set);
  auto b = content::count_content(streamed->set);
  FUZZ_CHECK(a.posts == b.posts);
  FUZZ_CHECK(a.comments == b.comments);
  FUZZ_CHECK(a.reactions == b.reactions);
  FUZZ_CHECK(held->problems.size() == streamed->problems.size());
  FUZZ_CHECK(held->set.skipped.size() == streamed->set.skipped.size());
  if (!streamed->problems.empty()) return 0;
  std::size_t n = 0;
  std::int64_t comments = 0, reactions = 0;
  auto read = content::for_each_post(streamed->set, [&](const content::Post& p) {
    FUZZ_CHECK(n < held->set.posts.size());
    const auto& h = held->set.posts[n++];
    FUZZ_CHECK(p.external_id == h.external_id);
    FUZZ_CHECK(p.created_at == h.created_at);
    FUZZ_CHECK(p.body == h.body);
    comments += static_cast<std::int64_t>(p.comments.size());
    reactions += static_cast<std::int64_t>(p.reactions.size());
  });
  FUZZ_CHECK(read.has_value());
  FUZZ_CHECK(n == held->set.posts.size());
  FUZZ_CHECK(comments == a.comments);
  FUZZ_CHECK(reactions == a.reactions);
  return 0;
}
