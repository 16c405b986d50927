// The content tables: posts with their comments and reactions, and awards,
// the repositories of the posts and awards route groups. Every statement on
// them is here, and the schema of all content tables (events and files too,
// whose statements are in store_events and store_files) with the triggers
// that count activity for the statistics. A post, comment or award is stored
// as its JSON document plus the columns it is looked up and filtered by.
// The methods run on the Store's connection and expect the caller to hold
// store.mutex(), so that a route checks and writes under one lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/store.hpp"

namespace daoctl::sim {

// CREATE TABLE / TRIGGER IF NOT EXISTS for posts, comments, reactions,
// awards, events, invitations and files, after the statistics tables.
void create_content_schema(SqliteDb& db);

// Whether `table` exists and has a row with this id (communities and badges
// belong to other route groups: without their table nothing can exist).
bool table_has_row(SqliteDb& db, const char* table, std::int64_t id);

// A stored document and its id (and version where it has one).
struct StoredDoc {
  std::int64_t id = 0;
  std::int64_t version = 1;
  std::string doc;  // the JSON text, without "id"
};

struct PostFilter {
  std::int64_t after_id = 0;
  // Column = value, decimal text for the id columns (INTEGER affinity makes
  // SQLite compare them as numbers).
  std::optional<std::string> type, community_id, author_id, external_id;
};

struct Reaction {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string kind;
  std::string created_at;
};

class PostTable {
 public:
  explicit PostTable(Store& store) : db_(store.db()) {}

  std::optional<StoredDoc> find(std::int64_t id);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  std::vector<StoredDoc> list(const PostFilter& filter, std::int64_t limit);
  // Inserts the document (version 1; its external_id, type, author_id and
  // community_id become the columns) and returns its id.
  std::int64_t insert(const nlohmann::json& doc);
  void update(std::int64_t id, std::int64_t version, const nlohmann::json& doc);
  // The post with its comments and reactions, in one transaction.
  void remove(std::int64_t id);
  std::int64_t comment_count(std::int64_t post_id);
  std::map<std::string, std::int64_t> reaction_counts(std::int64_t post_id);

  // Comments, oldest first: those after (after_time, after_id).
  std::vector<StoredDoc> comments(std::int64_t post_id, const std::string& after_time, std::int64_t after_id,
                                  std::int64_t limit);
  std::optional<std::int64_t> post_of_comment(std::int64_t comment_id);
  std::optional<std::int64_t> find_comment_by_external_id(const std::string& external_id);
  std::int64_t insert_comment(std::int64_t post_id, const nlohmann::json& doc);

  std::vector<Reaction> reactions(std::int64_t post_id, std::int64_t after_id, std::int64_t limit);
  // One reaction per user and post: sets it; true when it replaced one.
  bool react(std::int64_t post_id, std::int64_t user_id, const std::string& kind, const std::string& created_at);

 private:
  SqliteDb& db_;
};

class AwardTable {
 public:
  explicit AwardTable(Store& store) : db_(store.db()) {}

  std::vector<StoredDoc> list(std::int64_t user_id, std::int64_t after_id, std::int64_t limit);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  // Inserts the award and counts it for the statistics, in one transaction.
  std::int64_t insert(std::int64_t user_id, std::int64_t badge_id, const nlohmann::json& doc);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
