// What a sync compares: users as the sources want them (DesiredUser) and the
// platform as it is (PlatformState), both reduced to the mapped fields.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/mapping/value.hpp"

namespace daoctl::sync {

// A field's name, interned: every user's "email" points at one shared copy of
// "email" instead of holding its own 32-byte std::string, which was a third
// of each Fields entry (two users, a dozen fields each, per employee). Reads
// like a const std::string; names compare by text, and equal texts are the
// same pointer. The table only grows (a job maps a few dozen names).
class FieldName {
 public:
  FieldName(std::string_view name) : name_(&intern(name)) {}       // NOLINT(google-explicit-constructor)
  FieldName(const char* name) : FieldName(std::string_view(name)) {}  // NOLINT(google-explicit-constructor)
  FieldName(const std::string& name) : FieldName(std::string_view(name)) {}  // NOLINT(google-explicit-constructor)

  const std::string& str() const noexcept { return *name_; }
  operator const std::string&() const noexcept { return *name_; }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const noexcept { return *name_; }    // NOLINT(google-explicit-constructor)
  const char* c_str() const noexcept { return name_->c_str(); }
  std::size_t size() const noexcept { return name_->size(); }
  bool empty() const noexcept { return name_->empty(); }

  friend bool operator==(const FieldName& a, const FieldName& b) noexcept { return a.name_ == b.name_; }
  friend bool operator==(const FieldName& a, std::string_view b) noexcept { return *a.name_ == b; }
  friend bool operator==(const FieldName& a, const std::string& b) noexcept { return *a.name_ == b; }
  friend bool operator==(const FieldName& a, const char* b) noexcept { return *a.name_ == b; }
  friend std::strong_ordering operator<=>(const FieldName& a, const FieldName& b) noexcept {
    return std::string_view(*a.name_) <=> std::string_view(*b.name_);
  }
  friend std::strong_ordering operator<=>(const FieldName& a, std::string_view b) noexcept {
    return std::string_view(*a.name_) <=> b;
  }

 private:
  static const std::string& intern(std::string_view name);  // thread-safe; core/sync/plan.cpp
  const std::string* name_;
};

// The mapped fields of one user: a handful of (name, value) pairs kept
// sorted by name in one vector, with the subset of std::map's interface the
// sync uses (iteration in name order, find, at, [], count, erase, emplace).
// A std::map node per field cost ~40 bytes and one allocation each: with
// two users (desired and platform) per employee, that was a quarter of a
// no-op plan's memory at 100k employees.
class Fields {
 public:
  using key_type = FieldName;
  using mapped_type = mapping::Value;
  using value_type = std::pair<FieldName, mapping::Value>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  Fields() = default;
  Fields(std::initializer_list<value_type> init) {  // the first of equal names wins, as in std::map
    for (const auto& v : init) emplace(v.first, v.second);
  }

  iterator begin() noexcept { return items_.begin(); }
  iterator end() noexcept { return items_.end(); }
  const_iterator begin() const noexcept { return items_.begin(); }
  const_iterator end() const noexcept { return items_.end(); }
  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  void clear() noexcept { items_.clear(); }
  // Room for `n` fields (a reader that knows how many it sets allocates once).
  void reserve(std::size_t n) { items_.reserve(n); }
  void shrink_to_fit() { items_.shrink_to_fit(); }

  iterator find(std::string_view name) {
    auto it = lower(name);
    return it != items_.end() && it->first == name ? it : items_.end();
  }
  const_iterator find(std::string_view name) const {
    auto it = lower(name);
    return it != items_.end() && it->first == name ? it : items_.end();
  }
  std::size_t count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  bool contains(std::string_view name) const { return find(name) != end(); }
  mapping::Value& at(std::string_view name) {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("Fields::at: no field " + std::string(name));
    return it->second;
  }
  const mapping::Value& at(std::string_view name) const {
    auto it = find(name);
    if (it == end()) throw std::out_of_range("Fields::at: no field " + std::string(name));
    return it->second;
  }
  mapping::Value& operator[](std::string_view name) { return try_emplace(name).first->second; }

  template <class... Args>
  std::pair<iterator, bool> try_emplace(std::string_view name, Args&&... args) {
    auto it = lower(name);
    if (it != items_.end() && it->first == name) return {it, false};
    return {items_.emplace(it, std::piecewise_construct, std::forward_as_tuple(name),
                           std::forward_as_tuple(std::forward<Args>(args)...)),
            true};
  }
  template <class V>
  std::pair<iterator, bool> emplace(std::string_view name, V&& value) {
    return try_emplace(name, std::forward<V>(value));
  }
  std::pair<iterator, bool> insert(value_type v) {
    auto it = lower(v.first);
    if (it != items_.end() && it->first == v.first) return {it, false};
    return {items_.insert(it, std::move(v)), true};
  }
  template <class V>
  std::pair<iterator, bool> insert_or_assign(std::string_view name, V&& value) {
    auto r = try_emplace(name);
    r.first->second = std::forward<V>(value);
    return r;
  }
  iterator erase(const_iterator it) { return items_.erase(it); }
  std::size_t erase(std::string_view name) {
    auto it = find(name);
    if (it == end()) return 0;
    items_.erase(it);
    return 1;
  }

  friend bool operator==(const Fields&, const Fields&) = default;

 private:
  iterator lower(std::string_view name) {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const value_type& v, std::string_view n) { return std::string_view(v.first) < n; });
  }
  const_iterator lower(std::string_view name) const {
    return std::lower_bound(items_.begin(), items_.end(), name,
                            [](const value_type& v, std::string_view n) { return std::string_view(v.first) < n; });
  }
  std::vector<value_type> items_;
};

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
