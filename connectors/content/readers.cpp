#include "connectors/content/readers.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>

#include "core/text/date.hpp"

namespace daoctl::content {

bool is_rfc3339_seconds(double seconds) {
  // RFC 3339 years have four digits: 0001-01-01T00:00:00Z to
  // 9999-12-31T23:59:59Z. Anything else, NaN and infinity included, is no
  // time at all (and converting it to time_t would be undefined; found by
  // fuzz_slack and fuzz_mattermost with a ts of 1.6e116).
  constexpr double kFirst = -62135596800.0, kAfterLast = 253402300800.0;
  return seconds >= kFirst && seconds < kAfterLast;
}

std::string unix_to_rfc3339(double seconds) {
  if (!is_rfc3339_seconds(seconds)) return {};
  return text::format_rfc3339(text::TimePoint(std::chrono::seconds(static_cast<std::int64_t>(std::floor(seconds)))));
}

std::string reaction_kind_for_emoji(std::string_view e) {
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"heart", "love"}, {"heart_eyes", "love"}, {"hearts", "love"}, {"joy", "laugh"}, {"laughing", "laugh"},
      {"smile", "laugh"}, {"grin", "laugh"}, {"rofl", "laugh"}, {"open_mouth", "wow"}, {"astonished", "wow"},
      {"scream", "wow"}, {"cry", "sad"}, {"sob", "sad"}, {"disappointed", "sad"}, {"tada", "celebrate"},
      {"rocket", "celebrate"}, {"confetti_ball", "celebrate"}, {"+1", "like"}, {"thumbsup", "like"}};
  for (auto [name, kind] : table)
    if (e == name) return std::string(kind);
  return "like";
}

std::string content_type_for_name(std::string_view name) {
  auto dot = name.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : text::lower_ascii(name.substr(dot + 1));
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
      {"svg", "image/svg+xml"}, {"pdf", "application/pdf"}, {"txt", "text/plain"}, {"md", "text/markdown"},
      {"csv", "text/csv"}, {"json", "application/json"}, {"zip", "application/zip"}, {"webp", "image/webp"}};
  for (auto [e, type] : table)
    if (ext == e) return std::string(type);
  return "application/octet-stream";
}

Result<std::string> detect_source_kind(const std::filesystem::path& source) {
  std::error_code ec;
  if (std::filesystem::is_directory(source, ec)) {
    if (std::filesystem::exists(source / "users.json", ec) || std::filesystem::exists(source / "channels.json", ec))
      return std::string("slack");
    return fail(ErrorKind::Usage, "cannot tell what kind of export this folder is", source.string(),
                "a Slack export folder has users.json and channels.json", "pass --format");
  }
  if (!std::filesystem::exists(source, ec)) return fail(ErrorKind::Usage, "the import source does not exist", source.string(), "",
                "check the path");
  const auto ext = text::lower_ascii(source.extension().string());
  if (ext == ".zip") return std::string("slack");
  if (ext == ".xml" || ext == ".wxr") return std::string("wxr");
  if (ext == ".jsonl" || ext == ".json" || ext == ".ndjson") {
    std::ifstream in(source);
    std::string first;
    std::getline(in, first);
    if (first.find("\"type\"") != std::string::npos && first.find("\"version\"") != std::string::npos &&
        first.find("\"kind\"") == std::string::npos)
      return std::string("mattermost");
    return std::string("manifest");
  }
  if (ext == ".yaml" || ext == ".yml") return std::string("manifest");
  return fail(ErrorKind::Usage, "cannot tell what kind of source this file is", source.string(),
              "known: Slack .zip or folder, Mattermost .jsonl, WordPress .xml, manifest .yaml/.jsonl", "pass --format");
}

Result<ReadResult> read_content_source(const std::filesystem::path& source, const std::string& kind_flag) {
  std::string kind = kind_flag;
  std::error_code missing;
  if (!kind.empty() && !std::filesystem::exists(source, missing))
    return fail(ErrorKind::Usage, "the import source does not exist", source.string(), "", "check the path");
  if (kind.empty()) {
    auto detected = detect_source_kind(source);
    if (!detected) return std::unexpected(detected.error());
    kind = *detected;
  }
  if (kind == "slack") {
    std::error_code ec;
    auto tree = std::filesystem::is_directory(source, ec) ? open_folder(source) : open_archive(source);
    if (!tree) return std::unexpected(tree.error());
    return read_slack(**tree);
  }
  if (kind == "mattermost") return read_mattermost_file(source);
  if (kind == "wxr") return read_wxr(source);
  if (kind == "manifest") return read_manifest(source);
  return fail(ErrorKind::Usage, "unknown source format", "--format " + kind, "use slack, mattermost, wxr or manifest");
}

}  // namespace daoctl::content
