// What a sync writes to: the platform (SCIM + native) or a plain SCIM 2.0
// service. The executor talks only to this interface, so its ordering, id
// resolution and partial-failure rules are tested with a fake; the real
// implementations live in connectors/targets/.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/sync/model.hpp"

namespace daoctl::sync {

struct UserPatch {
  std::string id;
  std::string object;           // "user ivanov" for messages
  nlohmann::json operations;    // SCIM PatchOp Operations array
  // Blocking (deprovision `now` steps): also revoke every session / API token.
  bool revoke_sessions = false;
  bool revoke_tokens = false;
};

// One profile photo to upload; `bytes` stays owned by the caller until
// upload_photos returns.
struct PhotoUpload {
  std::string id;            // platform user id
  std::string object;        // "photo of user ivanov" for messages
  std::string content_type;  // image/jpeg | image/png (from the magic bytes)
  std::string_view bytes;
};

class SyncTarget {
 public:
  virtual ~SyncTarget() = default;

  // Every user, department and group the target has, reduced to what a sync
  // compares. A failed or partial read is an error, never a short state.
  virtual Result<PlatformState> read_state() = 0;

  // Returns the new department's id. An existing department with that
  // external id (a rerun after a crash) is returned instead of a duplicate.
  virtual Result<std::string> create_department(const std::string& name, const std::string& parent_id,
                                                const std::string& external_id) = 0;
  virtual Status delete_department(const std::string& id, const std::string& path) = 0;

  // Batches run concurrently; one result per item, in input order. A user
  // whose externalId exists already (a rerun after a crash) yields its id.
  virtual std::vector<Result<std::string>> create_users(const std::vector<nlohmann::json>& resources) = 0;
  virtual std::vector<Status> patch_users(const std::vector<UserPatch>& patches) = 0;

  // Uploads run concurrently; one result per item, in input order. A photo
  // the target refuses (415 not JPEG/PNG, 413 too large) fails alone.
  virtual std::vector<Status> upload_photos(const std::vector<PhotoUpload>& uploads) = 0;

  virtual Result<std::string> create_group(const std::string& name, const std::string& external_id) = 0;
  // Sets a group's displayName and externalId (a directory group renamed, or
  // an existing group linked to a directory group). `object` names it in errors.
  virtual Status update_group(const std::string& group_id, const std::string& object, const std::string& name,
                              const std::string& external_id) {
    (void)group_id;
    (void)name;
    (void)external_id;
    return fail(ErrorKind::Internal, "this target cannot rename groups", object);
  }
  // Adds and removes members (platform user ids), in as many PATCH requests
  // as the target's limit on operations requires.
  virtual Status change_group_members(const std::string& group_id, const std::string& group_name,
                                      const std::vector<std::string>& add,
                                      const std::vector<std::string>& remove) = 0;
};

}  // namespace daoctl::sync
