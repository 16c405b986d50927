// stats export -O FILE (commands/stats/sinks): the output is written under a
// temporary name through the descriptor that created it, and renamed over
// FILE only when complete.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands/stats/sinks.hpp"

namespace fs = std::filesystem;
using daoctl::commands::AtomicOutputFile;

namespace {
fs::path scratch() {
  auto dir =
      fs::temp_directory_path() / ("daoctl-atomic-output-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> names(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    out.push_back(entry.path().filename().string());
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

TEST_CASE("an atomic output replaces the target only on commit, small and large writes alike") {
  auto dir = scratch();
  const auto target = dir / "report.csv";
  std::ofstream(target) << "yesterday";
  auto file = AtomicOutputFile::create(target.string());
  REQUIRE(file);
  const std::string big(200'000, 'x');  // larger than the 64 KiB buffer: written straight through
  (*file)->stream() << "a,b\n" << big << '\n';
  for (int i = 0; i < 10'000; ++i) (*file)->stream() << i << '\n';
  CHECK(slurp(target) == "yesterday");
  CHECK(names(dir).size() == 2);  // the target and .report.csv.tmp-XXXXXXXXXXXX
  REQUIRE((*file)->commit());
  std::ostringstream expected;
  expected << "a,b\n" << big << '\n';
  for (int i = 0; i < 10'000; ++i) expected << i << '\n';
  CHECK(slurp(target) == expected.str());
  file->reset();
  CHECK(names(dir) == std::vector<std::string>{"report.csv"});
  fs::remove_all(dir);
}

TEST_CASE(
    "an atomic output that is not committed leaves the target as it was and nothing beside it") {
  auto dir = scratch();
  const auto target = dir / "report.json";
  std::ofstream(target) << "yesterday";
  {
    auto file = AtomicOutputFile::create(target.string());
    REQUIRE(file);
    (*file)->stream() << "half a report";
  }
  CHECK(slurp(target) == "yesterday");
  CHECK(names(dir) == std::vector<std::string>{"report.json"});
  fs::remove_all(dir);
}

// A job's watcher thread empties the registry while the main thread goes on
// writing: the rows go to the removed file, and nothing appears again by
// that name. (The temporary used to be opened a second time by name, with
// O_CREAT, just after its creation: a cleanup falling in between saw the
// file made again. That window is inside create(), too narrow to hit from
// here; the descriptor it now writes through is the one it created.)
TEST_CASE(
    "a temporary an interrupt removed does not come back, and the commit says why it failed") {
  auto dir = scratch();
  const auto target = dir / "report.csv";
  auto file = AtomicOutputFile::create(target.string());
  REQUIRE(file);
  daoctl::local::remove_registered_files();  // the watcher thread, on SIGTERM
  daoctl::local::testing::reopen_registry();
  CHECK(names(dir).empty());
  (*file)->stream() << "rows written after the cleanup\n";
  auto committed = (*file)->commit();
  REQUIRE_FALSE(committed);
  CHECK(committed.error().describe().find("cannot move the finished output into place") !=
        std::string::npos);
  file->reset();
  CHECK(names(dir).empty());
  fs::remove_all(dir);
}

TEST_CASE("a write that fails is reported by the commit with its cause, and the temporary goes") {
  auto dir = scratch();
  const auto target = dir / "report.csv";
  auto file = AtomicOutputFile::create(target.string());
  REQUIRE(file);
  // A file size limit makes write(2) fail with EFBIG, as a full disk fails
  // with ENOSPC, without a small file system to fill.
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  (*file)->stream() << std::string(100'000, 'x');
  auto committed = (*file)->commit();
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(committed);
  CHECK(committed.error().describe().find("cannot write the output file") != std::string::npos);
  CHECK(committed.error().describe().find("File too large") != std::string::npos);
  file->reset();
  CHECK(names(dir).empty());
  fs::remove_all(dir);
}
