// The registry an interrupt empties (connectors/local/interrupt_cleanup): a
// temporary is registered before it exists, so an interrupt at any moment
// removes whatever was created; a name already taken is never ours to remove.
#include "connectors/local/interrupt_cleanup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using daoctl::local::create_registered_temporary;
using daoctl::local::InterruptCleanup;
using daoctl::local::remove_registered_files;
using daoctl::local::sweep_abandoned_temporaries;

namespace {
fs::path scratch() {
  auto dir = fs::temp_directory_path() / ("daoctl-interrupt-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// What the signal handler does, for a process that then goes on (a test):
// the registry it keeps closed until _exit is opened again.
void interrupt() {
  remove_registered_files();
  daoctl::local::testing::reopen_registry();
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

  interrupt();  // what the signal handler calls
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
  interrupt();
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
  interrupt();
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
  interrupt();
  CHECK(fs::exists(dir / "other"));
  fs::remove_all(dir);
}

namespace {
void age(const std::string& path) {  // over the sweep's 10 s
  struct timespec times[2] = {{::time(nullptr) - 60, 0}, {::time(nullptr) - 60, 0}};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}
}  // namespace

TEST_CASE("the sweep removes a killed run's temporaries, never a live one's, a young one or another name") {
  auto dir = scratch();
  const std::string prefix = (dir / ".out.csv.tmp-").string();
  // A killed run's: unlocked and old, a file and a directory with a file in it.
  const std::string dead_file = prefix + "AAAAAAAAAAAA";
  const std::string dead_dir = prefix + "BBBBBBBBBBBB";
  std::ofstream(dead_file) << "half";
  fs::create_directory(dead_dir);
  std::ofstream(dead_dir + "/tmp.x") << "y";
  age(dead_file);
  age(dead_dir);
  // A live run's: held (its lock), however old it looks.
  InterruptCleanup live_cleanup;
  int live_fd = -1;
  const std::string live = create_registered_temporary(prefix, false, live_cleanup, &live_fd);
  REQUIRE_FALSE(live.empty());
  ::close(live_fd);  // the caller's descriptor; the lock stays with the handle
  age(live);
  // Unlocked but young: another run between its creation and its lock.
  const std::string young = prefix + "CCCCCCCCCCCC";
  std::ofstream(young) << "";
  // Not ours: other lengths or characters.
  const std::string other1 = prefix + "DDDD", other2 = prefix + "EEEEEEEEEEE.";
  std::ofstream(other1) << "";
  std::ofstream(other2) << "";
  age(other1);
  age(other2);

  InterruptCleanup next_cleanup;
  const std::string next = create_registered_temporary(prefix, false, next_cleanup);  // sweeps first
  REQUIRE_FALSE(next.empty());
  CHECK_FALSE(fs::exists(dead_file));
  CHECK_FALSE(fs::exists(dead_dir));
  CHECK(fs::exists(live));
  CHECK(fs::exists(young));
  CHECK(fs::exists(other1));
  CHECK(fs::exists(other2));

  live_cleanup.release();  // the live run ends (renamed, say): its lock goes
  age(live);
  sweep_abandoned_temporaries(prefix);
  CHECK_FALSE(fs::exists(live));
  CHECK(fs::exists(next));  // still held
  fs::remove_all(dir);
}

// Jobs take SIGINT/SIGTERM on a watcher thread (commands/common/job_report)
// while the main thread goes on running: it may be creating a temporary at
// the moment the watcher empties the registry, and the watcher then spends
// a while writing the summary before _exit. CI saw a staggered SIGTERM
// leave `.race.xlsx.tmp-*` so. Once the registry is emptied, no thread may
// register (and create) another temporary.
TEST_CASE("after an interrupt empties the registry, another thread creates no temporary") {
  auto dir = scratch();
  const std::string prefix = (dir / ".out.tmp-").string();
  std::atomic<bool> stop{false};
  std::atomic<int> created{0};
  std::thread worker([&] {  // a run's main thread, writing outputs one after another
    while (!stop) {
      InterruptCleanup cleanup;
      int fd = -1;
      const std::string path = create_registered_temporary(prefix, false, cleanup, &fd);
      if (path.empty()) continue;
      ++created;
      std::this_thread::sleep_for(std::chrono::microseconds(300));
      ::close(fd);
      ::unlink(path.c_str());  // as a failed output's destructor does
    }
  });
  while (created < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  remove_registered_files();  // the watcher thread, on SIGTERM
  // It writes the summary and the metrics before _exit: the worker runs on.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.push_back(entry.path().filename().string());
  CHECK(left.empty());
  stop = true;
  daoctl::local::testing::reopen_registry();  // only a test lives on after an interrupt
  worker.join();
  fs::remove_all(dir);
}

TEST_CASE("an interrupt removes a registered directory while another thread adds files to it") {
  auto dir = scratch();
  InterruptCleanup dir_cleanup;
  const std::string sub = create_registered_temporary((dir / "xlsx-").string(), true, dir_cleanup);
  REQUIRE_FALSE(sub.empty());
  std::atomic<bool> stop{false};
  std::atomic<int> added{0};
  std::thread library([&] {  // libxlsxwriter making tmp.XXXXXXXXXX in it, on the main thread
    for (int i = 0; !stop; ++i) {
      const int fd = ::open((sub + "/tmp." + std::to_string(i)).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd >= 0) {
        ::close(fd);
        ++added;
      }
    }
  });
  while (added < 50) std::this_thread::yield();
  remove_registered_files();
  stop = true;
  library.join();
  CHECK_FALSE(fs::exists(sub));
  daoctl::local::testing::reopen_registry();
  fs::remove_all(dir);
}
