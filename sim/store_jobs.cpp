// The Store's background jobs.
#include "sim/store.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

namespace {
Job read_job(Statement& st) {
  return Job{st.column_int64(0),          st.column_text(1),           st.column_text(2),
             st.column_double(3),         st.column_optional_text(4), st.column_optional_text(5),
             st.column_text(6),           st.column_text(7)};
}
constexpr const char* kJobColumns =
    "SELECT id, kind, state, progress, error, result, created_at, updated_at FROM jobs ";
}  // namespace

Job Store::create_job(const std::string& kind) {
  std::lock_guard lock(mutex_);
  auto now = rfc3339_now();
  db_->cached(
         "INSERT INTO jobs(kind, state, progress, created_at, updated_at) VALUES(?1, 'queued', 0, "
         "?2, ?2)")
      .bind(1, kind)
      .bind(2, now)
      .run();
  return Job{db_->last_insert_id(), kind, "queued", 0.0, std::nullopt, std::nullopt, now, now};
}

std::optional<Job> Store::update_job(std::int64_t id, const std::string& state, double progress,
                                     const std::optional<std::string>& error_json,
                                     const std::optional<std::string>& result_json) {
  std::lock_guard lock(mutex_);
  db_->cached("UPDATE jobs SET state=?2, progress=?3, error=?4, result=?5, updated_at=?6 WHERE id=?1")
      .bind(1, id)
      .bind(2, state)
      .bind(3, progress)
      .bind(4, error_json)
      .bind(5, result_json)
      .bind(6, rfc3339_now())
      .run();
  auto& st = db_->cached(std::string(kJobColumns) + "WHERE id=?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  auto job = read_job(st);
  st.reset();
  return job;
}

std::optional<Job> Store::find_job(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto& st = db_->cached(std::string(kJobColumns) + "WHERE id=?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  auto job = read_job(st);
  st.reset();
  return job;
}

std::vector<Job> Store::list_jobs(const std::optional<std::string>& kind, std::int64_t after_id,
                                  std::int64_t limit) {
  std::lock_guard lock(mutex_);
  auto& st = db_->cached(std::string(kJobColumns) +
                         "WHERE id>?1 AND (?2 IS NULL OR kind=?2) ORDER BY id LIMIT ?3");
  st.bind(1, after_id).bind(2, kind).bind(3, limit);
  std::vector<Job> out;
  while (st.step()) out.push_back(read_job(st));
  st.reset();
  return out;
}

}  // namespace daoctl::sim
