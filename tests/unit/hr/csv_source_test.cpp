#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "connectors/hr/csv_source.hpp"
#include "core/hr/csv_parser.hpp"
#include "core/text/date.hpp"
#include "fixtures.hpp"

using namespace daoctl;
using namespace daoctl::hr;
using daoctl::hr::test::collect_into;
using daoctl::hr::test::describe_fields;
using daoctl::hr::test::fixture;

TEST_CASE("1C:ZUP export in Windows-1251, semicolon-separated, dd.MM.yyyy dates", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("zup_1c_windows1251.csv");
  o.encoding = text::Encoding::Windows1251;
  o.delimiter = ';';
  o.key = "Табельный номер";
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  REQUIRE(report);
  CHECK(report->complete);
  CHECK(report->records == 3);
  CHECK(report->skipped_blank == 2);
  CHECK(report->ragged_rows == 0);
  REQUIRE(records.size() == 3);
  CHECK(records[0].origin == o.path + ":2");
  CHECK(describe_fields(records[0]) ==
        std::vector<std::string>{"Табельный номер=00001", "Фамилия=Иванов", "Имя=Иван",
                                 "Отчество=Иванович", "Подразделение=ИТ/Разработка",
                                 "Должность=Программист", "Дата приёма=15.01.2020",
                                 "Дата увольнения="});
  CHECK(records[1].first("Подразделение") == "Бухгалтерия; расчёт");
  CHECK(records[1].first("Дата увольнения") == "31.12.2023");
  CHECK(records[2].first("Подразделение") == "Отдел \"Продажи\"");
  CHECK(records[2].first("Должность") == "Менеджер № 1");
  CHECK(records[2].find("Отчество")->values.empty());

  auto pattern = text::DatePattern::compile("dd.MM.yyyy").value();
  CHECK(pattern.parse_date(records[1].first("Дата приёма")).value().to_string() == "2018-03-01");
  CHECK(pattern.parse_date(records[1].first("Дата увольнения")).value().to_string() ==
        "2023-12-31");
}

TEST_CASE("the same 1C export read as UTF-8 fails where it is not UTF-8, auto reads it", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("zup_1c_windows1251.csv");
  o.delimiter = ';';
  o.encoding = text::Encoding::Utf8;
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  REQUIRE_FALSE(report);
  CHECK(report.error().object == o.path + ":1:1");
  CHECK(report.error().detail == "invalid byte 0xD2 at byte offset 0");
  // encoding: auto (the default) recognises Windows-1251.
  o.encoding = text::Encoding::Auto;
  auto guessed = read_csv_file(o, collect_into(records));
  REQUIRE(guessed);
  REQUIRE(records.size() == 3);
  CHECK(records[1].first("Фамилия") == "Петрова");
}

TEST_CASE("Excel exports: UTF-8 with BOM, UTF-16LE tab-separated, KOI8-R", "[csv]") {
  SECTION("UTF-8 with BOM, auto-detected") {
    CsvSourceOptions o;
    o.path = fixture("excel_utf8_bom.csv");
    o.key = "Employee ID";
    std::vector<SourceRecord> records;
    auto report = read_csv_file(o, collect_into(records));
    REQUIRE(report);
    REQUIRE(records.size() == 2);
    CHECK(records[0].fields.front().name == "Employee ID");
    CHECK(describe_fields(records[0]) ==
          std::vector<std::string>{"Employee ID=1001", "Last name=Ковалёва", "First name=Анна",
                                   "Email=anna@corp.example"});
    CHECK(records[1].first("First name") == "Jürgen");
  }
  SECTION("UTF-16LE with BOM, tabs") {
    CsvSourceOptions o;
    o.path = fixture("excel_unicode_utf16le.txt");
    o.delimiter = parse_csv_delimiter("tab").value();
    o.key = "Табельный номер";
    std::vector<SourceRecord> records;
    auto report = read_csv_file(o, collect_into(records));
    REQUIRE(report);
    REQUIRE(records.size() == 2);
    CHECK(describe_fields(records[0]) ==
          std::vector<std::string>{"Табельный номер=501", "Фамилия=Ли", "Имя=Чжэнь 李",
                                   "Ник=cat 😀"});
    CHECK(describe_fields(records[1]) ==
          std::vector<std::string>{"Табельный номер=502", "Фамилия=Zoë", "Имя=Åsa", "Ник="});
    CHECK(records[1].origin == o.path + ":3");
  }
  SECTION("KOI8-R") {
    CsvSourceOptions o;
    o.path = fixture("koi8r.csv");
    o.encoding = text::Encoding::Koi8R;
    o.delimiter = ';';
    std::vector<SourceRecord> records;
    REQUIRE(read_csv_file(o, collect_into(records)));
    REQUIRE(records.size() == 2);
    CHECK(records[0].first("Фамилия") == "Жуков");
    CHECK(records[0].first("Имя") == "Эдуард");
    CHECK(records[1].first("Фамилия") == "Щукина");
    CHECK(records[1].first("Имя") == "Юлия");
  }
}

