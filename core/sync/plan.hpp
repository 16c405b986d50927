// The sync plan: the reviewable difference between what the sources want and
// what the platform has, in the order apply will carry it out (departments,
// users, managers, photos, group memberships). Pure: computed from a DesiredUser list
// and a PlatformState, serialisable to a stable JSON document and back.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "core/sync/model.hpp"
#include "core/sync/scim_mapping.hpp"

namespace daoctl::sync {

struct FieldChange {
  std::string field;
  mapping::Value before;
  mapping::Value after;
};

enum class UserActionKind { Create, Update, Link, Deactivate, Reactivate };
const char* to_string(UserActionKind kind);

struct UserAction {
  UserActionKind kind = UserActionKind::Update;
  std::string id;  // platform id; empty for Create
  std::string external_id;
  std::string user_name;
  std::string reason;                // why (deactivate, link)
  std::vector<FieldChange> changes;  // Create: every field (before null)
  // Set when this action takes the account over from another daoctl job
  // (`sync plan --adopt-from JOB`): that job's name. Counted by the guards.
  std::string adopted_from = {};
  // The user's department path (the sources' for a created or updated user,
  // the platform's for one missing from the sources), so that a reviewer can
  // see the plan by department. Part of the hash when set (what a reviewer
  // was shown cannot be edited unseen); a plan saved before plans had it
  // keeps its hash.
  std::string department = {};
};

struct DepartmentAction {
  enum class Kind { Create, Delete } kind = Kind::Create;
  std::string path;
  std::string name;
  std::string parent_path;  // "" for a root
  std::string id;           // Delete: the platform id
};

// Sets a user's manager. Ids may be empty when the user or the manager is
// created by the same run: apply resolves them by external id.
struct ManagerChange {
  std::string external_id;
  std::string user_id;
  std::string before_id;           // "" = none
  std::string after_external_id;   // "" = remove the manager
  std::string after_id;
  // For review: the people by userName ("" = none / unknown).
  std::string user_name = {};
  std::string before_user_name = {};
  std::string after_user_name = {};
};

// Uploads a user's profile photo (platform target only). The plan names the
// photo by its sha256 and size and never holds the bytes: apply gets them
// from the run's desired users (ApplyOptions::photo_bytes) and refuses bytes
// whose sha256 is not after_sha256. A desired photo that is empty or absent
// plans nothing: sync never deletes a photo.
struct PhotoChange {
  std::string external_id;
  std::string user_id;        // empty when the user is created by this run
  std::string user_name;
  std::string before_sha256;  // "" = the platform has no photo
  std::string after_sha256;
  long after_size = 0;        // bytes
};

// Lower-case hex sha256 of a photo's bytes, as the platform's photoSha256.
std::string photo_sha256(std::string_view bytes);

struct GroupAction {
  // Rename: a directory group known by its stable id changed its name (the
  // platform group keeps its members). Link: an existing platform group of
  // that name (one this job made before it knew groups by id, or one without
  // an externalId) becomes the directory group's: it gets its externalId.
  enum class Kind { Create, AddMembers, RemoveMembers, Rename, Link } kind = Kind::Create;
  std::string name;                  // Rename: the new name
  std::string id;                    // empty when created by this run
  std::vector<std::string> members;  // Add: external ids; Remove: platform user ids
  std::vector<std::string> member_names = {};  // the same people by userName, for review
  // The group's externalId when it is known by a stable id (Create, Link);
  // empty: "<managedBy>:group:<name>", a group known by name.
  std::string external_id = {};
  std::string before_name = {};  // Rename: the name the platform has
};

// The externalId of the platform group of a directory group with stable id
// `key` (entryUUID, objectGUID), for the job with `managed_by`.
std::string group_external_id(const std::string& managed_by, const std::string& key);

struct PlanWarning {
  std::string object;
  std::string message;
};

// A value two people would hold although the target keeps it unique
// (userName, email): found by the plan, before anything is sent.
struct CollisionParty {
  std::string external_id;  // "" for a platform account no desired user maps to
  std::string user_name;    // the desired userName (a platform account: its userName)
  std::string id;           // platform id, when the person has an account
  std::string origin;       // the source record, or "platform account (managedBy …)"
  // holds: a platform account no employee of this job maps to holds the value;
  // keeps: this employee keeps (or, being first, gets) the value;
  // renamed: gets new_value (unique.<field>: suffix_number);
  // left_out: not created, or (an existing account) the field is left unchanged;
  // deferred: the value is freed by this very plan; taken by the next run.
  std::string outcome;
  std::string new_value;
};

struct Collision {
  std::string field;       // userName | email
  std::string value;       // as the sources want it
  std::string resolution;  // error | suffix_number
  std::vector<CollisionParty> parties;
  // A party was left out: apply carries out the rest and exits 3.
  bool unresolved() const;
};

// An employee whose account another daoctl job manages: left alone.
struct ForeignAccount {
  std::string external_id;
  std::string user_name;
  std::string id;
  std::string job;  // the other job ("daoctl:<job>")
};

enum class UniqueResolution { Error, SuffixNumber };

struct SyncPlan {
  std::string job;
  std::string target = "platform";
  std::string created_at;            // RFC 3339, not part of the hash
  std::string platform_fingerprint;  // PlatformState::fingerprint() when planned
  std::map<std::string, long> source_records;
  std::vector<DepartmentAction> departments;
  std::vector<UserAction> users;
  std::vector<ManagerChange> managers;
  std::vector<PhotoChange> photos;
  std::vector<GroupAction> groups;
  std::vector<PlanWarning> warnings;
  // What each join matched (sync::JoinStats::to_json, in join order): a
  // report on the sources, not a change, so not part of the hash.
  nlohmann::json joins = nlohmann::json::array();

