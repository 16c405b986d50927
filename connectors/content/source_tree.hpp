// A read-only tree of source files: an unpacked folder or a zip/tar archive.
//
// Archives are read safely: entry names are untrusted text, so a name that
// is absolute, has a ".." segment, a backslash, a drive letter or a control
// character is refused (zip-slip) rather than mapped anywhere; entry count,
// entry size and total size are bounded by counting the bytes actually
// inflated (archive headers may lie). Nothing is ever written to disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace daoctl::content {

struct ArchiveLimits {
  std::size_t max_entries = 200'000;
  std::uint64_t max_entry_bytes = 512ull << 20;
  std::uint64_t max_total_bytes = 4ull << 30;
};

class SourceTree {
 public:
  virtual ~SourceTree() = default;
  // Relative paths ("general/2018-01-20.json"), '/'-separated, sorted.
  virtual const std::vector<std::string>& files() const = 0;
  virtual Result<std::string> read(const std::string& relative) const = 0;
  // "export.zip:general/2018-01-20.json" or the folder path joined: for messages.
  virtual std::string display(const std::string& relative) const = 0;
  bool contains(const std::string& relative) const;
};

// Checks one archive entry name; the normalised relative path, or a Safety
// error naming the entry (printable form) and why it is refused.
Result<std::string> safe_entry_name(std::string_view name);

Result<std::unique_ptr<SourceTree>> open_folder(const std::filesystem::path& root);
Result<std::unique_ptr<SourceTree>> open_archive(const std::filesystem::path& file, const ArchiveLimits& limits = {});

}  // namespace daoctl::content
