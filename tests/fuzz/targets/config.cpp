// The daoctl config file (contexts) and its serialisation: what parses,
// serialises to text that parses to the same contexts.
#include "common.hpp"
#include "core/config/config.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = config::parse_config(fuzz::as_text(data, size), "config.yaml");
  if (!file) return 0;
  std::string text = config::serialize_config(*file);
  auto again = config::parse_config(text, "config.yaml");
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->current_context == file->current_context);
  FUZZ_CHECK(again->contexts.size() == file->contexts.size());
  for (size_t i = 0; i < file->contexts.size(); ++i) {
    FUZZ_CHECK(again->contexts[i].name == file->contexts[i].name);
    FUZZ_CHECK(again->contexts[i].url == file->contexts[i].url);
    FUZZ_CHECK(again->contexts[i].token == file->contexts[i].token);
  }
  (void)config::serialize_config(*file, true);
  return 0;
}
