#include "core/config/config_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace daoctl::config {

namespace {

std::chrono::milliseconds secret_command_limit{120'000};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string errno_text(int err) { return std::strerror(err); }

Result<std::string> read_whole_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::Config, "cannot read " + what, path, errno_text(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", static_cast<unsigned>(mode & 0777));
  return buf;
}

}  // namespace

Status check_private_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(ErrorKind::Config, "cannot read " + what, path, errno_text(errno));
  }
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    return fail(ErrorKind::Config, "refusing to use " + what + " readable by group or others",
                path, "it holds a secret and its mode is " + mode_text(st.st_mode),
                "chmod 600 " + path);
  }
  return {};
}

Status check_config_owner(const std::string& path, const struct stat& st, uid_t me) {
  // Whoever can write the file decides its token_command (run as you) and
  // where your token is sent (url), so, as ssh does for ~/.ssh/config, the
  // file must be yours (or root's) and writable by nobody else.
  if (st.st_uid != me && st.st_uid != 0)
    return fail(ErrorKind::Config, "refusing to use a config file owned by another user", path,
                "it is owned by uid " + std::to_string(st.st_uid) + ", not by you (uid " + std::to_string(me) +
                    "); its token_command would run as you",
                "copy it to a file of your own (cp " + path + " ~/.config/daoctl/config.yaml) or chown it");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fail(ErrorKind::Config, "refusing to use a config file writable by group or others", path,
                "its mode is " + mode_text(st.st_mode) +
                    "; whoever can write it chooses the token_command run as you and the URL your token goes to",
                "chmod go-w " + path);
  return {};
}

Result<std::optional<ConfigFile>> load_config_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<ConfigFile>{};
  {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail(ErrorKind::Config, "cannot read config file", path, errno_text(errno));
    // A device or pipe (--config /dev/null, <(...)) is read as it is.
    if (S_ISREG(st.st_mode))
      if (auto ok = check_config_owner(path, st, ::geteuid()); !ok) return std::unexpected(ok.error());
  }
  auto text = read_whole_file(path, "config file");
  if (!text) return std::unexpected(text.error());
  auto file = parse_config(*text, path);
  if (!file) return std::unexpected(file.error());
  if (file->has_inline_token()) {
    if (auto ok = check_private_file(path, "config file with an inline token"); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return std::optional<ConfigFile>(std::move(*file));
}

std::string config_file_text(const std::optional<std::string>& existing, const ConfigFile& file) {
  // An existing file is edited line by line, so its comments stay.
  return existing ? update_config_text(*existing, file) : serialize_config(file);
}

Status check_secret_text(std::string_view secret, const std::string& what, const std::string& origin) {
  const auto bad = secret.find_first_of(std::string_view("\r\n\0", 3));
  if (bad == std::string_view::npos) return {};
  const char* name = secret[bad] == '\r' ? "a carriage return (CR)" : secret[bad] == '\n' ? "a line feed (LF)" : "a NUL byte";
  return fail(ErrorKind::Config, "the " + what + " contains " + name, origin,
              "a secret is one line (it goes into a request header or an LDAP bind); nothing was sent",
              "remove the stray line break (for an environment variable: export it without the newline)");
}

namespace {

Result<std::string> read_secret_text(const TokenSource& source) {
  switch (source.kind) {
    case TokenSource::Kind::Env:
    case TokenSource::Kind::Inline:
      return source.value;
    case TokenSource::Kind::File: {
      if (auto ok = check_private_file(source.value, source.what + " file"); !ok) {
        return std::unexpected(ok.error());
      }
      auto text = read_whole_file(source.value, source.what + " file");
      if (!text) return std::unexpected(text.error());
      auto token = trim(std::move(*text));
      if (token.empty()) {
        return fail(ErrorKind::Config, source.what + " file is empty", source.value,
                    "used by " + source.origin);
      }
      return token;
    }
    case TokenSource::Kind::Command: {
      const std::string command_key = source.key + "_command";
      std::fflush(nullptr);
      // sh -c COMMAND in its own process group, its stdout read through a
      // pipe with a time limit (popen has none); stdin and stderr stay the
      // terminal's, so a prompt (pinentry, an MFA push) still works.
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0)
        return fail(ErrorKind::Config, "cannot run " + command_key, source.origin, errno_text(errno));
      const pid_t pid = ::fork();
      if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return fail(ErrorKind::Config, "cannot run " + command_key, source.origin, errno_text(err));
      }
      if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(fds[1], STDOUT_FILENO);
        ::execl("/bin/sh", "sh", "-c", source.value.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
      ::setpgid(pid, pid);
      ::close(fds[1]);
      std::string out;
      bool timed_out = false;
      const auto deadline = std::chrono::steady_clock::now() + secret_command_limit;
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          timed_out = true;
          break;
        }
        struct pollfd p {fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
      }
      ::close(fds[0]);
      if (timed_out) ::kill(-pid, SIGKILL);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (timed_out) {
        const auto ms = secret_command_limit.count();
        return fail(ErrorKind::Config, command_key + " did not finish in time", source.origin,
                    ms % 1000 == 0 ? "it was stopped after " + std::to_string(ms / 1000) + " s"
                                   : "it was stopped after " + std::to_string(ms) + " ms",
                    "run the command by hand: it may be waiting for a login or a network");
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string why = WIFEXITED(status) ? "it exited with status " + std::to_string(WEXITSTATUS(status))
                                                  : "it was killed by a signal";
        return fail(ErrorKind::Config, command_key + " failed", source.origin, why,
                    "run the command by hand to see its error");
      }
      auto token = trim(std::move(out));
      if (token.empty()) {
        return fail(ErrorKind::Config, command_key + " printed no " + source.what, source.origin);
      }
      return token;
    }
    case TokenSource::Kind::None:
      break;
  }
  return std::string();
}

}  // namespace

void set_secret_command_time_limit(std::chrono::milliseconds limit) { secret_command_limit = limit; }

Result<std::string> read_token(const TokenSource& source) {
  if (source.kind != TokenSource::Kind::None) {
    auto secret = read_secret_text(source);
    if (!secret) return secret;
    std::string where = source.origin;
    if (source.kind == TokenSource::Kind::File) where = source.value + " (" + source.origin + ")";
    if (source.kind == TokenSource::Kind::Command) where = source.key + "_command of " + source.origin;
    if (auto ok = check_secret_text(*secret, source.what, where); !ok) return std::unexpected(ok.error());
    return secret;
  }
  return fail(ErrorKind::Auth, "no API token configured", "",
              "neither DAOCTL_TOKEN nor a context token_file/token_command is set",
              "export DAOCTL_TOKEN, or run: daoctl config set-context NAME --url URL "
              "--token-file PATH");
}

}  // namespace daoctl::config
