#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "connectors/hr/json_source.hpp"
#include "core/text/date.hpp"
#include "fixtures.hpp"

using namespace daoctl;
using namespace daoctl::hr;
using daoctl::hr::test::collect_into;
using daoctl::hr::test::describe_fields;
using daoctl::hr::test::fixture;

TEST_CASE("Workday report: Report_Entry array, nested values flattened", "[json]") {
  JsonSourceOptions o;
  o.path = fixture("workday_report.json");
  o.records_pointer = "/Report_Entry";
  o.record.key = "Employee_ID";
  std::vector<SourceRecord> records;
  auto report = read_json_file(o, collect_into(records));
  REQUIRE(report);
  CHECK(report->complete);
  CHECK(report->records == 2);
  REQUIRE(records.size() == 2);
  CHECK(records[0].origin == o.path + "#/Report_Entry/0");
  // nlohmann orders object keys alphabetically.
  CHECK(describe_fields(records[0]) ==
        std::vector<std::string>{"Active=true", "Email_Addresses.Email=maria@corp.example|mg@home.example",
                                 "Email_Addresses.Type=WORK|HOME", "Employee_ID=21001", "FTE=0.8",
                                 "Hire_Date=2020-01-15-08:00", "Legal_Name.First_Name=María",
                                 "Legal_Name.Last_Name=García", "Manager_ID="});
  CHECK(describe_fields(records[1]) ==
        std::vector<std::string>{"Active=false", "Email_Addresses=", "Employee_ID=21002", "FTE=1",
                                 "Hire_Date=2021-06-01-08:00", "Legal_Name.First_Name=Олег",
                                 "Legal_Name.Last_Name=Кузнецов", "Manager_ID=21001"});
  auto iso = text::DatePattern::compile("iso8601").value();
  CHECK(iso.parse_date(records[0].first("Hire_Date")).value().to_string() == "2020-01-15");
}

TEST_CASE("selected fields by JSON pointer", "[json]") {
  JsonSourceOptions o;
  o.path = fixture("workday_report.json");
  o.records_pointer = "/Report_Entry";
  o.record.fields = {{"id", "/Employee_ID"},
                     {"last", "/Legal_Name/Last_Name"},
                     {"email", "/Email_Addresses/0/Email"},
                     {"name", "/Legal_Name"},
                     {"missing", "/No/Such"}};
  o.record.key = "id";
  std::vector<SourceRecord> records;
  REQUIRE(read_json_file(o, collect_into(records)));
  REQUIRE(records.size() == 2);
  CHECK(describe_fields(records[0]) ==
        std::vector<std::string>{"id=21001", "last=García", "email=maria@corp.example",
                                 "name.First_Name=María", "name.Last_Name=García", "missing="});
  CHECK(describe_fields(records[1]) ==
        std::vector<std::string>{"id=21002", "last=Кузнецов", "email=", "name.First_Name=Олег",
                                 "name.Last_Name=Кузнецов", "missing="});

  o.record.fields = {{"id", "Employee_ID"}};
  auto bad = read_json_file(o, collect_into(records));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Config);
  CHECK(bad.error().message == "invalid JSON pointer 'Employee_ID' for field 'id'");
}

TEST_CASE("malformed JSON names file:line:column in characters", "[json]") {
  JsonSourceOptions o;
  o.path = fixture("malformed.json");
  o.records_pointer = "/Report_Entry";
  auto report = read_json_file(o, [](SourceRecord&&) -> Status { return {}; });
  REQUIRE_FALSE(report);
  CHECK(report.error().kind == ErrorKind::Parse);
  CHECK(report.error().message == "malformed JSON in " + o.path);
  CHECK(report.error().object == o.path + ":4:5");
  CHECK(report.error().detail ==
        "syntax error while parsing array - unexpected '{'; expected ']'");
}

