// Temporary files that an interrupt (Ctrl-C, SIGTERM) must not leave behind.
// cli/'s signal handler ends the process at once with _exit(130), so no
// destructor runs; it calls remove_registered_files(), which unlinks every
// registered path with async-signal-safe calls only. A file is registered
// while it is a temporary (an atomic output file before its rename, a plan or
// config file before it replaces the old one, a private directory given to a
// library that makes its own files in it).
//
// It lives here, under every writer of temporaries (connectors/local's
// write_file_atomic and config writer, commands/stats' outputs), not in
// commands/: a registry above a writer cannot see its temporaries.
#pragma once

#include <string>

namespace daoctl::local {

// Registers `path` (a file, or with `directory` a directory of ours: after
// the files, the handler unlinks what is directly in it, then removes it)
// until the returned handle is destroyed or released.
// Up to 16 paths at once (more are not registered: the file is then only
// removed by its owner's destructor); paths up to 4095 bytes.
class InterruptCleanup {
 public:
  InterruptCleanup() = default;
  explicit InterruptCleanup(const std::string& path, bool directory = false);
  ~InterruptCleanup() { release(); }
  InterruptCleanup(InterruptCleanup&& other) noexcept : slot_(other.slot_), lock_fd_(other.lock_fd_) {
    other.slot_ = -1;
    other.lock_fd_ = -1;
  }
  InterruptCleanup& operator=(InterruptCleanup&& other) noexcept;
  InterruptCleanup(const InterruptCleanup&) = delete;
  InterruptCleanup& operator=(const InterruptCleanup&) = delete;
  // The file is no longer temporary (renamed into place): forget it, and
  // drop the lock that marks it as in use.
  void release();
  // Keeps `fd` (which holds flock(LOCK_EX) on the temporary) open until
  // release: while it is, no other run's sweep takes the temporary for a
  // killed run's leftover.
  void hold_lock(int fd);

 private:
  int slot_ = -1;
  int lock_fd_ = -1;  // holds flock(LOCK_EX) on the temporary while it is ours
};

// Creates a new file (O_CREAT|O_EXCL, mode 0600; `*fd` gets the open
// descriptor) or, with `directory`, a new directory (mode 0700) named `prefix`
// followed by 12 random characters, and registers it in `cleanup` *before* it
// exists: no interrupt can fall between its creation and its registration.
// (mkstemp(3) then a registration has such a gap; a Ctrl-C there left the
// file behind.) Returns the path, or "" with errno set.
//
// kill -9 and power cuts run no handler. So the temporary is held under
// flock(LOCK_EX) while it is ours (until `cleanup` is released or destroyed,
// or the process dies), and each call first sweeps what a killed run left
// under the same prefix: an entry named `prefix` + 12 characters of the
// alphabet that nobody holds locked and that is over 10 s old (the age
// covers the instant between another run's creation and its lock) is
// removed, a directory with what is directly in it.
std::string create_registered_temporary(const std::string& prefix, bool directory, InterruptCleanup& cleanup,
                                        int* fd = nullptr);

// $TMPDIR, else /tmp: where temporaries not beside an output go.
std::string temporary_directory();

// The sweep alone (create_registered_temporary runs it first): for the
// directory of `prefix`. Never fails; what cannot be removed stays.
void sweep_abandoned_temporaries(const std::string& prefix) noexcept;

// Called from the signal handler: unlink(2) each registered file, then for
// each registered directory unlink(2) its entries (one level: libxlsxwriter's
// tmp.XXXXXXXXXX files, which it creates and unlinks a moment later) and
// rmdir(2) it. Async-signal-safe (open, getdents64, unlinkat, rmdir).
//
// It keeps the registry closed until the process ends: a registration from
// another thread (a job's main thread goes on while its watcher thread
// cleans up) waits, so no temporary appears after the cleanup.
void remove_registered_files() noexcept;

namespace testing {
// Lets registrations in again after remove_registered_files(): only a test
// goes on living after an interrupt.
void reopen_registry() noexcept;
}  // namespace testing

}  // namespace daoctl::local
