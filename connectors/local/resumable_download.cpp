#include "connectors/local/resumable_download.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "connectors/local/fd.hpp"
#include "connectors/local/files.hpp"
#include "core/backup/manifest.hpp"

namespace daoctl::local {

namespace fs = std::filesystem;
using backup::Sha256;

namespace {

// Hashes the bytes of an existing partial download; returns how many.
std::uint64_t hash_prefix(const std::string& path, Sha256& hash) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return 0;
  Fd in(raw);
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  ssize_t n;
  while ((n = ::read(in.get(), buf.data(), buf.size())) > 0) {
    hash.update(buf.data(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  return total;
}

// Hashes a file that is being appended to, on its own thread, reading back
// what the writer has already written (from the page cache). The network
// receive and the hash run in parallel with constant memory; the writer only
// publishes how far the file is written. Also starts the kernel's writeback
// of every finished 32 MiB so the final fsync has little left to flush.
class FollowingHasher {
 public:
  FollowingHasher(const std::string& path, int write_fd, std::uint64_t start, Sha256& hash)
      : write_fd_(write_fd), hash_(hash), hashed_(start), available_(start), flushed_(start) {
    read_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    thread_ = std::thread([this] { run(); });
  }
  ~FollowingHasher() { finish(); }
  FollowingHasher(const FollowingHasher&) = delete;
  FollowingHasher& operator=(const FollowingHasher&) = delete;

  // The file now holds `total` bytes.
  void advance(std::uint64_t total) {
    if (total - flushed_ >= kWriteback) {
      ::sync_file_range(write_fd_, static_cast<off_t>(flushed_), static_cast<off_t>(total - flushed_),
                        SYNC_FILE_RANGE_WRITE);
      flushed_ = total;
    }
    std::lock_guard lock(mutex_);
    available_ = total;
    if (available_ - hashed_ >= kChunk) wake_.notify_one();
  }
  // Hashes the rest and stops the thread. False when the file could not be read back.
  bool finish() {
    {
      std::lock_guard lock(mutex_);
      if (done_) return ok_;
      done_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
    return ok_;
  }

 private:
  static constexpr std::uint64_t kChunk = 4u << 20;
  static constexpr std::uint64_t kWriteback = 32u << 20;

  void run() {
    std::vector<char> buf;  // only for the pread fallback
    while (true) {
      std::uint64_t until;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return done_ || available_ - hashed_ >= kChunk; });
        until = available_;
        if (until == hashed_ && done_) return;
      }
      while (hashed_ < until) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, until - hashed_));
        if (hash_mapped(want)) continue;
        if (buf.empty()) buf.resize(kChunk);
        ssize_t n = read_fd_ < 0 ? -1 : ::pread(read_fd_, buf.data(), want, static_cast<off_t>(hashed_));
        if (n <= 0) {
          ok_ = false;
          return;
        }
        hash_.update(buf.data(), static_cast<std::size_t>(n));
        hashed_ += static_cast<std::uint64_t>(n);
      }
    }
  }

  // Hashes the next `want` bytes straight from the page cache through a
  // mapping (no copy into a buffer: on a 2-core machine that copy competes
  // with the download itself). False when mapping fails: pread is the fallback.
  bool hash_mapped(std::size_t want) {
    if (read_fd_ < 0 || !use_mmap_) return false;
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t start = hashed_ - hashed_ % page;
    std::size_t skip = static_cast<std::size_t>(hashed_ - start);
    std::size_t len = skip + want;
    void* map = ::mmap(nullptr, len, PROT_READ, MAP_SHARED | MAP_POPULATE, read_fd_, static_cast<off_t>(start));
    if (map == MAP_FAILED) {
      use_mmap_ = false;
      return false;
    }
    hash_.update(static_cast<const char*>(map) + skip, want);
    ::munmap(map, len);
    hashed_ += want;
    return true;
  }

  int write_fd_;
  int read_fd_ = -1;
  bool use_mmap_ = true;
  Sha256& hash_;
  std::uint64_t hashed_;     // owned by the thread
  std::uint64_t available_;  // guarded by mutex_
  std::uint64_t flushed_;    // writer side only
  bool done_ = false;
  bool ok_ = true;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

void say(const std::function<void(const std::string&)>& f, const std::string& line) {
  if (f) f(line);
}

}  // namespace

