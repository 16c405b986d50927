// Deterministic demo data for `daoctl-sim seed`: a department tree, users
// with Russian (Cyrillic, transliterated userName) and English names,
// managers following the tree, and a few groups. The same options give the
// same data byte for byte (own PRNG, fixed timestamps).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/store.hpp"

namespace daoctl::sim {

struct SeedOptions {
  std::int64_t users = 100;
  std::int64_t departments = 0;  // 0: about users/50, at least 1, at most 2000
  std::uint64_t seed = 1;
};

SeedData generate_seed(const SeedOptions& options);

// Russian Cyrillic to lower-case Latin (simplified BGN/PCGN: Щ -> shch, Х -> kh).
std::string transliterate(std::string_view cyrillic);

}  // namespace daoctl::sim
