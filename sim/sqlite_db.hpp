// A thin RAII layer over one SQLite connection: statements with typed binds,
// transactions that roll back unless committed. Not thread-safe: the Store
// serialises every use behind its mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace daoctl::sim {

// Thrown for SQLite failures that are bugs or I/O problems (not for expected
// outcomes such as "no row"); the HTTP layer turns it into a 500.
class SqliteFailure : public std::runtime_error {
 public:
  SqliteFailure(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  ~Statement();

  // Binds are 1-based like SQLite's; each returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_null(int index);
  // The bytes as a BLOB (bind(string_view) stores TEXT).
  Statement& bind_blob(int index, std::string_view bytes);

  // True while a row is available; false when done. Throws SqliteFailure
  // (with the constraint code for UNIQUE violations) on error.
  bool step();
  // step() for statements that return no rows, then reset().
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::string_view column_view(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  // A BLOB column's bytes (also reads TEXT as its bytes).
  std::string column_blob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating) the file in WAL mode with a busy timeout.
  explicit SqliteDb(const std::filesystem::path& file);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  void exec(const std::string& sql);
  // A fresh statement; prefer cached() for statements run per request.
  Statement prepare(std::string_view sql);
  // A statement prepared once and reused; reset before it is handed out.
  Statement& cached(const std::string& sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement> cache_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace daoctl::sim
