// What a server (or a proxy in front of it) answers: problem+json and SCIM
// error bodies (connectors/platform error_from_response), Retry-After values,
// RFC 8288 Link headers and relative URLs from HR APIs.
// Input: bytes 0-1 the status, then "header\n" lines up to an empty line, then the body.
#include <chrono>
#include <string>
#include <vector>

#include "common.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "connectors/platform/client.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  http::Response resp;
  resp.status = 100 + (data[0] | (data[1] << 8)) % 500;
  std::string_view rest = fuzz::as_text(data + 2, size - 2);
  std::vector<std::string> links;
  std::vector<std::string> values;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) break;
    auto colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string value(colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "link") links.push_back(value);
    values.push_back(value);
    resp.headers.emplace(name, value);
  }
  resp.body = std::string(rest);

  Error e = platform::error_from_response(resp, "user jdoe");
  FUZZ_CHECK(e.http_status == resp.status);
  http::Request req;
  req.method = "PATCH";
  req.url = "https://intranet.example.com/scim/v2/Users/42?x=1";
  (void)platform::error_from_response(req, resp);

  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));
  for (const auto& v : values) {
    if (auto d = platform::parse_retry_after(v, now)) FUZZ_CHECK(d->count() >= 0);
    (void)hr::resolve_url("https://hr.example/api/v1/employees?page=2", v);
    (void)hr::redact_url(v);
  }
  (void)hr::next_link(links);
  return 0;
}
