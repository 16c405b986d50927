// Declarative environment files (env.yaml): schema, policy and reference checks.
#include "common.hpp"
#include "core/env/env.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto spec = env::load_env(fuzz::as_text(data, size), "env.yaml");
  if (spec) {
    (void)spec->where("");
    (void)spec->where("/policies");
  }
  return 0;
}
