// HR records from JSON files (connectors/hr read_json_file): a document with
// the records at a pointer, or JSON Lines; flattening and selectors of
// core/hr json_records. Byte 0 picks layout, pointer, selectors and key.
#include <string>

#include "common.hpp"
#include "connectors/hr/json_source.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t opts = data[0];
  hr::JsonSourceOptions o;
  o.layout = (opts & 1) ? hr::JsonLayout::Lines : hr::JsonLayout::Document;
  if (opts & 2) o.records_pointer = "/Report_Entry";
  if (opts & 4) o.record.fields = {{"id", "/id"}, {"mail", "/emails/0/value"}, {"city", "/address/city"}};
  if (opts & 8) o.record.key = "id";
  o.chunk_size = 1 + (opts >> 4) * 7;
  o.path = fuzz::scratch().write((opts & 1) ? "hr.jsonl" : "hr.json", fuzz::as_text(data + 1, size - 1)).string();
  uint64_t records = 0;
  auto report = hr::read_json_file(o, [&](hr::SourceRecord&& r) -> Status {
    FUZZ_CHECK(!r.origin.empty());
    if (!o.record.key.empty()) FUZZ_CHECK(!r.first(o.record.key).empty());
    records++;
    return {};
  });
  if (report) FUZZ_CHECK(report->records == records);
  return 0;
}
