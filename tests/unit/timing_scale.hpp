// Time limits in tests scale with the build instead of being skipped: the
// sanitizer build (the `asan` preset: ASan + UBSan at -O1) runs hot loops
// 3-5x slower, so a limit is multiplied by kTimingScale there and the check
// still catches a real regression (ARCHITECTURE.md, "Sanitizer runs").
#pragma once

namespace daoctl::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kTimingScale = 5.0;
#else
inline constexpr double kTimingScale = 1.0;
#endif

}  // namespace daoctl::testing
