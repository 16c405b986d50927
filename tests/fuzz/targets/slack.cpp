// Slack exports (connectors/content read_slack) from an in-memory tree.
// Input: files, each introduced by a line "=== <relative path>"; the bytes up
// to the next such line are its content (users.json, channels.json,
// <channel>/YYYY-MM-DD.json, __uploads/<id>/<name>).
#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "common.hpp"
#include "connectors/content/readers.hpp"

using namespace daoctl;

namespace {

class MemoryTree final : public content::SourceTree {
 public:
  explicit MemoryTree(std::map<std::string, std::string> files) : contents_(std::move(files)) {
    for (const auto& [name, _] : contents_) names_.push_back(name);
  }
  const std::vector<std::string>& files() const override { return names_; }
  Result<std::string> read(const std::string& relative) const override {
    auto it = contents_.find(relative);
    if (it == contents_.end()) return fail(ErrorKind::Io, "no such file in the export", display(relative));
    return it->second;
  }
  std::string display(const std::string& relative) const override { return "export.zip:" + relative; }

 private:
  std::map<std::string, std::string> contents_;
  std::vector<std::string> names_;  // sorted: std::map order
};

std::map<std::string, std::string> split_files(std::string_view in) {
  std::map<std::string, std::string> files;
  constexpr std::string_view kMark = "=== ";
  size_t pos = in.starts_with(kMark) ? 0 : in.find("\n=== ");
  if (pos == std::string_view::npos) return files;
  if (pos != 0) pos += 1;
  while (pos != std::string_view::npos && pos < in.size()) {
    size_t name_end = in.find('\n', pos);
    if (name_end == std::string_view::npos) name_end = in.size();
    std::string name(in.substr(pos + kMark.size(), name_end - pos - kMark.size()));
    size_t body = std::min(name_end + 1, in.size());
    size_t next = in.find("\n=== ", body);
    std::string_view content = in.substr(body, next == std::string_view::npos ? std::string_view::npos : next - body);
    if (auto safe = content::safe_entry_name(name)) files[*safe] = std::string(content);
    pos = next == std::string_view::npos ? next : next + 1;
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MemoryTree tree(split_files(fuzz::as_text(data, size)));
  auto read = content::read_slack(tree);
  if (read) (void)content::count_content(read->set);
  return 0;
}
