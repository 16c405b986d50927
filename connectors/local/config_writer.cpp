#include "connectors/local/config_writer.hpp"

#include <filesystem>
#include <optional>

#include "connectors/local/files.hpp"
#include "core/config/config_files.hpp"

namespace daoctl::local {

Status write_config_file(const std::string& path, const config::ConfigFile& file) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorKind::Io, "cannot create config directory", dir.string(), ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  std::optional<std::string> existing;
  if (fs::exists(target, ec)) {
    auto text = read_file(path);
    if (!text) return std::unexpected(text.error());
    existing = std::move(*text);
  }
  // The temporary is created 0600 before anything is written to it, so the
  // token in it is never readable by others.
  return write_file_atomic(path, config::config_file_text(existing, file), 0600);
}

}  // namespace daoctl::local
