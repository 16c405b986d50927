// Throughput of the CSV source on a 100k-row 1C-style export in
// Windows-1251. Hidden from the default run: `unit_hr "[.bench]"`, ideally
// under /usr/bin/time -v for the peak memory. Set DAOCTL_HR_BENCH_ROWS to
// change the row count.
#include <catch2/catch.hpp>
#include <iconv.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <string>

#include "connectors/hr/csv_source.hpp"
#include "core/text/encoding.hpp"

using namespace daoctl;
using namespace daoctl::hr;

namespace {

// Writes `rows` data rows in Windows-1251 (built in UTF-8, encoded by iconv).
std::string write_export(const std::filesystem::path& path, long rows) {
  const char* last[] = {"Иванов", "Петрова", "Сидоров", "Кузнецова", "Смирнов", "Ёлкина"};
  const char* first[] = {"Иван", "Мария", "Пётр", "Анна", "Сергей", "Юлия"};
  const char* dept[] = {"ИТ/Разработка", "\"Бухгалтерия; расчёт\"", "Продажи/Регионы",
                        "\"Отдел \"\"Качество\"\"\""};
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  iconv_t to_1251 = iconv_open("WINDOWS-1251", "UTF-8");
  REQUIRE(to_1251 != reinterpret_cast<iconv_t>(-1));
  std::string utf8 =
      "Табельный номер;Фамилия;Имя;Отчество;Подразделение;Должность;Дата приёма;Дата "
      "увольнения;\r\n";
  for (long i = 0; i < rows; ++i) {
    utf8 += fmt::format("{:06};{};{};{}овна;{};Специалист № {};{:02}.{:02}.{};{};\r\n", i,
                        last[i % 6], first[i % 6], first[(i + 1) % 6], dept[i % 4], i % 100,
                        1 + i % 28, 1 + i % 12, 1990 + i % 30, i % 10 == 0 ? "31.12.2023" : "");
    if (utf8.size() > (1 << 20) || i + 1 == rows) {
      std::string out(utf8.size(), '\0');
      char* in = utf8.data();
      size_t in_left = utf8.size();
      char* dst = out.data();
      size_t dst_left = out.size();
      REQUIRE(iconv(to_1251, &in, &in_left, &dst, &dst_left) != static_cast<size_t>(-1));
      std::fwrite(out.data(), 1, out.size() - dst_left, f);
      utf8.clear();
    }
  }
  iconv_close(to_1251);
  std::fclose(f);
  return path.string();
}

}  // namespace

TEST_CASE("CSV source throughput on a 100k-row Windows-1251 export", "[.bench]") {
  long rows = 100'000;
  if (const char* env = std::getenv("DAOCTL_HR_BENCH_ROWS")) rows = std::atol(env);
  auto path = std::filesystem::temp_directory_path() / "daoctl-hr-bench-1251.csv";
  write_export(path, rows);
  auto bytes = std::filesystem::file_size(path);

  CsvSourceOptions o;
  o.path = path.string();
  o.encoding = text::Encoding::Windows1251;
  o.delimiter = ';';
  o.key = "Табельный номер";
  uint64_t cyrillic_checks = 0;
  auto start = std::chrono::steady_clock::now();
  auto report = read_csv_file(o, [&](SourceRecord&& r) -> Status {
    if (r.first("Фамилия").size() > 4) ++cyrillic_checks;
    return {};
  });
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove(path);
  REQUIRE(report);
  CHECK(report->records == static_cast<uint64_t>(rows));
  CHECK(cyrillic_checks == static_cast<uint64_t>(rows));

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("hr csv bench: {} rows, {:.1f} MB in {:.3f} s: {:.0f} rows/s, {:.1f} MB/s, "
             "peak RSS {} MB\n",
             rows, bytes / 1e6, seconds, rows / seconds, bytes / 1e6 / seconds,
             usage.ru_maxrss / 1024);
}
