// Waiting for files to change (sync watch with HR file sources): inotify on
// each file's directory, so an export that replaces the file (written
// elsewhere, then renamed over it, as most exporters and rsync do) is seen
// as well as one written in place.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace daoctl::local {

// Blocks until `should_stop()` (asked at least every second), calling
// `on_change(path)` each time one of `paths` is closed after writing, moved
// into place, or deleted. `on_live` once the watches are in place. Errors:
// Io (inotify unavailable, a directory that cannot be watched). A file on a
// network share written by another machine may send no event: callers poll
// as well.
Status watch_files(const std::vector<std::string>& paths, const std::function<void(const std::string&)>& on_change,
                   const std::function<void()>& on_live, const std::function<bool()>& should_stop);

}  // namespace daoctl::local
