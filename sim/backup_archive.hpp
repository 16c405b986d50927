// Backup archives of daoctl-sim: packing a consistent snapshot of the data
// directory and unpacking (with verification) for a restore. The format is
// described in core/backup/manifest.hpp.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/backup/manifest.hpp"
#include "core/error.hpp"

namespace daoctl::sim {

// What a packed archive turned out to be.
struct PackedArchive {
  std::uint64_t size = 0;
  std::string sha256;
  backup::Manifest manifest;  // as written into MANIFEST.json (members filled in)
};

// Progress in 0..1 while packing or unpacking.
using ProgressFn = std::function<void(double)>;

// Copies the live database into `snapshot_file` with SQLite's online backup
// API while holding `db_mutex` (the Store's lock): the copy is one
// consistent state, taken without stopping the server. Errors: Io.
Status snapshot_database(sqlite3* live, std::mutex& db_mutex, const std::filesystem::path& snapshot_file);

// Packs db/platform.db (from `snapshot_file`, when non-empty) and every
// regular file under `files_dir` (when non-empty and present) as files/<rel>
// into `archive_file` (tar + zstd), then MANIFEST.json. Each member is hashed
// while it is written, and the archive while it is compressed: one pass.
// Errors: Io naming the file that failed.
Result<PackedArchive> pack_archive(const std::filesystem::path& archive_file, backup::Manifest manifest,
                                   const std::filesystem::path& snapshot_file,
                                   const std::filesystem::path& files_dir, const ProgressFn& progress);

// Unpacks `archive_file` into `staging_dir` (db/..., files/...), hashing every
// member, then checks them against the manifest. Nothing outside
// staging_dir is touched. Errors: Safety (a member differs from the manifest,
// or an unsafe path), Parse (no or a malformed manifest), Io.
Result<backup::Manifest> unpack_archive(const std::filesystem::path& archive_file,
                                        const std::filesystem::path& staging_dir, const ProgressFn& progress);

// SHA-256 of a file, streamed. Errors: Io.
Result<std::string> sha256_of_file(const std::filesystem::path& file);

}  // namespace daoctl::sim
