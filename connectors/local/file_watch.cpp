#include "connectors/local/file_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace daoctl::local {

Status watch_files(const std::vector<std::string>& paths, const std::function<void(const std::string&)>& on_change,
                   const std::function<void()>& on_live, const std::function<bool()>& should_stop) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return fail(ErrorKind::Io, "cannot watch files for changes", "inotify", std::strerror(errno));
  // Per watched directory: the names in it that are ours, and their paths.
  std::map<int, std::map<std::string, std::string>> names;
  for (const auto& path : paths) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const int wd = ::inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE);
    if (wd < 0) {
      const int err = errno;
      ::close(fd);
      return fail(ErrorKind::Io, "cannot watch the directory of", path, std::strerror(err));
    }
    names[wd][name] = path;
  }
  on_live();
  alignas(inotify_event) char buffer[8192];
  while (!should_stop()) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 1000);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        if (event->len == 0) continue;
        // IN_CREATE alone is an empty file being started: wait for its close.
        if ((event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE)) == 0) continue;
        auto dir = names.find(event->wd);
        if (dir == names.end()) continue;
        auto file = dir->second.find(event->name);
        if (file != dir->second.end()) on_change(file->second);
      }
    }
  }
  ::close(fd);
  return {};
}

}  // namespace daoctl::local
