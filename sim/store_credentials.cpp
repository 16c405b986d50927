// The Store's sessions and API tokens (one credentials table).
#include "sim/store.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

namespace {

const char* kind_name(CredentialKind kind) {
  return kind == CredentialKind::Session ? "session" : "token";
}

}  // namespace

ApiResult<std::vector<Credential>> Store::list_credentials(CredentialKind kind, std::int64_t user_id,
                                                           std::int64_t after_id, std::int64_t limit) {
  std::lock_guard lock(mutex_);
  if (!find_user_locked(user_id)) return api_fail(404, fmt::format("user {} does not exist", user_id));
  auto& st = db_->cached(
      "SELECT id, label, created_at, last_seen_at FROM credentials WHERE user_id=?1 AND kind=?2 "
      "AND id>?3 ORDER BY id LIMIT ?4");
  st.bind(1, user_id).bind(2, kind_name(kind)).bind(3, after_id).bind(4, limit);
  std::vector<Credential> out;
  while (st.step())
    out.push_back(Credential{st.column_int64(0), st.column_text(1), st.column_text(2), st.column_text(3)});
  st.reset();
  return out;
}

ApiResult<Credential> Store::create_credential(CredentialKind kind, std::int64_t user_id,
                                               const std::string& label) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  auto& user = db_->cached("SELECT active FROM users WHERE id=?1");
  user.bind(1, user_id);
  if (!user.step()) {
    user.reset();
    return api_fail(404, fmt::format("user {} does not exist", user_id));
  }
  bool active = user.column_int64(0) != 0;
  user.reset();
  if (!active && kind == CredentialKind::Session)
    return api_fail(403, fmt::format("user {} is blocked (active is false); login refused", user_id));
  auto now = rfc3339_now();
  db_->cached(
         "INSERT INTO credentials(user_id, kind, label, created_at, last_seen_at) "
         "VALUES(?1, ?2, ?3, ?4, ?4)")
      .bind(1, user_id)
      .bind(2, kind_name(kind))
      .bind(3, label)
      .bind(4, now)
      .run();
  Credential c{db_->last_insert_id(), label, now, now};
  tx.commit();
  return c;
}

ApiResult<std::int64_t> Store::revoke_credentials(CredentialKind kind, std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  Transaction tx(*db_);
  if (!find_user_locked(user_id)) return api_fail(404, fmt::format("user {} does not exist", user_id));
  db_->cached("DELETE FROM credentials WHERE user_id=?1 AND kind=?2")
      .bind(1, user_id)
      .bind(2, kind_name(kind))
      .run();
  std::int64_t revoked = db_->changes();
  tx.commit();
  return revoked;
}

}  // namespace daoctl::sim