  std::vector<Collision> collisions;        // sorted by field, value
  std::vector<ForeignAccount> other_jobs;   // sorted by userName
  // Users with no attribute, status or link change (a photo change alone
  // still counts them here; photos are counted in summary.photos).
  long unchanged_users = 0;
  long managed_users = 0;  // accounts of this job on the platform before the run

  bool has_changes() const;
  long count(UserActionKind kind) const;
  long adoptions() const;               // users with adopted_from
  long unresolved_collisions() const;   // parties left out
  // "sha256:…" over everything but created_at: names exactly this plan.
  std::string hash() const;
  nlohmann::json to_json() const;
  // The "summary" member of to_json(): counts per kind of change.
  nlohmann::json summary_json() const;
  // Errors (Config) name the JSON pointer of the first malformed member.
  static Result<SyncPlan> from_json(const nlohmann::json& doc);
};

struct PlanOptions {
  TargetKind target = TargetKind::Platform;
  std::string job;
  std::string managed_by;                 // "daoctl:<job>"
  std::vector<std::string> link_by;       // "email", "userName"
  std::string department_separator = "/";
  bool delete_empty_departments = false;
  bool deactivate_missing = false;        // missing_from_sources is a dismissal rule
  bool manage_groups = false;
  // target: scim stores the department as text in the Enterprise extension:
  // the whole path ("Sales/EMEA") unless the job asks for the leaf
  // (departments.scim_value: leaf). The plan shows the stored value.
  bool scim_department_leaf = false;
  // When set: the only blocked accounts sync may reactivate (the ones the
  // deprovisioning ledger says daoctl blocked). Any other blocked account was
  // blocked by an administrator and stays blocked.
  std::optional<std::set<std::string>> reactivate_only;
  // unique: {userName: …, email: …}: how a collision is resolved.
  UniqueResolution unique_user_name = UniqueResolution::Error;
  UniqueResolution unique_email = UniqueResolution::Error;
  // --adopt-from: the other jobs whose accounts this plan takes over. Any
  // other account managed by another daoctl job is left alone.
  std::set<std::string, std::less<>> adopt_from;

  // The job has a deprovision pipeline: leavers' group memberships are its
  // business (then: remove_from_groups), whatever the way of leaving
  // (missing from the sources, disabled, dismissed). The membership diff
  // neither removes nor adds a leaver: blocked on the platform and not
  // reactivated by this plan, deactivated by it, or inactive in the sources.
  bool leavers_groups_by_pipeline = false;

  // An incremental run (sync apply --incremental, sync watch): the plan
  // covers only the employees with these external ids (changed or deleted
  // in the directory), and `current` holds only the accounts found for them.
  // The rules are the same; what the plan concludes from absence is limited
  // to the scope: an account outside it is never deactivated as missing,
  // removed from a group, or counted to delete a department.
  const std::unordered_set<std::string>* scope = nullptr;
};

// Errors never happen here: conflicts (an ambiguous link) become warnings,
// collisions of userName/email become plan.collisions, accounts of other
// jobs plan.other_jobs, and those users are left alone.
SyncPlan compute_plan(const std::vector<DesiredUser>& desired, const PlatformState& current,
                      const PlanOptions& options);

// The photos apply uploads for plan.photos, by external id: the bytes, or
// where a PhotoStore keeps them. They are moved out of `desired` (whose
// photo fields become null), so a run holds each photo once; photos that do
// not change are not kept at all.
struct HeldPhoto {
  std::string bytes;                 // when no store holds them
  std::optional<StoredPhoto> stored;  // else read back at upload time
};
using PhotoBytes = std::unordered_map<std::string, HeldPhoto>;
PhotoBytes take_photo_bytes(const SyncPlan& plan, std::vector<DesiredUser>& desired);

}  // namespace daoctl::sync
