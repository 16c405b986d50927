// The settings and settings_images tables, the repository of the settings
// route group: every statement on them is here. A setting is one JSON
// document with a version; an image slot (logo, favicon) holds its bytes as a
// BLOB. The methods run on the Store's connection and expect the caller to
// hold store.mutex(), so that a route checks and writes under one lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/store.hpp"

namespace daoctl::sim {

struct StoredSetting {
  nlohmann::json body;
  std::int64_t version = 1;
};

struct StoredImage {
  std::string content_type;
  std::string data;
  std::optional<std::int64_t> width, height;
  std::string sha256;
  std::int64_t version = 0;
};

class SettingsTable {
 public:
  explicit SettingsTable(Store& store) : db_(store.db()) {}

  // CREATE TABLE IF NOT EXISTS (both tables).
  void create();
  // The stored document; nullopt for a setting never written.
  std::optional<StoredSetting> find(std::string_view name);
  void write(std::string_view name, const StoredSetting& setting, const std::string& now);
  std::optional<StoredImage> image(std::string_view slot);
  void write_image(std::string_view slot, const StoredImage& image, const std::string& now);

 private:
  SqliteDb& db_;
};

}  // namespace daoctl::sim
