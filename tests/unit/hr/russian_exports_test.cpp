// Russian HR exports as they come: Windows-1251 or KOI8-R without a BOM,
// read with encoding: auto; and the column names a sync checks before the
// first record.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "connectors/hr/csv_source.hpp"
#include "core/text/encoding.hpp"
#include "fixtures.hpp"

using namespace daoctl;
using namespace daoctl::hr;
using daoctl::hr::test::collect_into;
using daoctl::hr::test::fixture;

namespace {

Result<std::string> decode_chunked(const std::string& bytes, text::Encoding e, size_t chunk, text::Encoding* resolved) {
  auto d = text::Utf8Decoder::create(e, "in.csv");
  if (!d) return std::unexpected(d.error());
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += chunk)
    if (auto st = d->feed(std::string_view(bytes).substr(i, chunk), out); !st) return std::unexpected(st.error());
  if (auto st = d->finish(out); !st) return std::unexpected(st.error());
  if (resolved) *resolved = d->encoding();
  return out;
}

}  // namespace

TEST_CASE("encoding: auto reads 1C exports in Windows-1251 and KOI8-R", "[encoding]") {
  for (auto [file, expected] : {std::pair{"zup_rehire_windows1251.csv", text::Encoding::Windows1251},
                                std::pair{"zup_rehire_koi8r.csv", text::Encoding::Koi8R}}) {
    CsvSourceOptions o;
    o.path = fixture(file);
    o.delimiter = ';';
    o.key = "Табельный номер";
    std::vector<SourceRecord> records;
    auto report = read_csv_file(o, collect_into(records));
    INFO(file << ": " << (report ? "" : report.error().describe()));
    REQUIRE(report);
    REQUIRE(records.size() == 4);
    CHECK(records[0].first("ФИО") == "Петров Пётр Петрович");
    CHECK(records[0].first("Дата приема") == "24.04.2013");
    CHECK(records[3].first("ФИО") == "Щукина Юлия Эдуардовна");
    CHECK(records[1].first("Должность") == "Главный бухгалтер");
    // And which one it was, whatever the chunk size.
    std::string bytes;
    {
      FILE* f = std::fopen(o.path.c_str(), "rb");
      REQUIRE(f);
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
      std::fclose(f);
    }
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{64 * 1024}}) {
      text::Encoding resolved = text::Encoding::Auto;
      auto text = decode_chunked(bytes, text::Encoding::Auto, chunk, &resolved);
      REQUIRE(text);
      CHECK(resolved == expected);
      CHECK(text->rfind("Табельный номер;ФИО", 0) == 0);
    }
  }
}

TEST_CASE("encoding: auto guesses after a long ASCII start and on short texts", "[encoding]") {
  // An export whose first 100 kB are ASCII (numbers, logins), the first
  // Cyrillic far beyond the first read.
  std::string ascii;
  for (int i = 0; i < 5000; ++i) ascii += "00000" + std::to_string(i) + ";login" + std::to_string(i) + ";\n";
  const std::string cp1251 = "\xCF\xE5\xF2\xF0\xEE\xE2;\xEE\xF2\xE4\xE5\xEB \xEF\xF0\xEE\xE4\xE0\xE6\n";  // Петров;отдел продаж
  const std::string koi8 = "\xF0\xC5\xD4\xD2\xCF\xD7;\xCF\xD4\xC4\xC5\xCC \xD0\xD2\xCF\xC4\xC1\xD6\n";    // the same in KOI8-R
  for (auto [tail, expected] : {std::pair{cp1251, text::Encoding::Windows1251}, std::pair{koi8, text::Encoding::Koi8R}}) {
    text::Encoding resolved = text::Encoding::Auto;
    auto text = decode_chunked(ascii + tail, text::Encoding::Auto, 64 * 1024, &resolved);
    REQUIRE(text);
    CHECK(resolved == expected);
    CHECK(text->substr(ascii.size()) == "Петров;отдел продаж\n");
  }
  // Short: one surname.
  text::Encoding resolved = text::Encoding::Auto;
  auto one = decode_chunked("id;\xC8\xE2\xE0\xED\xEE\xE2\n", text::Encoding::Auto, 3, &resolved);
  REQUIRE(one);
  CHECK(*one == "id;Иванов\n");
}

TEST_CASE("encoding: auto still refuses what is neither UTF-8 nor Russian", "[encoding]") {
  // Latin-1 "Müller": one high byte that is no Cyrillic letter.
  auto latin = decode_chunked("name\nM\xFCller\n", text::Encoding::Auto, 4096, nullptr);
  REQUIRE_FALSE(latin);
  CHECK(latin.error().message == "cannot decode in.csv as UTF-8");
  // UTF-8 first, then a stray byte: UTF-8 with a broken byte, not a guess.
  auto mixed = decode_chunked("id;\xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0\n2;\xE8\xE2\xE0\xED\n", text::Encoding::Auto, 4096, nullptr);
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().message == "cannot decode in.csv as UTF-8");
}

TEST_CASE("the column names reach on_columns before the first record, and its error stops the read", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("zup_rehire_windows1251.csv");
  o.delimiter = ';';
  std::vector<std::string> seen;
  int records = 0;
  o.on_columns = [&](const std::vector<std::string>& columns) -> Status {
    seen = columns;
    if (records != 0) return fail(ErrorKind::Internal, "records came first");
    return fail(ErrorKind::Config, "no column 'Дата приёма'");
  };
  auto report = read_csv_file(o, [&](SourceRecord&&) -> Status {
    ++records;
    return {};
  });
  REQUIRE_FALSE(report);
  CHECK(report.error().message == "no column 'Дата приёма'");
  CHECK(records == 0);
  CHECK(seen == std::vector<std::string>{"Табельный номер", "ФИО", "Подразделение", "Должность", "Дата приема",
                                         "Дата увольнения", "ПРИЗНАК"});

  auto header = read_csv_header(o);
  REQUIRE(header);
  CHECK(*header == seen);
  o.path = fixture("zup_1c_windows1251.csv");  // a trailing ';': no empty name
  auto trailing = read_csv_header(o);
  REQUIRE(trailing);
  CHECK(trailing->size() == 8);
  CHECK(trailing->back() == "Дата увольнения");
}
