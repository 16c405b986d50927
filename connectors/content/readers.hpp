// Readers of content sources into the import model (core/content/model.hpp).
//
// Every reader returns the whole ContentSet plus the problems that make the
// source unfit to import (each naming file, line and, for JSON, the path);
// a source that cannot be parsed at all is an Error (kind Parse, naming
// file:line:column). Things deliberately left out (join notices, drafts,
// direct messages) are listed in ContentSet::skipped with the reason.
// The line-oriented files (a JSON Lines manifest, a Mattermost export read
// from its file) are validated in one pass and leave their posts in the file:
// ContentSet::streamed_posts reads them again when the import needs them, so
// memory does not grow with the number of posts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "connectors/content/source_tree.hpp"
#include "core/content/model.hpp"
#include "core/error.hpp"

namespace daoctl::content {

struct ReadResult {
  ContentSet set;
  std::vector<SourceProblem> problems;
};

// Which reader a path needs: a folder with users.json or a .zip -> slack; a
// .jsonl/.json whose first line is {"type":"version"...} -> mattermost; .xml
// -> wxr; .yaml/.yml/.json/.jsonl otherwise -> manifest.
Result<std::string> detect_source_kind(const std::filesystem::path& source);

// Reads any source; `kind` empty = detect.
Result<ReadResult> read_content_source(const std::filesystem::path& source, const std::string& kind = {});

Result<ReadResult> read_slack(const SourceTree& tree);
// A Mattermost bulk export: read_mattermost_file reads the file a line at a
// time and leaves the posts in it (streamed_posts, in time order);
// read_mattermost takes an export already in memory and holds its posts
// (ContentSet::posts, the same posts in the same order).
Result<ReadResult> read_mattermost_file(const std::filesystem::path& file);
Result<ReadResult> read_mattermost(std::string_view jsonl, const std::string& file_name);
Result<ReadResult> read_wxr(const std::filesystem::path& file);
Result<ReadResult> read_manifest(const std::filesystem::path& file);

// Whether seconds since the epoch fall in years 1-9999 (RFC 3339's range).
bool is_rfc3339_seconds(double seconds);
// Seconds since the epoch (with a fraction, as Slack's "ts") -> RFC 3339 UTC;
// "" outside years 1-9999 (and for NaN or infinity).
std::string unix_to_rfc3339(double seconds);
// A source emoji name -> the platform's reaction kind (unknown ones -> like).
std::string reaction_kind_for_emoji(std::string_view emoji);
// A content type from a file name's extension (application/octet-stream).
std::string content_type_for_name(std::string_view name);

}  // namespace daoctl::content
