#include "sim/store_files.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"

namespace daoctl::sim {

namespace {

constexpr const char* kFileColumns = "id, external_id, name, content_type, size, sha256, created_at, version";

StoredFile read_file_row(Statement& st) {
  StoredFile f;
  f.id = st.column_int64(0);
  f.external_id = st.column_optional_text(1);
  f.name = st.column_text(2);
  f.content_type = st.column_text(3);
  f.size = st.column_int64(4);
  f.sha256 = st.column_text(5);
  f.created_at = st.column_text(6);
  f.version = st.column_int64(7);
  return f;
}

}  // namespace

std::optional<StoredFile> FileTable::find(std::int64_t id) {
  auto& st = db_.cached(fmt::format("SELECT {} FROM file_files WHERE id=?", kFileColumns));
  st.bind(1, id);
  std::optional<StoredFile> f;
  if (st.step()) f = read_file_row(st);
  st.reset();
  return f;
}

std::optional<std::int64_t> FileTable::find_by_external_id(const std::string& external_id) {
  return detail::id_where(db_, "SELECT id FROM file_files WHERE external_id=?", external_id);
}

std::optional<FileContent> FileTable::content(std::int64_t id) {
  auto& st = db_.cached("SELECT content_type, data, version FROM file_files WHERE id=?");
  st.bind(1, id);
  std::optional<FileContent> c;
  if (st.step()) c = FileContent{st.column_text(0), st.column_text(1), st.column_int64(2)};
  st.reset();
  return c;
}

void FileTable::insert(StoredFile& f, std::string_view bytes) {
  auto& st = db_.cached(
      "INSERT INTO file_files(external_id, name, content_type, size, sha256, created_at, version, data) "
      "VALUES(?,?,?,?,?,?,1,?)");
  st.bind(1, f.external_id).bind(2, f.name).bind(3, f.content_type).bind(4, f.size);
  st.bind(5, f.sha256).bind(6, f.created_at).bind(7, bytes);
  st.run();
  f.id = db_.last_insert_id();
  f.version = 1;
}

std::optional<std::int64_t> FileTable::first_post_showing(std::int64_t id) {
  auto& st = db_.cached(
      "SELECT p.id FROM content_posts p WHERE json_extract(p.doc, '$.banner') = ?1 OR EXISTS "
      "(SELECT 1 FROM json_each(p.doc, '$.attachments') WHERE value = ?1) LIMIT 1");
  st.bind(1, std::to_string(id));
  std::optional<std::int64_t> post;
  if (st.step()) post = st.column_int64(0);
  st.reset();
  return post;
}

void FileTable::remove(std::int64_t id) {
  auto& st = db_.cached("DELETE FROM file_files WHERE id=?");
  st.bind(1, id);
  st.run();
}

}  // namespace daoctl::sim
