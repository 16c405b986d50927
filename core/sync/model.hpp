// What a sync compares: users as the sources want them (DesiredUser) and the
// platform as it is (PlatformState), both reduced to the mapped fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/mapping/value.hpp"

namespace daoctl::sync {

using Fields = std::map<std::string, mapping::Value, std::less<>>;

// A desired photo whose bytes live in a PhotoStore (core/sync/photo_store.hpp).
struct StoredPhoto {
  std::string sha256;        // lower-case hex, as the platform's photoSha256
  std::uint64_t offset = 0;  // where the store keeps it
  std::uint64_t size = 0;
};

struct DesiredUser {
  std::string external_id;
  std::string user_name;
  std::string origin;      // where the primary record came from ("ldap://…/cn=…", "hr.csv:12")
  std::string source_key;  // the primary record's key (a canonical DN for LDAP)
  Fields fields;           // every mapped field but externalId/userName
  std::vector<std::string> groups;  // group names, after include/exclude
  // The directory's stable id of each of `groups`, in the same order, when the
  // source knows its groups by id (a group search); empty: known by name.
  std::vector<std::string> group_keys = {};
  bool active = true;
  // Set when a deprovision.dismissed_when rule holds (active is then false):
  // which rule, shown as the reason of the deactivation.
  std::string dismissed_reason;
  // Set when mapping.active is false: the template, for the plan to say why
  // an account is created inactive.
  std::string inactive_reason;

  std::string dismissed_since;  // the dismissal date the source gives (yyyy-MM-dd), if any
  // The desired photo when a PhotoStore holds its bytes; `fields` then has
  // no "photo". Without a store the bytes stay in fields["photo"].
  std::optional<StoredPhoto> stored_photo;
};

struct PlatformUser {
  std::string id;
  std::string external_id;
  std::string user_name;
  std::string version;
  std::string managed_by;
  bool active = true;
  Fields fields;  // mapped fields present on the platform (department as a path)
  std::string manager_id;
  std::string department_id;
  // The profile photo's sha256 (lower-case hex, the platform's photoSha256);
  // "" when the user has none. Photos are compared by digest, never downloaded.
  std::string photo_sha256;
  std::vector<std::string> group_ids;
};

struct PlatformDepartment {
  std::string id;
  std::string name;
  std::string parent_id;
  std::string path;
  std::string external_id;
  std::string version;  // updated_at
  long member_count = 0;
};

struct PlatformGroup {
  std::string id;
  std::string display_name;
  std::string external_id;
  std::string version;
  std::vector<std::string> member_ids;
};

struct PlatformState {
  std::vector<PlatformUser> users;
  std::vector<PlatformDepartment> departments;
  std::vector<PlatformGroup> groups;
  // sha256 over every object's id and version: a saved plan is applied only
  // when the platform still has this fingerprint.
  std::string fingerprint() const;
};

}  // namespace daoctl::sync