TEST_CASE("BambooHR export: quoted newlines and doubled quotes", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("bamboohr.csv");
  o.key = "Employee #";
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  REQUIRE(report);
  REQUIRE(records.size() == 2);
  CHECK(records[0].first("Address") == "1 Main St\nApt 2\nSpringfield");
  CHECK(records[0].first("Last Name") == "O'Neil");
  CHECK(records[0].origin == o.path + ":2");
  CHECK(records[1].origin == o.path + ":5");
  CHECK(records[1].first("Address") == "42 \"The Oaks\", Elm Rd");
  auto us = text::DatePattern::compile("MM/dd/yyyy").value();
  CHECK(us.parse_date(records[1].first("Hire Date")).value().to_string() == "2020-11-01");
}

TEST_CASE("a file cut inside a quoted field is an error, never a short read", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("truncated.csv");
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  REQUIRE_FALSE(report);
  CHECK(report.error().kind == ErrorKind::Parse);
  CHECK(report.error().message == "cannot read " + o.path + ": the file ends inside a quoted field");
  CHECK(report.error().object == o.path + ":3:9");
  CHECK(records.size() == 1);
}

TEST_CASE("CSV input errors name file:line:column", "[csv]") {
  struct Case {
    const char* file;
    char delimiter;
    RaggedRows ragged;
    std::string message;
    std::string where;
    std::string detail;
    size_t records_before;
  };
  const Case cases[] = {
      {"invalid_utf8.csv", ';', RaggedRows::Error, "cannot decode {} as UTF-8", "3:5",
       "invalid byte 0xE8 at byte offset 25", 0},  // decoding runs a chunk ahead of parsing
      {"ragged.csv", ',', RaggedRows::Error, "ragged row in {}", "3:15",
       "the row has 3 cells, the header has 4 columns", 1},
      {"ragged.csv", ',', RaggedRows::Tolerate, "ragged row in {}", "5:20",
       "the row has 5 cells, the header has 4 columns, and cell 5 is not empty", 3},
      {"header_duplicate.csv", ';', RaggedRows::Error,
       "duplicate column name 'Имя' in the header of {}", "1:16", "column 4 repeats column 2", 0},
      {"bad_quote.csv", ',', RaggedRows::Error, "malformed CSV in {}", "2:9",
       "unexpected 'x' after the closing quote of a field", 0},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    CsvSourceOptions o;
    o.path = fixture(c.file);
    o.delimiter = c.delimiter;
    o.ragged_rows = c.ragged;
    std::vector<SourceRecord> records;
    auto report = read_csv_file(o, collect_into(records));
    REQUIRE_FALSE(report);
    std::string message = c.message;
    message.replace(message.find("{}"), 2, o.path);
    CHECK(report.error().message == message);
    CHECK(report.error().object == o.path + ":" + c.where);
    CHECK(report.error().detail == c.detail);
    CHECK(records.size() == c.records_before);
  }
}

TEST_CASE("tolerated ragged rows pad missing cells and drop empty extra ones", "[csv]") {
  // ragged.csv without its last line, which has a non-empty extra cell.
  std::string path = (std::filesystem::temp_directory_path() / "daoctl-hr-ragged-test.csv").string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  std::fputs("id,first,last,dept\n1,Anna,Ivanova,IT\n2,Boris,Petrov\n4,Gleb,Orlov,Sales,\n", f);
  std::fclose(f);
  CsvSourceOptions o;
  o.path = path;
  o.ragged_rows = RaggedRows::Tolerate;
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  std::remove(path.c_str());
  REQUIRE(report);
  CHECK(report->records == 3);
  CHECK(report->ragged_rows == 2);
  CHECK(describe_fields(records[1]) ==
        std::vector<std::string>{"id=2", "first=Boris", "last=Petrov", "dept="});
  CHECK(describe_fields(records[2]) ==
        std::vector<std::string>{"id=4", "first=Gleb", "last=Orlov", "dept=Sales"});
}

