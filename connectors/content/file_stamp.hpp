// What identifies a source file's content cheaply, for readers that validate
// a file in one pass and read it again later (a JSON Lines manifest's posts,
// a Mattermost export's posts): a file whose stamp changed in between is
// refused rather than sent half-checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <system_error>

namespace daoctl::content {

// A rewrite changes one of these (size or modification time).
struct FileStamp {
  std::uintmax_t size = 0;
  std::filesystem::file_time_type modified;
  bool operator==(const FileStamp&) const = default;
};

inline FileStamp stamp_of(const std::filesystem::path& file) {
  std::error_code ec;
  FileStamp s;
  s.size = std::filesystem::file_size(file, ec);
  s.modified = std::filesystem::last_write_time(file, ec);
  return s;
}

}  // namespace daoctl::content
