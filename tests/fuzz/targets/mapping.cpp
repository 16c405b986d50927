// The mapping language evaluated on untrusted HR/LDAP values. The input is
// "template\n" followed by field values, one "field=value" per line (a field
// may repeat: several values). The template comes from the job file; the
// values are what the fuzzer mostly mutates. Also: date patterns on values.
#include <string>

#include "common.hpp"
#include "core/hr/record.hpp"
#include "core/mapping/expression.hpp"
#include "core/mapping/source_record_scope.hpp"
#include "core/text/date.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_text(data, size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view tmpl = in.substr(0, nl), rest = in.substr(nl + 1);

  hr::SourceRecord record;
  record.origin = "hr.csv:2";
  while (!rest.empty()) {
    auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) record.field(line);
    else record.add(line.substr(0, eq), std::string(line.substr(eq + 1)));
  }

  mapping::CompileOptions options;
  options.today = "2025-03-01";
  options.lookup_tables["dept"].entries = {{"IT", "Information technology"}, {"HR", "People"}};
  options.lookup_tables["dept"].fallback = "Other";
  options.lookup_tables["strict"].entries = {{"a", "b"}};
  mapping::SourceRecordScope scope;
  scope.bind("hr", &record);
  scope.bind("ad", nullptr);

  if (auto t = mapping::Template::parse(tmpl, options)) (void)t->evaluate(scope);
  if (auto e = mapping::Expression::parse(tmpl, options)) (void)e->evaluate(scope);

  // The template line as a date pattern, each value as a date.
  if (auto pattern = text::DatePattern::compile(tmpl)) {
    for (const auto& f : record.fields)
      for (const auto& v : f.values) {
        (void)pattern->parse_date(v);
        (void)pattern->parse_time(v);
      }
  }
  return 0;
}