TEST_CASE("key column checks", "[csv]") {
  SECTION("missing key column, with a hint about the delimiter") {
    CsvSourceOptions o;
    o.path = fixture("zup_1c_windows1251.csv");
    o.encoding = text::Encoding::Windows1251;
    o.key = "Табельный номер";  // delimiter left at ',': the header is one column
    auto report = read_csv_file(o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().message ==
          "key column 'Табельный номер' is not in the columns of " + o.path);
    CHECK(report.error().object == o.path + ":1:1");
    CHECK(report.error().hint == "the header has a single column: check delimiter: (now ',')");
  }
  SECTION("empty key value") {
    CsvSourceOptions o;
    o.path = fixture("ragged.csv");
    o.key = "dept";
    o.ragged_rows = RaggedRows::Tolerate;
    auto report = read_csv_file(o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().message ==
          "record in " + o.path + " has no value in key column 'dept'");
    CHECK(report.error().object == o.path + ":3:15");
  }
}

TEST_CASE("explicit column names, a missing file and a sink that stops the read", "[csv]") {
  CsvSourceOptions o;
  o.path = fixture("koi8r.csv");
  o.encoding = text::Encoding::Koi8R;
  o.delimiter = ';';
  o.header = false;
  o.columns = {"number", "last", "first"};
  std::vector<SourceRecord> records;
  auto report = read_csv_file(o, collect_into(records));
  REQUIRE(report);
  REQUIRE(records.size() == 3);  // the header row is data when header: false
  CHECK(records[1].first("last") == "Жуков");

  int seen = 0;
  auto stopped = read_csv_file(o, [&seen](SourceRecord&& r) -> Status {
    if (++seen == 2) return fail(ErrorKind::Interrupted, "stopped", r.origin);
    return {};
  });
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().kind == ErrorKind::Interrupted);
  CHECK(stopped.error().object == o.path + ":2");

  o.path = fixture("no-such-file.csv");
  auto missing = read_csv_file(o, collect_into(records));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::Io);
  CHECK(missing.error().object == o.path);
  CHECK(missing.error().detail == "No such file or directory");
}

TEST_CASE("the tokenizer: line ends, last line without end, chunk boundaries", "[csv]") {
  const std::string input = "a;\"b\r\nc\";d\rx;\"\"\"\";\r\n\n\"\";z";
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{5}, input.size()}) {
    INFO("chunk " << chunk);
    std::vector<std::vector<std::string>> rows;
    std::vector<uint64_t> lines;
    CsvParser parser({';', '"'}, "t.csv", [&](const CsvRow& row) -> Status {
      rows.emplace_back(row.cells.begin(), row.cells.end());
      lines.push_back(row.line);
      return {};
    });
    for (size_t i = 0; i < input.size(); i += chunk)
      REQUIRE(parser.feed(std::string_view(input).substr(i, chunk)));
    REQUIRE(parser.finish());
    CHECK(rows == std::vector<std::vector<std::string>>{
                      {"a", "b\r\nc", "d"}, {"x", "\"", ""}, {"", "z"}});
    CHECK(lines == std::vector<uint64_t>{1, 3, 5});
    CHECK(parser.blank_lines() == 1);
  }
  CHECK(parse_csv_delimiter("|").value() == '|');
  CHECK_FALSE(parse_csv_delimiter(";;"));
}

TEST_CASE("a stray character after a closing quote is named whole, whatever the chunk size",
          "[csv]") {
  // Found by fuzz_csv in CI: a 'Б' split across two reads was reported as
  // "a non-ASCII character" in pieces and as 'Б' at once.
  struct Case {
    std::string input;
    std::string detail;
    std::string where;
  };
  const Case cases[] = {
      {"id;name\n1;\"Анна\"Б;x\n", "unexpected 'Б' after the closing quote of a field", "t.csv:2:9"},
      {"1;\"a\"\xF0\x9F\x98\x80\n", "unexpected '\xF0\x9F\x98\x80' after the closing quote of a field",
       "t.csv:1:6"},
      {"1;\"a\"\x01\n", "unexpected a control character (0x01) after the closing quote of a field",
       "t.csv:1:6"},
      {"1;\"a\"\xD0", "unexpected an invalid UTF-8 byte after the closing quote of a field",
       "t.csv:1:6"},  // the input ends inside the character
  };
  for (const auto& c : cases) {
    for (size_t chunk = 1; chunk <= c.input.size(); ++chunk) {
      INFO(c.input << " in chunks of " << chunk);
      CsvParser parser({';', '"'}, "t.csv", [](const CsvRow&) -> Status { return {}; });
      Status st;
      for (size_t i = 0; st && i < c.input.size(); i += chunk)
        st = parser.feed(std::string_view(c.input).substr(i, chunk));
      if (st) st = parser.finish();
      REQUIRE_FALSE(st);
      CHECK(st.error().detail == c.detail);
      CHECK(st.error().object == c.where);
    }
  }
}
