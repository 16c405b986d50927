// The file_files table (uploads for posts), the repository of the files
// route group: every statement on it is here. Its methods run on the Store's
// connection and expect the caller to hold store.mutex(), so that a route
// checks and writes under one lock. The table itself is created with the
// content tables (content_wire.cpp), which refer to its ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/store.hpp"

namespace daoctl::sim {

// A file's metadata, as the API shows it (the bytes are read apart).
struct StoredFile {
  std::int64_t id = 0;
  std::optional<std::string> external_id;
  std::string name;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  std::string created_at;
  std::int64_t version = 1;
};

struct FileContent {
  std::string content_type;
  std::string data;
  std::int64_t version = 1;
};

class FileTable {
 public:
  explicit FileTable(Store& store) : db_(store.db()) {}

  std::optional<StoredFile> find(std::int64_t id);
  std::optional<std::int64_t> find_by_external_id(const std::string& external_id);
  std::optional<FileContent> content(std::int64_t id);
  // Inserts `f` (version 1) with its bytes and sets its id.
  void insert(StoredFile& f, std::string_view bytes);
  // The first post that shows the file (as its banner or an attachment).
  std::optional<std::int64_t> first_post_showing(std::int64_t id);
  void remove(std::int64_t id);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
