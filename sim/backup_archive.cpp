#include "sim/backup_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace daoctl::sim {

namespace fs = std::filesystem;
using backup::Manifest;
using backup::ManifestMember;
using backup::Sha256;

namespace {

constexpr std::size_t kChunk = 1 << 20;

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// The compressed output: written to a file descriptor and hashed on the way.
struct HashingSink {
  int fd = -1;
  std::uint64_t size = 0;
  Sha256 hash;
  int error = 0;
};

la_ssize_t sink_write(archive*, void* data, const void* buffer, size_t length) {
  auto* sink = static_cast<HashingSink*>(data);
  const char* p = static_cast<const char*>(buffer);
  size_t left = length;
  while (left > 0) {
    ssize_t n = ::write(sink->fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      sink->error = errno;
      return -1;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  sink->hash.update(buffer, length);
  sink->size += length;
  return static_cast<la_ssize_t>(length);
}

std::string archive_text(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

}  // namespace

Status snapshot_database(sqlite3* live, std::mutex& db_mutex, const fs::path& snapshot_file) {
  sqlite3* out = nullptr;
  if (sqlite3_open(snapshot_file.c_str(), &out) != SQLITE_OK) {
    std::string why = out ? sqlite3_errmsg(out) : "out of memory";
    sqlite3_close(out);
    return fail(ErrorKind::Io, "cannot create the database snapshot", snapshot_file.string(), why);
  }
  int rc;
  std::string why;
  {
    std::lock_guard lock(db_mutex);
    sqlite3_backup* b = sqlite3_backup_init(out, "main", live, "main");
    if (!b) {
      why = sqlite3_errmsg(out);
      rc = SQLITE_ERROR;
    } else {
      rc = sqlite3_backup_step(b, -1);
      sqlite3_backup_finish(b);
      if (rc != SQLITE_DONE) why = sqlite3_errstr(rc);
    }
  }
  // The copy stays in rollback-journal mode on its own: one self-contained file.
  if (rc == SQLITE_DONE) sqlite3_exec(out, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  sqlite3_close(out);
  if (rc != SQLITE_DONE) return fail(ErrorKind::Io, "cannot snapshot the database", snapshot_file.string(), why);
  return {};
}

Result<PackedArchive> pack_archive(const fs::path& archive_file, Manifest manifest, const fs::path& snapshot_file,
                                   const fs::path& files_dir, const ProgressFn& progress) {
  // Members to pack, with sizes for progress.
  struct Source {
    fs::path file;
    std::string member;
    std::uint64_t size;
  };
  std::vector<Source> sources;
  std::error_code ec;
  if (!snapshot_file.empty())
    sources.push_back({snapshot_file, backup::kDatabaseMember, fs::file_size(snapshot_file, ec)});
  if (!files_dir.empty() && fs::is_directory(files_dir, ec)) {
    std::vector<Source> files;
    for (auto it = fs::recursive_directory_iterator(files_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      auto rel = fs::relative(it->path(), files_dir, ec).generic_string();
      std::string member = "files/" + rel;
      if (!backup::is_safe_member_path(member)) continue;
      files.push_back({it->path(), member, it->file_size(ec)});
    }
    if (ec) return fail(ErrorKind::Io, "cannot list the stored files", files_dir.string(), ec.message());
    std::sort(files.begin(), files.end(), [](const Source& a, const Source& b) { return a.member < b.member; });
    sources.insert(sources.end(), files.begin(), files.end());
  }
  std::uint64_t total = 1;
  for (const auto& s : sources) total += s.size;

  int raw = ::open(archive_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (raw < 0) return fail(ErrorKind::Io, "cannot create the archive", archive_file.string(), std::strerror(errno));
  Fd out(raw);
  HashingSink sink;
  sink.fd = out.get();
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK)
    return fail(ErrorKind::Io, "libarchive cannot write zstd", archive_file.string(), archive_text(a.get()));
  archive_write_set_filter_option(a.get(), "zstd", "compression-level", "3");
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &sink, nullptr, sink_write, nullptr) != ARCHIVE_OK)
    return fail(ErrorKind::Io, "cannot start the archive", archive_file.string(), archive_text(a.get()));

  auto write_member = [&](const std::string& member, std::uint64_t size,
                          const std::function<Result<std::size_t>(char*, std::size_t)>& read,
                          Sha256& hash) -> Status {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), member.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      return fail(ErrorKind::Io, "cannot write an archive header", member, archive_text(a.get()));
    std::vector<char> buf(kChunk);
    std::uint64_t done = 0;
    while (done < size) {
      auto n = read(buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - done)));
      if (!n) return std::unexpected(n.error());
      if (*n == 0) return fail(ErrorKind::Io, "a file shrank while it was backed up", member);
      hash.update(buf.data(), *n);
      if (archive_write_data(a.get(), buf.data(), *n) < 0)
        return fail(ErrorKind::Io, "cannot write to the archive", archive_file.string(),
                    sink.error ? std::strerror(sink.error) : archive_text(a.get()));
      done += *n;
    }
    return {};
  };

