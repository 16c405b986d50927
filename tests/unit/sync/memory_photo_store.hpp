// A PhotoStore in memory for unit tests: keeps every put in one buffer, as
// the spool file does, and can be told to fail (a full disk).
#pragma once

#include <string>

#include "core/sync/photo_store.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::sync::testing {

class MemoryPhotoStore final : public PhotoStore {
 public:
  Result<StoredPhoto> put(std::string_view bytes) override {
    ++puts;
    if (full) return fail(ErrorKind::Io, "cannot write the photo spool", "spool", "No space left on device");
    StoredPhoto p{photo_sha256(bytes), data.size(), bytes.size()};
    data.append(bytes);
    return p;
  }
  Result<std::string> get(const StoredPhoto& photo) const override {
    if (photo.offset + photo.size > data.size()) return fail(ErrorKind::Io, "short read", "spool");
    return data.substr(photo.offset, photo.size);
  }
  std::string data;
  int puts = 0;
  bool full = false;
};

}  // namespace daoctl::sync::testing