Result<DownloadResult> download_resumable(const ResumableTarget& target, const RangeFetch& fetch,
                                          const DownloadObserver& observer) {
  const std::string& path = target.path;
  const std::string& expected = target.expected_sha256;
  const std::uint64_t size = target.size;
  const std::string part = path + ".part";
  const std::string part_owner = part + ".sha256";  // which archive the partial file belongs to
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;

  // A partial file of another archive (or of unknown origin) is not resumed.
  {
    std::ifstream owner(part_owner);
    std::string recorded;
    owner >> recorded;
    if (recorded != expected) {
      fs::remove(part, ec);
      if (auto st = write_file_atomic(part_owner, expected + "\n", 0600); !st) return std::unexpected(st.error());
    }
  }
  DownloadResult result;
  result.path = path;
  // An attempt that ended early is resumed while attempts make progress:
  // five in a row that add no byte (or twenty in all) end the download.
  int fruitless = 0;
  constexpr int kMaxFruitless = 5;
  constexpr int kMaxAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    Sha256 hash;
    std::uint64_t have = hash_prefix(part, hash);
    if (have > size) {
      // Longer than the archive: not a prefix of it.
      fs::remove(part, ec);
      continue;
    }
    if (attempt == 1) result.resumed_from = have;
    if (have > 0 && attempt == 1)
      say(observer.info, fmt::format("resuming the download of {} at byte {} of {}", target.object, have, size));
    int raw = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (raw < 0) return fail(ErrorKind::Io, "cannot write the download", part, errno_text());
    Fd out(raw);
    std::uint64_t written = have;
    int write_errno = 0;
    std::optional<FollowingHasher> follower;
    follower.emplace(part, out.get(), have, hash);
    if (observer.attempt_started) observer.attempt_started(have, size);
    if (observer.progress) observer.progress(written);
    ByteSink sink = [&](const char* data, std::size_t len) {
      const char* p = data;
      std::size_t left = len;
      while (left > 0) {
        ssize_t n = ::write(out.get(), p, left);
        if (n < 0) {
          if (errno == EINTR) continue;
          write_errno = errno;
          return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
      }
      written += len;
      follower->advance(written);
      if (observer.progress) observer.progress(written);
      return true;
    };
    Result<long> status = have == size ? Result<long>(206) : fetch(have < size ? have : 0, sink);
    if (observer.attempt_ended) observer.attempt_ended();
    if (write_errno)
      return fail(ErrorKind::Io, "cannot write the download", part, std::strerror(write_errno),
                  "free some space; the next run resumes where this one stopped");
    if (!status) {
      auto kind = status.error().kind;
      fruitless = written > have ? 0 : fruitless + 1;
      if ((kind == ErrorKind::Network || kind == ErrorKind::Remote) && attempt < kMaxAttempts &&
          fruitless < kMaxFruitless) {
        say(observer.warn,
            fmt::format("download of {} interrupted at byte {} ({}); resuming", target.object, written,
                        status.error().detail.empty() ? status.error().message : status.error().detail));
        continue;
      }
      return std::unexpected(std::move(status.error()));
    }
    if (*status == 200 && have > 0) {
      // The server sent the whole archive (it ignored the range): what was
      // appended after the partial data is discarded and the download restarts.
      fs::remove(part, ec);
      if (attempt < 5) continue;
      return fail(ErrorKind::Remote, "the server does not resume downloads", target.object);
    }
    fruitless = written > have ? 0 : fruitless + 1;
    if (written < size && attempt < kMaxAttempts && fruitless < kMaxFruitless) {
      say(observer.warn, fmt::format("download of {} ended early at byte {} of {}; resuming", target.object, written, size));
      continue;
    }
    if (::fsync(out.get()) != 0) return fail(ErrorKind::Io, "cannot flush the download", part, errno_text());
    if (!follower->finish()) return fail(ErrorKind::Io, "cannot read the download back to hash it", part, errno_text());
    auto actual = hash.hex();
    if (actual != expected || written != size) {
      fs::remove(part, ec);
      fs::remove(part_owner, ec);
      return fail(ErrorKind::Safety, "checksum mismatch: the download was deleted", target.object,
                  fmt::format("received {} bytes with sha256 {}; the server lists {} bytes with sha256 {}", written,
                              actual, size, expected),
                  "run the download again; if it fails again, the archive on the server is damaged");
    }
    result.sha256 = actual;
    result.size = written;
    break;
  }
  // The recorded sha256 first, then the archive: a visible archive always has its checksum.
  if (auto st = write_file_atomic(path + ".sha256",
                                  fmt::format("{}  {}\n", result.sha256, fs::path(path).filename().string()));
      !st)
    return std::unexpected(st.error());
  fs::rename(part, path, ec);
  if (ec) return fail(ErrorKind::Io, "cannot move the download into place", path, ec.message());
  fs::remove(part_owner, ec);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace daoctl::local
