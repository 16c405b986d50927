// ldapgen — writes the deterministic test directory of ldif_generator.hpp.
//
//   ldapgen [--employees N] [--base-dn DN] [--ppolicy] [--photo-every N] [--photo-bytes N] [--out FILE]
//
// Writes to stdout unless --out is given. Exit status 2 on bad arguments,
// 1 when the output cannot be written.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/tools/ldapgen/ldif_generator.hpp"

namespace {
bool parse_count(const char* text, std::size_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  out = static_cast<std::size_t>(v);
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  daoctl::ldapgen::GeneratorOptions options;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--employees" && has_value) {
      if (!parse_count(argv[++i], options.employees)) {
        std::fprintf(stderr, "ldapgen: --employees: \"%s\" is not a count\n", argv[i]);
        return 2;
      }
    } else if (arg == "--photo-every" && has_value) {
      if (!parse_count(argv[++i], options.photo_every)) {
        std::fprintf(stderr, "ldapgen: --photo-every: \"%s\" is not a count\n", argv[i]);
        return 2;
      }
    } else if (arg == "--photo-bytes" && has_value) {
      if (!parse_count(argv[++i], options.photo_bytes)) {
        std::fprintf(stderr, "ldapgen: --photo-bytes: \"%s\" is not a count\n", argv[i]);
        return 2;
      }
    } else if (arg == "--base-dn" && has_value) {
      options.base_dn = argv[++i];
    } else if (arg == "--out" && has_value) {
      out_path = argv[++i];
    } else if (arg == "--ppolicy") {
      options.ppolicy_locks = true;
    } else {
      std::fprintf(stderr,
                   "ldapgen: unknown or incomplete argument \"%s\"\n"
                   "usage: ldapgen [--employees N] [--base-dn DN] [--ppolicy] [--photo-every N] [--photo-bytes N] "
                   "[--out FILE]\n",
                   arg.c_str());
      return 2;
    }
  }
  std::FILE* file = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "ldapgen: cannot open %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  const bool ok = daoctl::ldapgen::write_ldif(file, options);
  const int saved_errno = errno;
  if (file != stdout && std::fclose(file) != 0) {
    std::fprintf(stderr, "ldapgen: cannot write %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  if (!ok) {
    std::fprintf(stderr, "ldapgen: cannot write %s: %s\n",
                 out_path.empty() ? "stdout" : out_path.c_str(), std::strerror(saved_errno));
    return 1;
  }
  return 0;
}
