// Where a sync keeps the bytes of desired profile photos between reading the
// sources and uploading: outside the heap, so a run over 100k employees with
// 20 KB photos does not hold 2 GB. The plan needs only each photo's sha256
// and size (DesiredUser::stored_photo); apply reads back the bytes of the
// photos it uploads, a batch at a time. The implementation on disk is
// connectors/local/photo_spool.hpp; tests use an in-memory one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/sync/model.hpp"

namespace daoctl::sync {

// The bytes of a mapped photo value: the string, or the first of a list (an
// attribute such as jpegPhoto may carry several); empty when there is none.
inline std::string_view photo_bytes_of(const mapping::Value& value) {
  if (const auto* s = value.string()) return *s;
  if (const auto* l = value.list(); l && !l->empty()) return l->front();
  return {};
}

class PhotoStore {
 public:
  virtual ~PhotoStore() = default;
  // Keeps a copy of `bytes`; returns where it is (sha256 and size filled in).
  // Called by one thread at a time. An error (a full disk) leaves the photo
  // with the caller, who keeps it in memory instead.
  virtual Result<StoredPhoto> put(std::string_view bytes) = 0;
  // The bytes put() kept. Safe to call from several threads.
  virtual Result<std::string> get(const StoredPhoto& photo) const = 0;
};

}  // namespace daoctl::sync
