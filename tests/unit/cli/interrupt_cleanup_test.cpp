// The registry an interrupt empties (commands/common/interrupt_cleanup): a
// temporary is registered before it exists, so an interrupt at any moment
// removes whatever was created; a name already taken is never ours to remove.
#include "connectors/local/interrupt_cleanup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using daoctl::local::create_registered_temporary;
using daoctl::local::InterruptCleanup;
using daoctl::local::remove_registered_files;

namespace {
fs::path scratch() {
  auto dir = fs::temp_directory_path() / ("daoctl-interrupt-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("a registered temporary file and directory are removed by an interrupt, files first") {
  auto dir = scratch();
  InterruptCleanup dir_cleanup, file_cleanup;
  std::string sub = create_registered_temporary((dir / "work-").string(), true, dir_cleanup);
  REQUIRE_FALSE(sub.empty());
  REQUIRE(fs::is_directory(sub));
  CHECK(fs::path(sub).filename().string().size() == std::string("work-").size() + 12);
  int fd = -1;
  std::string file = create_registered_temporary(sub + "/.out.tmp-", false, file_cleanup, &fd);
  REQUIRE_FALSE(file.empty());
  REQUIRE(fd >= 0);
  CHECK(::write(fd, "x", 1) == 1);
  ::close(fd);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(sub.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  remove_registered_files();  // what the signal handler calls
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(fs::exists(sub));
  fs::remove_all(dir);
}

TEST_CASE("an interrupt empties a registered directory of files it did not register") {
  // libxlsxwriter makes tmp.XXXXXXXXXX in the directory it is given and
  // unlinks it a moment later; an interrupt in between must not leave it.
  auto dir = scratch();
  InterruptCleanup dir_cleanup;
  std::string sub = create_registered_temporary((dir / "xlsx-").string(), true, dir_cleanup);
  REQUIRE_FALSE(sub.empty());
  for (int i = 0; i < 300; ++i)  // more entries than one getdents64 buffer holds
    std::ofstream(sub + "/tmp." + std::to_string(i) + std::string(20, 'x')) << i;
  std::ofstream(dir / "beside") << "not ours";
  remove_registered_files();
  CHECK_FALSE(fs::exists(sub));
  CHECK(fs::exists(dir / "beside"));
  fs::remove_all(dir);
}

TEST_CASE("a released temporary survives an interrupt") {
  auto dir = scratch();
  InterruptCleanup cleanup;
  std::string file = create_registered_temporary((dir / "kept-").string(), false, cleanup);
  REQUIRE_FALSE(file.empty());
  cleanup.release();  // renamed into place, say
  remove_registered_files();
  CHECK(fs::exists(file));
  fs::remove_all(dir);
}

TEST_CASE("creating a temporary where it cannot be made fails with errno and registers nothing") {
  auto dir = scratch();
  InterruptCleanup cleanup;
  errno = 0;
  CHECK(create_registered_temporary((dir / "missing" / "x-").string(), false, cleanup).empty());
  CHECK(errno == ENOENT);
  // Nothing is registered: an interrupt now leaves someone else's file alone.
  std::ofstream(dir / "other") << "theirs";
  remove_registered_files();
  CHECK(fs::exists(dir / "other"));
  fs::remove_all(dir);
}
