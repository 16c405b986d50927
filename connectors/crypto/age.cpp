#include "connectors/crypto/age.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "connectors/local/files.hpp"
#include "core/backup/manifest.hpp"

extern char** environ;

namespace daoctl::crypto {

namespace fs = std::filesystem;
namespace {

// A descriptor closed when it goes out of scope or is replaced.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string errno_text() { return std::strerror(errno); }

std::string age_binary() {
  const char* v = std::getenv("DAOCTL_AGE");
  return v && *v ? v : "age";
}

// Ignores SIGPIPE while a pipe to age is written (a dead age is an EPIPE).
struct IgnoreSigpipe {
  struct sigaction old {};
  IgnoreSigpipe() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    ::sigaction(SIGPIPE, &ign, &old);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old, nullptr); }
};

struct Child {
  pid_t pid = -1;
  Fd err;  // a memfd holding age's stderr
};

Result<Child> spawn_age(const std::vector<std::string>& args, int in_fd, int out_fd) {
  int err = ::memfd_create("daoctl-age-stderr", MFD_CLOEXEC);
  if (err < 0) return fail(ErrorKind::Io, "cannot start age", "age", errno_text());
  Child child;
  child.err = Fd(err);
  std::vector<std::string> argv_text = {age_binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  int rc = ::posix_spawnp(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return fail(rc == ENOENT ? ErrorKind::Config : ErrorKind::Io, "cannot run the age binary", argv_text[0],
                std::strerror(rc), "install Debian's age package (scripts/install-deps.sh) or set DAOCTL_AGE");
  return child;
}

// Waits for age; returns its stderr (trimmed) when it failed, nullopt when it succeeded.
std::optional<std::string> wait_age(Child& child) {
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  std::string text(4096, '\0');
  ssize_t n = ::pread(child.err.get(), text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text)
    if (c == '\n') c = ' ';
  if (text.empty())
    text = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                               : fmt::format("exit status {}", WEXITSTATUS(status));
  return text;
}

bool write_all(int fd, const char* p, std::size_t left, int& error) {
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

Error make_error(ErrorKind kind, std::string message, std::string object, std::string detail) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  e.object = std::move(object);
  e.detail = std::move(detail);
  return e;
}

void say(const std::function<void(const std::string&)>& f, const std::string& line) {
  if (f) f(line);
}

}  // namespace

Result<std::vector<std::string>> age_recipient_args(const std::string& value) {
  if (value.starts_with("age1") && value.find_first_of(" \t\n/") == std::string::npos) return std::vector<std::string>{"-r", value};
  std::error_code ec;
  if (fs::is_regular_file(value, ec)) return std::vector<std::string>{"-R", value};
  return fail(ErrorKind::Usage, "--encrypt-to needs an age recipient (age1...) or a recipients file", value,
              "no such file, and not an age1... recipient", "make a key with age-keygen -o KEY; its public key is the recipient");
}

Status check_identity_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return fail(ErrorKind::Config, "cannot read the age identity file", path, errno ? errno_text() : "not a file");
  if ((st.st_mode & 077) != 0)
    return fail(ErrorKind::Config, "the age identity file is readable by others", path,
                fmt::format("mode {:o}; it holds a secret key", st.st_mode & 0777), "chmod 600 " + path);
  return {};
}

