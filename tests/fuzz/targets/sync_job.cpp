// Sync job files (sync.yaml): YAML, the JSON Schema, mapping templates,
// deprovisioning rules and every cross-check of core/sync load_job.
#include "common.hpp"
#include "core/sync/job.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sync::LoadOptions options;
  options.today = "2025-03-01";
  auto job = sync::load_job(fuzz::as_text(data, size), "sync.yaml", options);
  if (job) {
    for (const auto& s : job->sources) (void)job->fields_of(s.name);
    (void)job->managed_by();
  } else {
    FUZZ_CHECK(!job.error().message.empty());
  }
  return 0;
}
