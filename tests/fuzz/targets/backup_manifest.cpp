// Backup manifests read from a downloaded archive (core/backup parse_manifest):
// every member path that passes must be safe to extract.
#include "common.hpp"
#include "core/backup/manifest.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = backup::parse_manifest(fuzz::as_text(data, size), "backup.tar:manifest.json");
  if (!m) return 0;
  for (const auto& member : m->members) FUZZ_CHECK(backup::is_safe_member_path(member.path));
  (void)m->to_json().dump();
  return 0;
}