  std::uint64_t packed = 0;
  for (const auto& s : sources) {
    int in_raw = ::open(s.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_raw < 0) return fail(ErrorKind::Io, "cannot read a file to back up", s.file.string(), std::strerror(errno));
    Fd in(in_raw);
    Sha256 hash;
    auto st = write_member(
        s.member, s.size,
        [&](char* b, std::size_t n) -> Result<std::size_t> {
          ssize_t got = ::read(in.get(), b, n);
          if (got < 0) return fail(ErrorKind::Io, "cannot read a file to back up", s.file.string(), std::strerror(errno));
          return static_cast<std::size_t>(got);
        },
        hash);
    if (!st) return std::unexpected(st.error());
    manifest.members.push_back({s.member, s.size, hash.hex()});
    packed += s.size;
    if (progress) progress(static_cast<double>(packed) / static_cast<double>(total));
  }
  std::string manifest_text = manifest.to_json().dump(2) + "\n";
  std::size_t offset = 0;
  Sha256 ignored;
  auto st = write_member(
      backup::kManifestMember, manifest_text.size(),
      [&](char* b, std::size_t n) -> Result<std::size_t> {
        std::memcpy(b, manifest_text.data() + offset, n);
        offset += n;
        return n;
      },
      ignored);
  if (!st) return std::unexpected(st.error());
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return fail(ErrorKind::Io, "cannot finish the archive", archive_file.string(),
                sink.error ? std::strerror(sink.error) : archive_text(a.get()));
  if (::fsync(out.get()) != 0)
    return fail(ErrorKind::Io, "cannot flush the archive", archive_file.string(), std::strerror(errno));
  return PackedArchive{sink.size, sink.hash.hex(), std::move(manifest)};
}

Result<Manifest> unpack_archive(const fs::path& archive_file, const fs::path& staging_dir,
                                const ProgressFn& progress) {
  std::error_code ec;
  auto archive_size = fs::file_size(archive_file, ec);
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), archive_file.c_str(), kChunk) != ARCHIVE_OK)
    return fail(ErrorKind::Io, "cannot open the archive", archive_file.string(), archive_text(a.get()));
  std::vector<backup::ObservedMember> observed;
  std::string manifest_text;
  bool have_manifest = false;
  std::vector<char> buf(kChunk);
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (path == backup::kManifestMember) {
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), buf.data(), buf.size())) > 0)
        manifest_text.append(buf.data(), static_cast<std::size_t>(n));
      if (n < 0) return fail(ErrorKind::Safety, "the archive is damaged", path, archive_text(a.get()));
      have_manifest = true;
      continue;
    }
    if (!backup::is_safe_member_path(path) || archive_entry_filetype(entry) != AE_IFREG)
      return fail(ErrorKind::Safety, "the archive holds an unsafe member", path,
                  "only regular files under db/ and files/ are restored");
    fs::path target = staging_dir / path;
    fs::create_directories(target.parent_path(), ec);
    int raw = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (raw < 0) return fail(ErrorKind::Io, "cannot write a restored file", target.string(), std::strerror(errno));
    Fd out(raw);
    backup::ObservedMember member{path, 0, "", ""};
    Sha256 hash;
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf.data(), buf.size())) > 0) {
      if (::write(out.get(), buf.data(), static_cast<std::size_t>(n)) != n)
        return fail(ErrorKind::Io, "cannot write a restored file", target.string(), std::strerror(errno));
      hash.update(buf.data(), static_cast<std::size_t>(n));
      member.size += static_cast<std::uint64_t>(n);
    }
    if (n < 0) member.read_error = archive_text(a.get());
    member.sha256 = hash.hex();
    if (::fsync(out.get()) != 0)
      return fail(ErrorKind::Io, "cannot flush a restored file", target.string(), std::strerror(errno));
    observed.push_back(std::move(member));
    if (!observed.back().read_error.empty()) break;
    if (progress && archive_size > 0) {
      auto consumed = static_cast<double>(archive_filter_bytes(a.get(), -1));
      progress(std::min(1.0, consumed / static_cast<double>(archive_size)));
    }
  }
  if (rc != ARCHIVE_EOF && (observed.empty() || observed.back().read_error.empty()))
    return fail(ErrorKind::Safety, "the archive is damaged", archive_file.string(), archive_text(a.get()));
  if (!have_manifest) {
    if (!observed.empty() && !observed.back().read_error.empty())
      return fail(ErrorKind::Safety, "the archive is damaged", observed.back().path,
                  "cannot be read: " + observed.back().read_error);
    return fail(ErrorKind::Parse, "the archive has no manifest", archive_file.string(),
                "MANIFEST.json is missing; this is not a daoctl-sim backup");
  }
  auto manifest = backup::parse_manifest(manifest_text, archive_file.string() + ":MANIFEST.json");
  if (!manifest) return std::unexpected(manifest.error());
  auto problems = backup::check_members(*manifest, observed);
  if (!problems.empty()) {
    std::string detail;
    for (const auto& p : problems) detail += (detail.empty() ? "" : "; ") + p.path + " " + p.problem;
    return fail(ErrorKind::Safety, "the archive does not match its manifest", archive_file.string(), detail);
  }
  return manifest;
}

Result<std::string> sha256_of_file(const fs::path& file) {
  int raw = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return fail(ErrorKind::Io, "cannot read", file.string(), std::strerror(errno));
  Fd in(raw);
  Sha256 hash;
  std::vector<char> buf(kChunk);
  ssize_t n;
  while ((n = ::read(in.get(), buf.data(), buf.size())) > 0) hash.update(buf.data(), static_cast<std::size_t>(n));
  if (n < 0) return fail(ErrorKind::Io, "cannot read", file.string(), std::strerror(errno));
  return hash.hex();
}

}  // namespace daoctl::sim
