// The Store's Idempotency-Key memory: replies kept 24 h.
#include "sim/store.hpp"

#include <fmt/format.h>

#include <chrono>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

namespace {

constexpr std::int64_t kReplyLifetimeSeconds = 24 * 3600;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<StoredReply> Store::find_reply(const std::string& key, const std::string& method,
                                             const std::string& path) {
  std::lock_guard lock(mutex_);
  auto& st = db_->cached(
      "SELECT request_hash, status, content_type, body, location, etag FROM idempotency "
      "WHERE key=?1 AND method=?2 AND path=?3 AND created_unix>=?4");
  st.bind(1, key).bind(2, method).bind(3, path).bind(4, unix_now() - kReplyLifetimeSeconds);
  if (!st.step()) return std::nullopt;
  StoredReply r{st.column_text(0), static_cast<int>(st.column_int64(1)), st.column_text(2),
                st.column_text(3), st.column_text(4), st.column_text(5)};
  st.reset();
  return r;
}

void Store::save_reply(const std::string& key, const std::string& method, const std::string& path,
                       const StoredReply& reply) {
  std::lock_guard lock(mutex_);
  auto now = unix_now();
  db_->cached("DELETE FROM idempotency WHERE created_unix<?1").bind(1, now - kReplyLifetimeSeconds).run();
  db_->cached(
         "INSERT OR REPLACE INTO idempotency(key, method, path, request_hash, status, content_type, "
         "body, location, etag, created_unix) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)")
      .bind(1, key)
      .bind(2, method)
      .bind(3, path)
      .bind(4, reply.request_hash)
      .bind(5, reply.status)
      .bind(6, reply.content_type)
      .bind(7, reply.body)
      .bind(8, reply.location)
      .bind(9, reply.etag)
      .bind(10, now)
      .run();
}

}  // namespace daoctl::sim
