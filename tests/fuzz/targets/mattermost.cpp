// Mattermost bulk exports (JSON Lines): connectors/content read_mattermost.
#include "common.hpp"
#include "connectors/content/readers.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto read = content::read_mattermost(fuzz::as_text(data, size), "export.jsonl");
  if (read) (void)content::count_content(read->set);
  return 0;
}
