#include "sim/store_events.hpp"

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

constexpr const char* kInvitationColumns = "id, user_id, state, invited_at, responded_at";

Invitation read_invitation(Statement& st) {
  return {st.column_int64(0), st.column_int64(1), st.column_text(2), st.column_text(3),
          st.column_optional_text(4)};
}

}  // namespace

std::optional<StoredEvent> EventTable::find(std::int64_t id) {
  auto& st = db_.cached("SELECT version, doc FROM event_events WHERE id=?");
  st.bind(1, id);
  std::optional<StoredEvent> e;
  if (st.step()) {
    e = StoredEvent{st.column_int64(0), json::parse(st.column_view(1))};
    e->doc["id"] = std::to_string(id);
  }
  st.reset();
  return e;
}

std::optional<std::int64_t> EventTable::find_by_external_id(const std::string& external_id) {
  return detail::id_where(db_, "SELECT id FROM event_events WHERE external_id=?", external_id);
}

std::vector<json> EventTable::list(const EventFilter& filter, std::int64_t limit) {
  SqlCondition c{"id > ?", {filter.after_id}};
  detail::and_if(c, "starts_at >= ?", filter.starts_from);
  detail::and_if(c, "starts_at < ?", filter.starts_before);
  detail::and_if(c, "external_id = ?", filter.external_id);
  auto st = detail::select_page(db_, "event_events", c, limit);
  std::vector<json> out;
  while (st.step()) {
    json doc = json::parse(st.column_view(1));
    doc["id"] = std::to_string(st.column_int64(0));
    out.push_back(std::move(doc));
  }
  return out;
}

std::int64_t EventTable::insert(const json& doc) {
  auto& st = db_.cached("INSERT INTO event_events(external_id, starts_at, version, doc) VALUES(?,?,1,?)");
  st.bind(1, detail::optional_string(doc["external_id"])).bind(2, doc["starts_at"].get<std::string>()).bind(3, doc.dump());
  st.run();
  return db_.last_insert_id();
}

void EventTable::update(std::int64_t id, std::int64_t version, const json& doc) {
  auto& st = db_.cached("UPDATE event_events SET external_id=?, starts_at=?, version=?, doc=? WHERE id=?");
  st.bind(1, detail::optional_string(doc["external_id"])).bind(2, doc["starts_at"].get<std::string>()).bind(3, version);
  st.bind(4, doc.dump()).bind(5, id);
  st.run();
}

void EventTable::remove(std::int64_t id) {
  Transaction tx(db_);
  for (const char* sql : {"DELETE FROM event_invitations WHERE event_id=?", "DELETE FROM event_events WHERE id=?"}) {
    auto& st = db_.cached(sql);
    st.bind(1, id);
    st.run();
  }
  tx.commit();
}

std::vector<Invitation> EventTable::invitations(std::int64_t event_id, std::int64_t after_id,
                                                const std::string& state, std::int64_t limit) {
  auto& st = db_.cached(std::string("SELECT ") + kInvitationColumns +
                        " FROM event_invitations WHERE event_id=? AND id > ? AND (?='' OR state=?) ORDER BY id LIMIT ?");
  st.bind(1, event_id).bind(2, after_id).bind(3, state).bind(4, state).bind(5, limit);
  std::vector<Invitation> out;
  while (st.step()) out.push_back(read_invitation(st));
  st.reset();
  return out;
}

std::int64_t EventTable::invite(std::int64_t event_id, const std::vector<std::int64_t>& users,
                                const std::string& state, const std::string& now) {
  std::int64_t invited = 0;
  Transaction tx(db_);
  auto& st = db_.cached(
      "INSERT INTO event_invitations(event_id, user_id, state, invited_at, responded_at) VALUES(?,?,?,?,?) "
      "ON CONFLICT(event_id, user_id) DO NOTHING");
  for (auto uid : users) {
    st.bind(1, event_id).bind(2, uid).bind(3, state).bind(4, now);
    if (state == "pending")
      st.bind_null(5);
    else
      st.bind(5, now);
    st.run();
    invited += db_.changes();
  }
  tx.commit();
  return invited;
}

std::optional<Invitation> EventTable::respond(std::int64_t event_id, std::int64_t user_id, const std::string& state,
                                              const std::string& now) {
  auto& update = db_.cached("UPDATE event_invitations SET state=?, responded_at=? WHERE event_id=? AND user_id=?");
  update.bind(1, state).bind(2, now).bind(3, event_id).bind(4, user_id);
  update.run();
  if (db_.changes() == 0) return std::nullopt;
  auto& read = db_.cached(std::string("SELECT ") + kInvitationColumns +
                          " FROM event_invitations WHERE event_id=? AND user_id=?");
  read.bind(1, event_id).bind(2, user_id);
  std::optional<Invitation> out;
  if (read.step()) out = read_invitation(read);
  read.reset();
  return out;
}

}  // namespace daoctl::sim
