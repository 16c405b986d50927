#include "connectors/local/interrupt_cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
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
    other.slot_ = -1;
  }
  return *this;
}

void InterruptCleanup::release() {
  if (slot_ < 0) return;
  slots[slot_].state.store(1);
  slots[slot_].path[0] = '\0';
  slots[slot_].state.store(0);
  slot_ = -1;
}

std::string create_registered_temporary(const std::string& prefix, bool directory, InterruptCleanup& cleanup,
                                        int* fd) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned char random[12];
    if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) return {};
    std::string path = prefix;
    for (unsigned char r : random) path += alphabet[r % (sizeof alphabet - 1)];
    cleanup = InterruptCleanup(path, directory);
    int rc = directory ? ::mkdir(path.c_str(), 0700)
                       : ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (rc >= 0) {
      if (!directory) {
        if (fd != nullptr) *fd = rc;
        else ::close(rc);
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
  for (int pass = 0; pass < 2; ++pass)
    for (auto& slot : slots)
      if (slot.state.load() == 2 && slot.directory == (pass == 1)) {
        if (slot.directory) {
          empty_directory(slot.path);
          ::rmdir(slot.path);
        } else {
          ::unlink(slot.path);
        }
      }
}

}  // namespace daoctl::local
