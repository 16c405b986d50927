#include "sim/store_settings.hpp"

#include "sim/sqlite_db.hpp"

namespace daoctl::sim {

using nlohmann::json;

void SettingsTable::create() {
  db_.exec(R"(
CREATE TABLE IF NOT EXISTS settings(
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings_images(
  slot TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  width INTEGER,
  height INTEGER,
  sha256 TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL);
)");
}

std::optional<StoredSetting> SettingsTable::find(std::string_view name) {
  auto& st = db_.cached("SELECT body, version FROM settings WHERE name = ?");
  st.bind(1, name);
  std::optional<StoredSetting> s;
  if (st.step()) s = StoredSetting{json::parse(st.column_view(0)), st.column_int64(1)};
  st.reset();
  return s;
}

void SettingsTable::write(std::string_view name, const StoredSetting& setting, const std::string& now) {
  auto& st = db_.cached(
      "INSERT INTO settings(name, body, version, updated_at) VALUES(?, ?, ?, ?) ON CONFLICT(name) DO "
      "UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at");
  st.bind(1, name).bind(2, setting.body.dump()).bind(3, setting.version).bind(4, now);
  st.run();
}

std::optional<StoredImage> SettingsTable::image(std::string_view slot) {
  auto& st = db_.cached("SELECT content_type, data, width, height, sha256, version FROM settings_images WHERE slot = ?");
  st.bind(1, slot);
  std::optional<StoredImage> image;
  if (st.step())
    image = StoredImage{st.column_text(0),           st.column_blob(1), st.column_optional_int64(2),
                        st.column_optional_int64(3), st.column_text(4), st.column_int64(5)};
  st.reset();
  return image;
}

void SettingsTable::write_image(std::string_view slot, const StoredImage& image, const std::string& now) {
  auto& st = db_.cached(
      "INSERT INTO settings_images(slot, content_type, data, width, height, sha256, version, updated_at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slot) DO UPDATE SET content_type = excluded.content_type, "
      "data = excluded.data, width = excluded.width, height = excluded.height, sha256 = excluded.sha256, "
      "version = excluded.version, updated_at = excluded.updated_at");
  st.bind(1, slot).bind(2, image.content_type).bind_blob(3, image.data);
  st.bind(4, image.width).bind(5, image.height).bind(6, image.sha256).bind(7, image.version);
  st.bind(8, now);
  st.run();
}

}  // namespace daoctl::sim
