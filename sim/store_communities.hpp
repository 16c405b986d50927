// The communities table, the repository of the communities route group:
// every statement on it is here. Its methods run on the Store's connection
// and expect the caller to hold store.mutex(), so that a route checks and
// writes under one lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/store.hpp"

namespace daoctl::sim {

struct Community {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string visibility = "public";
  std::vector<std::string> owners;
  std::vector<std::string> members;
  std::optional<std::string> external_id;
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
};

class CommunityTable {
 public:
  explicit CommunityTable(Store& store) : db_(store.db()) {}

  // CREATE TABLE IF NOT EXISTS.
  void create();
  std::optional<Community> find(std::int64_t id);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  // Communities with id > after_id (only the one with this external id, if
  // given), by id, at most `limit`.
  std::vector<Community> list(std::int64_t after_id, const std::optional<std::string>& external_id,
                              std::int64_t limit);
  // Inserts `c` as it is and sets its id.
  void insert(Community& c);
  // Writes every column of `c` over the row with its id.
  void update(const Community& c);
  void remove(std::int64_t id);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
