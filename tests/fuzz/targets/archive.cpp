// Export archives (zip, tar, ...) opened with libarchive under limits
// (connectors/content open_archive): entry names checked for zip-slip, sizes
// counted as inflated, every entry read back.
#include <string>

#include "common.hpp"
#include "connectors/content/source_tree.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto path = fuzz::scratch().write("export.zip", fuzz::as_text(data, size));
  content::ArchiveLimits limits;
  limits.max_entries = 64;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  auto tree = content::open_archive(path, limits);
  if (!tree) return 0;
  uint64_t total = 0;
  for (const auto& name : (*tree)->files()) {
    FUZZ_CHECK(content::safe_entry_name(name).has_value());
    auto bytes = (*tree)->read(name);
    FUZZ_CHECK(bytes.has_value());
    FUZZ_CHECK(bytes->size() <= limits.max_entry_bytes);
    total += bytes->size();
  }
  FUZZ_CHECK(total <= limits.max_total_bytes);
  FUZZ_CHECK((*tree)->files().size() <= limits.max_entries);
  return 0;
}
