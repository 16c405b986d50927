// A download into a local file that survives interruptions: the bytes go to
// PATH.part (PATH.part.sha256 records which archive it belongs to), an
// attempt that ends early is resumed from the bytes already on disk, the
// sha256 is computed by a second thread reading the file back while it is
// written, and only a file of the expected size and sha256 is fsynced and
// renamed to PATH (PATH.sha256 written first). The network side is a callback,
// so this knows files and not HTTP (connectors/platform/backup_api.hpp
// fetches backups).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.hpp"

namespace daoctl::local {

struct ResumableTarget {
  std::string path;             // the final file
  std::string expected_sha256;  // lower-case hex
  std::uint64_t size = 0;       // expected bytes
  std::string object;           // for messages: "backup 12"
};

using ByteSink = std::function<bool(const char* data, std::size_t len)>;
// Fetches the bytes from `offset` on (0: all) into the sink. Returns the HTTP
// status: 206 when the range was honoured, 200 when the whole file came
// (then what was appended to a partial file is discarded and the download
// restarts). A Network or Remote error is resumed; any other error ends it.
using RangeFetch = std::function<Result<long>(std::uint64_t offset, const ByteSink& sink)>;

struct DownloadObserver {
  std::function<void(const std::string&)> info;
  std::function<void(const std::string&)> warn;
  // Around every attempt: started with the bytes on disk, the running total, ended.
  std::function<void(std::uint64_t have, std::uint64_t size)> attempt_started;
  std::function<void(std::uint64_t written)> progress;
  std::function<void()> attempt_ended;
};

struct DownloadResult {
  std::string path;
  std::string sha256;
  std::uint64_t size = 0;
  std::uint64_t resumed_from = 0;
  double seconds = 0;
};

// Attempts are repeated while they make progress: five in a row that add no
// byte (or twenty in all) end the download with the last attempt's error,
// keeping the partial file for the next run. Errors: Safety (size or sha256
// differ: the partial file is deleted), Io (writing, flushing, moving into
// place), Remote (a server that never honours the range), the fetch's own.
Result<DownloadResult> download_resumable(const ResumableTarget& target, const RangeFetch& fetch,
                                          const DownloadObserver& observer = {});

}  // namespace daoctl::local
