#include "commands/common/interrupt_cleanup.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace daoctl::commands {

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

void remove_registered_files() noexcept {
  for (int pass = 0; pass < 2; ++pass)
    for (auto& slot : slots)
      if (slot.state.load() == 2 && slot.directory == (pass == 1)) {
        if (slot.directory) ::rmdir(slot.path);
        else ::unlink(slot.path);
      }
}

}  // namespace daoctl::commands
