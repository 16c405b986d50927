// The PhotoStore of a sync run (core/sync/photo_store.hpp): an anonymous
// file that only this process can reach. It is created with O_TMPFILE (or
// created and unlinked at once where the file system lacks it), mode 0600,
// so employees' photos never linger on disk: the kernel frees the space when
// the run ends, however it ends.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/sync/photo_store.hpp"

namespace daoctl::local {

class PhotoSpool final : public sync::PhotoStore {
 public:
  // In `dir` ($TMPDIR, else /tmp, when empty). Errors: Io, naming the folder.
  static Result<std::unique_ptr<PhotoSpool>> open(const std::string& dir = {});
  ~PhotoSpool() override;
  PhotoSpool(const PhotoSpool&) = delete;
  PhotoSpool& operator=(const PhotoSpool&) = delete;

  Result<sync::StoredPhoto> put(std::string_view bytes) override;
  Result<std::string> get(const sync::StoredPhoto& photo) const override;

  std::uint64_t bytes_stored() const;

 private:
  PhotoSpool(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  int fd_;
  std::string dir_;
  mutable std::mutex mu_;
  std::uint64_t end_ = 0;
};

}  // namespace daoctl::local
