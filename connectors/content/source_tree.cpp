#include "connectors/content/source_tree.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace daoctl::content {

namespace {

// Names are shown escaped: control bytes as \xNN, so a hostile name cannot
// rewrite the terminal.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

class FolderTree : public SourceTree {
 public:
  FolderTree(std::filesystem::path root, std::vector<std::string> files) : root_(std::move(root)), files_(std::move(files)) {}
  const std::vector<std::string>& files() const override { return files_; }
  Result<std::string> read(const std::string& relative) const override {
    if (!std::binary_search(files_.begin(), files_.end(), relative))
      return fail(ErrorKind::NotFound, "no such file in the source", display(relative));
    std::ifstream in(root_ / relative, std::ios::binary);
    if (!in) return fail(ErrorKind::Io, "cannot read the file", display(relative), std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  std::string display(const std::string& relative) const override { return (root_ / relative).string(); }

 private:
  std::filesystem::path root_;
  std::vector<std::string> files_;
};

class MemoryTree : public SourceTree {
 public:
  MemoryTree(std::string name, std::map<std::string, std::string> entries) : name_(std::move(name)), entries_(std::move(entries)) {
    for (const auto& [path, bytes] : entries_) files_.push_back(path);
  }
  const std::vector<std::string>& files() const override { return files_; }
  Result<std::string> read(const std::string& relative) const override {
    auto it = entries_.find(relative);
    if (it == entries_.end()) return fail(ErrorKind::NotFound, "no such entry in the archive", display(relative));
    return it->second;
  }
  std::string display(const std::string& relative) const override { return name_ + ":" + relative; }

 private:
  std::string name_;
  std::map<std::string, std::string> entries_;
  std::vector<std::string> files_;
};

}  // namespace

bool SourceTree::contains(const std::string& relative) const {
  const auto& f = files();
  return std::binary_search(f.begin(), f.end(), relative);
}

Result<std::string> safe_entry_name(std::string_view name) {
  auto refuse = [&](const char* why) {
    return fail(ErrorKind::Safety, "refusing an unsafe archive entry", "entry \"" + printable(name) + "\"", why,
                "the archive was not made by the exporting platform or was tampered with");
  };
  if (name.empty()) return refuse("the name is empty");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return refuse("the name contains a control character");
  if (name.find('\\') != std::string_view::npos) return refuse("the name contains a backslash");
  if (name.front() == '/') return refuse("the name is an absolute path");
  if (name.size() >= 2 && name[1] == ':') return refuse("the name starts with a drive letter");
  std::string out;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    auto segment = name.substr(start, end - start);
    if (segment == "..") return refuse("the name has a \"..\" segment that would escape the target");
    if (!segment.empty() && segment != ".") {
      if (!out.empty()) out += '/';
      out += segment;
    }
    start = end + 1;
  }
  if (out.empty()) return refuse("the name has no file part");
  return out;
}

Result<std::unique_ptr<SourceTree>> open_folder(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    return fail(ErrorKind::Usage, "the source folder does not exist", root.string(), "", "check the path");
  std::vector<std::string> files;
  // Symlinks are not followed: a link inside an export could point anywhere.
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec))
      files.push_back(std::filesystem::relative(it->path(), root, ec).generic_string());
  }
  if (ec) return fail(ErrorKind::Io, "cannot list the source folder", root.string(), ec.message());
  std::sort(files.begin(), files.end());
  return std::make_unique<FolderTree>(root, std::move(files));
}

// libarchive's message for the last error; it has none for some damaged
// archives (NULL), which must not reach std::string.
static std::string archive_error_text(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unreadable archive data";
}

Result<std::unique_ptr<SourceTree>> open_archive(const std::filesystem::path& file, const ArchiveLimits& limits) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  const auto name = file.string();
  if (archive_read_open_filename(a.get(), name.c_str(), 1 << 16) != ARCHIVE_OK)
    return fail(ErrorKind::Parse, "cannot open the archive", name, archive_error_text(a.get()));
  std::map<std::string, std::string> entries;
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return fail(ErrorKind::Parse, "the archive is damaged", name, archive_error_text(a.get()));
    const char* raw = archive_entry_pathname(entry);
    auto type = archive_entry_filetype(entry);
    auto safe = safe_entry_name(raw ? raw : "");
    if (!safe) {
      safe.error().object = name + ": " + safe.error().object;
      return std::unexpected(safe.error());
    }
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG)
      return fail(ErrorKind::Safety, "refusing an archive entry that is not a regular file", name + ":" + *safe,
                  "links and devices are never imported");
    if (entries.size() >= limits.max_entries)
      return fail(ErrorKind::Safety, "the archive has too many entries", name,
                  fmt::format("more than {} entries", limits.max_entries));
    std::string bytes;
    char buffer[1 << 16];
    while (true) {
      auto n = archive_read_data(a.get(), buffer, sizeof buffer);
      if (n < 0) return fail(ErrorKind::Parse, "the archive is damaged", name + ":" + *safe, archive_error_text(a.get()));
      if (n == 0) break;
      total += static_cast<std::uint64_t>(n);
      if (bytes.size() + static_cast<std::size_t>(n) > limits.max_entry_bytes)
        return fail(ErrorKind::Safety, "an archive entry is too large", name + ":" + *safe,
                    fmt::format("it inflates to more than {} bytes", limits.max_entry_bytes));
      if (total > limits.max_total_bytes)
        return fail(ErrorKind::Safety, "the archive is too large", name,
                    fmt::format("it inflates to more than {} bytes", limits.max_total_bytes));
      bytes.append(buffer, static_cast<std::size_t>(n));
    }
    if (!entries.emplace(*safe, std::move(bytes)).second)
      return fail(ErrorKind::Safety, "the archive holds the same path twice", name + ":" + *safe);
  }
  return std::make_unique<MemoryTree>(name, std::move(entries));
}

}  // namespace daoctl::content
