// Linked into every executable of a DAOCTL_SANITIZE build (see
// cmake/Warnings.cmake). It makes the sanitizer behaviour the tests rely on a
// property of the binary, not of whoever runs it:
//
//  - every report is fatal: ASan, LSan and UBSan abort (exit by SIGABRT, 134
//    in a shell), a status no daoctl exit code uses, so a sanitizer death is
//    never mistaken for an expected exit code;
//  - leaks are checked at exit, with the committed suppressions for
//    third-party one-time initialisation (tests/sanitizers/lsan.supp);
//  - UBSan reports also land in the ASan log file. GCC links libubsan.so and
//    libasan.so separately, and libubsan ignores log_path in that setup, so a
//    UBSan report would otherwise only reach stderr, which e2e tests send to
//    files nobody reads (daoctl-sim's log). __ubsan_on_report appends it to
//    <log_path>.<pid> taken from ASAN_OPTIONS, which CTest sets per test, and
//    the "sanitizer: no reports" test fails on any such file.
//
// Environment variables still override any of these options.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#ifndef DAOCTL_LSAN_SUPPRESSIONS
#error "DAOCTL_LSAN_SUPPRESSIONS must name tests/sanitizers/lsan.supp"
#endif

extern "C" {

// Called by the runtimes before main(); they must return static strings.
const char* __asan_default_options() {
  return "detect_leaks=1:abort_on_error=1:strict_init_order=1:check_initialization_order=1";
}

const char* __lsan_default_options() {
  return "suppressions=" DAOCTL_LSAN_SUPPRESSIONS ":print_suppressions=0";
}

const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}

void __ubsan_get_current_report_data(const char** kind, const char** message, const char** file,
                                     unsigned* line, unsigned* column, char** address);

// Called by libubsan for every report, before it prints the report and aborts.
void __ubsan_on_report() {
  const char* options = std::getenv("ASAN_OPTIONS");
  if (options == nullptr) return;
  // The last log_path= wins, as in the sanitizer's own option parser.
  const char* path = nullptr;
  for (const char* p = options; (p = std::strstr(p, "log_path=")) != nullptr; p += 9) {
    if (p == options || p[-1] == ':' || p[-1] == ' ' || p[-1] == ',') path = p + 9;
  }
  if (path == nullptr) return;
  const std::size_t path_length = std::strcspn(path, ": ,");
  if (path_length == 0 || path_length > 3000) return;
  char file_name[3100];
  std::snprintf(file_name, sizeof file_name, "%.*s.%d", static_cast<int>(path_length), path,
                static_cast<int>(getpid()));
  const char *kind = "", *message = "", *source = "";
  unsigned line = 0, column = 0;
  char* address = nullptr;
  __ubsan_get_current_report_data(&kind, &message, &source, &line, &column, &address);
  if (std::FILE* f = std::fopen(file_name, "a")) {
    std::fprintf(f, "UndefinedBehaviorSanitizer: %s: %s at %s:%u:%u (full report on stderr)\n",
                 kind, message, source, line, column);
    std::fclose(f);
  }
}

}  // extern "C"
