// Native import manifests (YAML, or JSON Lines when byte 0 is odd):
// connectors/content read_manifest, schema-checked against import.schema.json,
// then every post read again as an import does (a JSON Lines manifest's
// posts stay in the file and are parsed a second time).
#include "common.hpp"
#include "connectors/content/readers.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char* name = (data[0] & 1) ? "manifest.jsonl" : "manifest.yaml";
  auto path = fuzz::scratch().write(name, fuzz::as_text(data + 1, size - 1));
  auto read = content::read_manifest(path);
  if (!read) return 0;
  (void)content::count_content(read->set);
  if (read->problems.empty()) (void)content::for_each_post(read->set, [](const content::Post&) {});
  return 0;
}
