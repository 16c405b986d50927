#include "connectors/local/interrupt_cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>

namespace daoctl::local {

namespace {

constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;

// A slot is owned by whoever moved `state` from 0 (free) to 1 (being
// written); it becomes visible to the handler at 2 (ready), and is freed by
// going back through 1. The handler reads only slots at 2.
struct Slot {
  std::atomic<int> state{0};
  bool directory = false;
  char path[kPathMax] = {};
};
Slot slots[kSlots];

static_assert(std::atomic<int>::is_always_lock_free, "the handler needs lock-free atomics");

// Who may register: the id of the thread holding the registry, 0 if free. A
// registration (slot, then the file) holds it; remove_registered_files()
// takes it and keeps it until _exit, so no temporary appears after the
// registry was emptied. That matters when the cleanup runs beside the
// thread that creates temporaries: a job's watcher thread takes SIGINT and
// SIGTERM while the main thread goes on (commands/common/job_report), and
// it writes the summary before _exit - CI saw a staggered SIGTERM leave an
// output's temporary that the main thread created meanwhile. The holder is
// a thread id, not a mutex: a signal handler that interrupts its own
// thread's registration finds itself the holder and goes on (the file is
// registered before it exists, so what it sees is right).
std::atomic<pid_t> registry_holder{0};
static_assert(std::atomic<pid_t>::is_always_lock_free, "the handler needs lock-free atomics");

void pause_briefly() noexcept {
  const struct timespec wait {0, 100'000};  // 0.1 ms
  ::nanosleep(&wait, nullptr);
}

// Takes the registry for this thread, waiting while another thread holds
// it; false if this thread already held it (nothing to give back). With a
// bound (the cleanup's: it must not hang a process that is ending), goes on
// without it when the holder does not let go in time.
bool take_registry(pid_t self, int max_waits = -1) noexcept {
  if (registry_holder.load() == self) return false;
  for (int waits = 0;; ++waits) {
    pid_t expected = 0;
    if (registry_holder.compare_exchange_strong(expected, self)) return true;
    if (max_waits >= 0 && waits >= max_waits) return false;
    pause_briefly();
  }
}

// For one registration; reentrant in the holder's thread.
class RegistryGuard {
 public:
  RegistryGuard() : taken_(take_registry(::gettid())) {}
  ~RegistryGuard() {
    if (taken_) registry_holder.store(0);
  }
  RegistryGuard(const RegistryGuard&) = delete;
  RegistryGuard& operator=(const RegistryGuard&) = delete;

 private:
  bool taken_;
};

}  // namespace

InterruptCleanup::InterruptCleanup(const std::string& path, bool directory) {
  if (path.empty() || path.size() >= kPathMax) return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (!slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
    slots[i].directory = directory;
    slots[i].state.store(2);
    slot_ = i;
    return;
  }
}

InterruptCleanup& InterruptCleanup::operator=(InterruptCleanup&& other) noexcept {
  if (this != &other) {
    release();
    slot_ = other.slot_;
    lock_fd_ = other.lock_fd_;
    other.slot_ = -1;
    other.lock_fd_ = -1;
  }
  return *this;
}

void InterruptCleanup::hold_lock(int fd) {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = fd;
}

void InterruptCleanup::release() {
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  if (slot_ < 0) return;
  slots[slot_].state.store(1);
  slots[slot_].path[0] = '\0';
  slots[slot_].state.store(0);
  slot_ = -1;
}

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kRandomChars = 12;
constexpr int kAbandonedAfterSeconds = 10;

// An flock(LOCK_EX) held on `path` until the fd is closed; -1 if it cannot
// be opened or locked (with LOCK_NB: someone holds it).
int lock_path(const std::string& path, bool directory, bool wait) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string temporary_directory() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

void sweep_abandoned_temporaries(const std::string& prefix) noexcept {
  try {
    namespace fs = std::filesystem;
    const fs::path p(prefix);
    const std::string stem = p.filename().string();
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    const auto now = std::chrono::system_clock::now();
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() != stem.size() + kRandomChars || name.compare(0, stem.size(), stem) != 0) continue;
      if (name.find_first_not_of(kAlphabet, stem.size()) != std::string::npos) continue;
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;
      const bool is_dir = S_ISDIR(st.st_mode);
      if (!is_dir && !S_ISREG(st.st_mode)) continue;
      if (st.st_uid != ::geteuid()) continue;  // never another user's
      const auto modified = std::chrono::system_clock::from_time_t(st.st_mtime);
      if (now - modified < std::chrono::seconds(kAbandonedAfterSeconds)) continue;
      const int fd = lock_path(it->path().string(), is_dir, false);
      if (fd < 0) continue;  // a live run holds it
      std::error_code ignored;
      if (is_dir) fs::remove_all(it->path(), ignored);
      else fs::remove(it->path(), ignored);
      ::close(fd);
    }
  } catch (...) {
    // A sweep is housekeeping: it never fails the run.
  }
}

std::string create_registered_temporary(const std::string& prefix, bool directory, InterruptCleanup& cleanup,
                                        int* fd) {
  sweep_abandoned_temporaries(prefix);
  const RegistryGuard guard;
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned char random[kRandomChars];
    if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) return {};
    std::string path = prefix;
    for (unsigned char r : random) path += kAlphabet[r % (sizeof kAlphabet - 1)];
    cleanup = InterruptCleanup(path, directory);
    int rc = directory ? ::mkdir(path.c_str(), 0700)
                       : ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (rc >= 0) {
      // Locked at once (a sweep also waits 10 s before it takes an unlocked
      // one), and the lock is held by `cleanup` while the temporary is ours.
      if (directory) {
        cleanup.hold_lock(lock_path(path, true, true));
      } else {
        ::flock(rc, LOCK_EX);
        if (fd != nullptr) {
          *fd = rc;
          cleanup.hold_lock(::fcntl(rc, F_DUPFD_CLOEXEC, 0));
        } else {
          cleanup.hold_lock(rc);
        }
      }
      return path;
    }
    // Someone else's file by that name (or an error): it must never be ours
    // to remove.
    const int saved = errno;
    cleanup.release();
    errno = saved;
    if (saved != EEXIST) return {};
  }
  errno = EEXIST;
  return {};
}

namespace {

// Unlinks the entries directly in `dir` (not "." and ".."; a subdirectory
// stays, and then so does `dir`). Only async-signal-safe calls.
void empty_directory(const char* dir) noexcept {
  const int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  alignas(8) char buffer[4096];
  for (;;) {
    const ssize_t n = ::getdents64(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + at);
      at += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      ::unlinkat(fd, name, 0);
    }
  }
  ::close(fd);
}

}  // namespace

void remove_registered_files() noexcept {
  // Kept until _exit. A registration in progress elsewhere takes
  // microseconds; 2 s (20,000 waits) bounds a holder stuck in flock(2).
  take_registry(::gettid(), 20'000);
  for (int pass = 0; pass < 2; ++pass)
    for (auto& slot : slots)
      if (slot.state.load() == 2 && slot.directory == (pass == 1)) {
        if (slot.directory) {
          // Another thread may be adding files to it (libxlsxwriter on the
          // main thread, while a job's watcher thread cleans up): empty it
          // again until it can be removed.
          for (int attempt = 0; attempt < 1000; ++attempt) {
            empty_directory(slot.path);
            if (::rmdir(slot.path) == 0 || errno != ENOTEMPTY) break;
          }
        } else {
          ::unlink(slot.path);
        }
      }
}

namespace testing {
void reopen_registry() noexcept { registry_holder.store(0); }
}  // namespace testing

}  // namespace daoctl::local
