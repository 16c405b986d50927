// Writing the config file (~/.config/daoctl/config.yaml): the I/O half of
// core/config/config_files, whose text it writes.
#pragma once

#include <string>

#include "core/config/config.hpp"
#include "core/error.hpp"

namespace daoctl::local {

// Writes `file` to `path` with mode 0600 through write_file_atomic (a
// registered temporary in the same directory, fsync, rename(2)): a reader
// never sees a half-written file, and an interrupt leaves no temporary behind.
// An existing file keeps its comments. Creates the parent directory (0700)
// when missing. Errors: Io.
Status write_config_file(const std::string& path, const config::ConfigFile& file);

}  // namespace daoctl::local
