#include "connectors/local/photo_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/sync/plan.hpp"

namespace daoctl::local {

Result<std::unique_ptr<PhotoSpool>> PhotoSpool::open(const std::string& dir_in) {
  std::string dir = dir_in;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp && *tmp ? tmp : "/tmp";
  }
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: create, then unlink at once.
    std::string path = dir + "/daoctl-photos.XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd < 0)
    return fail(ErrorKind::Io, "cannot create the photo spool", dir, std::strerror(errno),
                "set TMPDIR to a writable folder with room for the run's photos");
  return std::unique_ptr<PhotoSpool>(new PhotoSpool(fd, std::move(dir)));
}

PhotoSpool::~PhotoSpool() {
  if (fd_ >= 0) ::close(fd_);
}

Result<sync::StoredPhoto> PhotoSpool::put(std::string_view bytes) {
  sync::StoredPhoto photo{sync::photo_sha256(bytes), 0, bytes.size()};
  std::lock_guard lock(mu_);
  photo.offset = end_;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      return fail(ErrorKind::Io, "cannot write the photo spool", "photo spool in " + dir_, std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  end_ += bytes.size();
  return photo;
}

Result<std::string> PhotoSpool::get(const sync::StoredPhoto& photo) const {
  {
    std::lock_guard lock(mu_);
    if (photo.offset + photo.size > end_)
      return fail(ErrorKind::Internal, "no such photo in the spool", "photo spool in " + dir_);
  }
  std::string out(photo.size, '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(photo.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      return fail(ErrorKind::Io, "cannot read the photo spool", "photo spool in " + dir_, std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

std::uint64_t PhotoSpool::bytes_stored() const {
  std::lock_guard lock(mu_);
  return end_;
}

}  // namespace daoctl::local
