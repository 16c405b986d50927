// WordPress WXR exports (XML, expat): connectors/content read_wxr, and the
// reader dispatch (detect_source_kind) on the same file.
#include "common.hpp"
#include "connectors/content/readers.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto path = fuzz::scratch().write("export.xml", fuzz::as_text(data, size));
  auto read = content::read_wxr(path);
  if (read) (void)content::count_content(read->set);
  return 0;
}