Result<local::DownloadResult> download_encrypted(const local::ResumableTarget& target,
                                                 const std::vector<std::string>& recipient_args,
                                                 const local::RangeFetch& fetch,
                                                 const local::DownloadObserver& observer) {
  const std::string& path = target.path;
  const std::string part = path + ".part";
  const std::string base = path.ends_with(".age") ? path.substr(0, path.size() - 4) : path;
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  if (fs::exists(part, ec)) {
    say(observer.info, fmt::format("an interrupted encrypted download of {} is remade from the first byte (an age "
                                   "stream cannot be continued by another process)",
                                   target.object));
    fs::remove(part, ec);
  }
  int raw = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (raw < 0) return fail(ErrorKind::Io, "cannot write the download", part, errno_text());
  Fd out(raw);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(ErrorKind::Io, "cannot start age", part, errno_text());
  Fd pipe_read(pipe_fds[0]);
  Fd pipe_write(pipe_fds[1]);
  std::vector<std::string> args = {"-e"};
  args.insert(args.end(), recipient_args.begin(), recipient_args.end());
  auto child = spawn_age(args, pipe_read.get(), out.get());
  if (!child) {
    fs::remove(part, ec);
    return std::unexpected(std::move(child.error()));
  }
  pipe_read = Fd();
  IgnoreSigpipe ignore_sigpipe;
  backup::Sha256 hash;
  std::uint64_t written = 0;
  int write_errno = 0;
  auto cleanup_fail = [&](Error e) -> Result<local::DownloadResult> {
    pipe_write = Fd();
    (void)wait_age(*child);
    fs::remove(part, ec);
    return std::unexpected(std::move(e));
  };
  local::ByteSink sink = [&](const char* data, std::size_t len) {
    if (!write_all(pipe_write.get(), data, len, write_errno)) return false;
    hash.update(data, len);
    written += len;
    if (observer.progress) observer.progress(written);
    return true;
  };
  int fruitless = 0;
  for (int attempt = 1;; ++attempt) {
    std::uint64_t have = written;
    if (observer.attempt_started) observer.attempt_started(have, target.size);
    Result<long> status = have >= target.size ? Result<long>(206) : fetch(have, sink);
    if (observer.attempt_ended) observer.attempt_ended();
    if (write_errno)
      return cleanup_fail(make_error(ErrorKind::Io, "age stopped reading the archive", part, std::strerror(write_errno)));
    fruitless = written > have ? 0 : fruitless + 1;
    if (!status) {
      auto kind = status.error().kind;
      if ((kind == ErrorKind::Network || kind == ErrorKind::Remote) && attempt < 20 && fruitless < 5) {
        say(observer.warn, fmt::format("download of {} interrupted at byte {}; resuming", target.object, written));
        continue;
      }
      return cleanup_fail(std::move(status.error()));
    }
    if (*status == 200 && have > 0)
      return cleanup_fail(make_error(ErrorKind::Remote, "the server does not resume downloads", target.object,
                                     "an encrypted download cannot take the whole archive again into the same stream"));
    if (written < target.size && attempt < 20 && fruitless < 5) {
      say(observer.warn, fmt::format("download of {} ended early at byte {}; resuming", target.object, written));
      continue;
    }
    break;
  }
  pipe_write = Fd();
  if (auto age_error = wait_age(*child)) {
    fs::remove(part, ec);
    return fail(ErrorKind::Io, "age could not encrypt the archive", target.object, *age_error);
  }
  auto actual = hash.hex();
  if (actual != target.expected_sha256 || written != target.size) {
    fs::remove(part, ec);
    return fail(ErrorKind::Safety, "checksum mismatch: the download was deleted", target.object,
                fmt::format("received {} bytes with sha256 {}; expected {} bytes with sha256 {}", written, actual,
                            target.size, target.expected_sha256),
                "run the download again; if it fails again, the archive on the server is damaged");
  }
  if (::fsync(out.get()) != 0) return fail(ErrorKind::Io, "cannot flush the download", part, errno_text());
  if (auto st = local::write_file_atomic(base + ".sha256",
                                         fmt::format("{}  {}\n", actual, fs::path(base).filename().string()));
      !st)
    return std::unexpected(st.error());
  fs::rename(part, path, ec);
  if (ec) return fail(ErrorKind::Io, "cannot move the download into place", path, ec.message());
  local::DownloadResult result;
  result.path = path;
  result.sha256 = actual;
  result.size = written;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Status with_decrypted(const std::string& file, const std::string& identity,
                      const std::function<Status(int fd)>& read_plain) {
  if (auto st = check_identity_file(identity); !st) return st;
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return fail(ErrorKind::Io, "cannot open /dev/null", file, errno_text());
  Fd devnull(null_fd);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(ErrorKind::Io, "cannot start age", file, errno_text());
  Fd pipe_read(pipe_fds[0]);
  Fd pipe_write(pipe_fds[1]);
  auto child = spawn_age({"-d", "-i", identity, file}, devnull.get(), pipe_write.get());
  if (!child) return std::unexpected(std::move(child.error()));
  pipe_write = Fd();
  Status st = read_plain(pipe_read.get());
  // Whatever the reader left is drained, so age is never blocked writing.
  std::vector<char> buf(1 << 16);
  while (true) {
    ssize_t n = ::read(pipe_read.get(), buf.data(), buf.size());
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    break;
  }
  pipe_read = Fd();
  if (auto age_error = wait_age(*child))
    return fail(ErrorKind::Safety, "the encrypted archive cannot be decrypted: nothing was read from it", file,
                "age: " + *age_error,
                "check --identity (the key the archive was encrypted to) and that the file is complete");
  return st;
}

Result<int> decrypt_to_anonymous_file(const std::string& file, const std::string& identity) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = tmp && *tmp ? tmp : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string path = dir + "/daoctl-restore.XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0) return fail(ErrorKind::Io, "cannot create a temporary file for the decrypted archive", dir, errno_text());
  Fd out(fd);
  int write_errno = 0;
  auto st = with_decrypted(file, identity, [&](int in) -> Status {
    std::vector<char> buf(1 << 20);
    while (true) {
      ssize_t n = ::read(in, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (!write_all(out.get(), buf.data(), static_cast<std::size_t>(n), write_errno))
        return fail(ErrorKind::Io, "cannot write the decrypted archive", dir, std::strerror(write_errno));
    }
    return {};
  });
  if (!st) return std::unexpected(std::move(st.error()));
  ::lseek(out.get(), 0, SEEK_SET);
  return out.release();
}

}  // namespace daoctl::crypto
