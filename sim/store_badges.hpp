// The badge catalogue's table (badges), the repository of the badges route
// group: every statement on it is here. Its methods run on the Store's
// connection and expect the caller to hold store.mutex(), so that a route
// checks and writes under one lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/store.hpp"

namespace daoctl::sim {

struct Badge {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::optional<std::string> icon_file_id;
  std::optional<std::string> external_id;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

class BadgeTable {
 public:
  explicit BadgeTable(Store& store) : db_(store.db()) {}

  // CREATE TABLE IF NOT EXISTS.
  void create();
  std::optional<Badge> find(std::int64_t id);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  // Badges with id > after_id (only the one with this external id, if given),
  // by id, at most `limit`.
  std::vector<Badge> list(std::int64_t after_id, const std::optional<std::string>& external_id,
                          std::int64_t limit);
  // Inserts `b` as it is and sets its id.
  void insert(Badge& b);
  // Writes every column of `b` over the row with its id.
  void update(const Badge& b);
  void remove(std::int64_t id);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
