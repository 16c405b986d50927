#include "connectors/local/files.hpp"

#include "connectors/local/interrupt_cleanup.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace daoctl::local {

std::string errno_text() { return std::strerror(errno); }

Result<JobLock> JobLock::acquire(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorKind::Io, "cannot create lock file", path, errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("?");
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return fail(ErrorKind::Locked, what + " is already running", path,
                  "held by process " + holder, "wait for it to finish; the lock is freed when it exits");
    }
    return fail(ErrorKind::Io, "cannot lock", path, std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t w = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return JobLock(fd);
}

JobLock::JobLock(JobLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

JobLock& JobLock::operator=(JobLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

JobLock::~JobLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Status make_dirs(const std::string& path) {
  if (path.empty()) return {};
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      return fail(ErrorKind::Io, "cannot create directory", partial, errno_text());
  }
  return {};
}

// fsync(2) on a directory: a file just created or renamed into it survives a
// crash of the machine, not only of the process.
static Status sync_dir(const std::string& dir, const std::string& path) {
  int fd = ::open(dir.empty() ? "/" : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Io, "cannot open the directory of", path, errno_text());
  int rc = ::fsync(fd);
  int err = rc != 0 ? errno : 0;
  std::string why = rc != 0 ? errno_text() : "";
  ::close(fd);
  // EINVAL: a file system that cannot sync directories (nothing to do).
  if (rc != 0 && err != EINVAL) return fail(ErrorKind::Io, "cannot flush the directory of", path, why);
  return {};
}

int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

Status write_file_atomic(const std::string& path, const std::string& content, int mode) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  // The temporary is registered before it exists, so a Ctrl-C or SIGTERM
  // between its creation and the rename leaves nothing behind.
  const std::string prefix = dir + "/." + path.substr(slash == std::string::npos ? 0 : slash + 1) + ".";
  InterruptCleanup on_interrupt;
  int fd = -1;
  const std::string tmp = create_registered_temporary(prefix, false, on_interrupt, &fd);
  if (tmp.empty()) return fail(ErrorKind::Io, "cannot create temporary file", prefix + "*", errno_text());
  if (const int err = write_all(fd, content.data(), content.size()); err != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(ErrorKind::Io, "cannot write", path, std::strerror(err));
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) {
    std::string why = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(ErrorKind::Io, "cannot write", path, why);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail(ErrorKind::Io, "cannot replace", path, why);
  }
  on_interrupt.release();  // it is `path` now
  return sync_dir(dir, path);
}

Result<int> open_private(const std::string& path, bool truncate, int mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND),
                  static_cast<mode_t>(mode));
  if (fd < 0) return fail(ErrorKind::Io, "cannot open for writing", path, errno_text());
  return fd;
}

Status append_durable(const std::string& path, const std::string& text, int mode) {
  struct stat st {};
  const bool is_new = ::stat(path.c_str(), &st) != 0;
  auto fd = open_private(path, false, mode);
  if (!fd) return std::unexpected(fd.error());
  if (const int err = write_all(*fd, text.data(), text.size()); err != 0) {
    ::close(*fd);
    return fail(ErrorKind::Io, "cannot append to", path, std::strerror(err));
  }
  if (::fsync(*fd) != 0) {
    std::string why = errno_text();
    ::close(*fd);
    return fail(ErrorKind::Io, "cannot flush", path, why);
  }
  ::close(*fd);
  if (!is_new) return {};
  auto slash = path.rfind('/');
  return sync_dir(slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash)), path);
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return fail(ErrorKind::NotFound, "no such file", path);
    return fail(ErrorKind::Io, "cannot read", path, errno_text());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string default_state_dir() {
  if (const char* d = std::getenv("DAOCTL_STATE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/daoctl";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/daoctl";
  return "/var/lib/daoctl";
}

}  // namespace daoctl::local
