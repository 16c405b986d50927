// The local file system as jobs use it: one lock per job, atomic writes, and
// the state directory that holds journals and last-run facts.
#pragma once

#include <string>

#include "core/error.hpp"

namespace daoctl::local {

// strerror(errno): the detail of an Io error, read right after the failing call.
std::string errno_text();

// An exclusive lock held for the life of the object (flock(2) on a lock
// file). The kernel drops it when the process dies, so a killed run never
// leaves a stale lock behind; the file records the holder's pid for messages.
class JobLock {
 public:
  // Errors: Locked (another process holds it; the message names its pid),
  // Io (cannot create the lock file).
  static Result<JobLock> acquire(const std::string& path, const std::string& what);
  JobLock(JobLock&& other) noexcept;
  JobLock& operator=(JobLock&& other) noexcept;
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;
  ~JobLock();

 private:
  explicit JobLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Writes `content` to `path` through a temporary file in the same directory,
// fsync and rename(2): readers see the old file or the new one, never half;
// the directory is fsynced after the rename, so the new file survives a crash.
Status write_file_atomic(const std::string& path, const std::string& content, int mode = 0644);

// Appends `text` to `path` (created with `mode` if missing; an existing
// file's mode is left alone) and fsyncs it - and its directory when the file
// is new - before returning: when this returns, the text survives a crash of
// the process or the machine. For the audit log, whose lines must be on disk
// before the action they announce is sent.
Status append_durable(const std::string& path, const std::string& text, int mode = 0600);

// Opens `path` for writing, truncated, created with `mode` (0600 for files
// that name people: results journals, reports). Returns the fd or an Io error.
Result<int> open_private(const std::string& path, bool truncate, int mode = 0600);

// write(2) until all `size` bytes are written (again on EINTR): 0, or the
// errno of the write that failed.
int write_all(int fd, const char* data, std::size_t size);

// Creates a directory and its parents (mode 0700 for new ones).
Status make_dirs(const std::string& path);

// Reads a whole file. Errors: NotFound, Io.
Result<std::string> read_file(const std::string& path);

// The state directory: $DAOCTL_STATE_DIR, else $XDG_STATE_HOME/daoctl, else
// ~/.local/state/daoctl (root without HOME: /var/lib/daoctl).
std::string default_state_dir();

}  // namespace daoctl::local