TEST_CASE("records pointer errors", "[json]") {
  JsonSourceOptions o;
  o.path = fixture("workday_report.json");
  auto root = read_json_file(o, [](SourceRecord&&) -> Status { return {}; });
  REQUIRE_FALSE(root);
  CHECK(root.error().message == "records at '/' are not an array");
  CHECK(root.error().detail == "found an object");
  CHECK(root.error().hint == "set records: to the pointer of the array, e.g. /data");

  o.records_pointer = "/data/employees";
  auto absent = read_json_file(o, [](SourceRecord&&) -> Status { return {}; });
  REQUIRE_FALSE(absent);
  CHECK(absent.error().message == "no records at '/data/employees'");

  o.records_pointer = "/Report_Entry/0/Legal_Name";
  auto not_array = read_json_file(o, [](SourceRecord&&) -> Status { return {}; });
  REQUIRE_FALSE(not_array);
  CHECK(not_array.error().message == "records at '/Report_Entry/0/Legal_Name' are not an array");
}

TEST_CASE("JSON Lines: blank lines skipped, a bad line named by line:column", "[json]") {
  JsonSourceOptions o;
  o.path = fixture("employees.jsonl");
  o.record.key = "id";
  for (size_t chunk : {size_t{3}, size_t{64 * 1024}}) {
    INFO("chunk " << chunk);
    o.chunk_size = chunk;
    std::vector<SourceRecord> records;
    auto report = read_json_file(o, collect_into(records));
    REQUIRE_FALSE(report);
    CHECK(report.error().object == o.path + ":4:25");
    CHECK(report.error().message == "malformed JSON in " + o.path);
    REQUIRE(records.size() == 2);
    CHECK(records[0].origin == o.path + ":1");
    CHECK(describe_fields(records[0]) == std::vector<std::string>{"id=1", "name=Анна"});
    CHECK(records[1].origin == o.path + ":3");
    CHECK(describe_fields(records[1]) ==
          std::vector<std::string>{"id=2", "name=Борис", "tags=a|b"});
  }
}

TEST_CASE("records that are not objects or lack a key", "[json]") {
  nlohmann::json arr = nlohmann::json::array({1});
  auto not_object = json_to_record(arr[0], "x.json#/3", {});
  REQUIRE_FALSE(not_object);
  CHECK(not_object.error().message == "a record is not a JSON object");
  CHECK(not_object.error().object == "x.json#/3");
  CHECK(not_object.error().detail == "found a number");

  JsonRecordOptions keyed;
  keyed.key = "id";
  auto no_key = json_to_record(nlohmann::json{{"id", nullptr}, {"name", "A"}}, "x.json#/4", keyed);
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().message == "record has no value in key field 'id'");
  CHECK(no_key.error().object == "x.json#/4");
}

TEST_CASE("a number beyond double is a parse error, not a crash", "[json]") {
  // Found by fuzzing (tests/fuzz/regressions/hr_json): nlohmann throws
  // out_of_range, not parse_error, for 1e400.
  const auto dir = std::filesystem::temp_directory_path() / ("daoctl-json-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (bool lines : {false, true}) {
    JsonSourceOptions o;
    o.path = (dir / (lines ? "big.jsonl" : "big.json")).string();
    std::ofstream(o.path) << (lines ? "{\"id\":\"1\"}\n{\"id\":1e400}\n" : "[{\"id\":1e400}]");
    std::vector<SourceRecord> records;
    auto report = read_json_file(o, collect_into(records));
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::Parse);
    CHECK(report.error().message == "malformed JSON in " + o.path);
    CHECK(report.error().object == (lines ? o.path + ":2" : o.path));
    CHECK(report.error().detail.find("number overflow") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a record nested without bound is a parse error, not a stack overflow", "[json]") {
  // Found by fuzzing (tests/fuzz/regressions/hr_json/nested-20000-arrays).
  const int depth = 20000;
  auto deep = nlohmann::json::parse("{\"id\":\"1\",\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}");
  auto r = json_to_record(deep, "x.json#/0", {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Parse);
  CHECK(r.error().message == "a record is nested too deeply");
  CHECK(r.error().object == "x.json#/0");

  auto shallow = json_to_record(nlohmann::json::parse(R"({"id":"1","a":[[["x"]]]})"), "x.json#/0", {});
  REQUIRE(shallow);
  CHECK(describe_fields(*shallow) == std::vector<std::string>{"a=x", "id=1"});  // keys in nlohmann order
}
