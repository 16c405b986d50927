// The event_events and event_invitations tables, the repository of the
// events route group: every statement on them is here. An event is stored as
// its JSON document (with external_id and starts_at as columns, for lookups
// and the time filter); an invitation is a row per event and user. The
// methods run on the Store's connection and expect the caller to hold
// store.mutex(), so that a route checks and writes under one lock. The
// tables are created with the content tables (content_wire.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/store.hpp"

namespace daoctl::sim {

struct StoredEvent {
  std::int64_t version = 0;
  nlohmann::json doc;  // with "id" set
};

struct EventFilter {
  std::int64_t after_id = 0;
  std::optional<std::string> starts_from;   // starts_at >= (RFC 3339, normalized)
  std::optional<std::string> starts_before; // starts_at <
  std::optional<std::string> external_id;
};

struct Invitation {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string state;
  std::string invited_at;
  std::optional<std::string> responded_at;
};

class EventTable {
 public:
  explicit EventTable(Store& store) : db_(store.db()) {}

  std::optional<StoredEvent> find(std::int64_t id);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  // The events that pass `filter`, by id, at most `limit` documents (with "id").
  std::vector<nlohmann::json> list(const EventFilter& filter, std::int64_t limit);
  // Inserts the document (version 1) and returns its id.
  std::int64_t insert(const nlohmann::json& doc);
  void update(std::int64_t id, std::int64_t version, const nlohmann::json& doc);
  // The event and its invitations, in one transaction.
  void remove(std::int64_t id);

  // The event's invitations with id > after_id (only those in `state`, unless
  // it is empty), by id, at most `limit`.
  std::vector<Invitation> invitations(std::int64_t event_id, std::int64_t after_id, const std::string& state,
                                      std::int64_t limit);
  // Invites the users (a user already invited keeps their invitation), in
  // one transaction; returns how many were new. A "pending" invitation has
  // no response time; any other state responded at `now`.
  std::int64_t invite(std::int64_t event_id, const std::vector<std::int64_t>& users, const std::string& state,
                      const std::string& now);
  // Sets a user's answer; nullopt when the user is not invited.
  std::optional<Invitation> respond(std::int64_t event_id, std::int64_t user_id, const std::string& state,
                                    const std::string& now);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
