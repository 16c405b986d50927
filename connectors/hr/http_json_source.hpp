// Reads employee records from an HTTP JSON API (an HR system's REST endpoint
// or a Workday RaaS report URL), following its paging to the end.
//
// Paging styles:
//   NextLink   - the next page's URL is in the body at `next_pointer`, or, when
//                that is empty, in the RFC 8288 header `Link: <url>; rel="next"`;
//                relative links are resolved against the page's URL.
//   PageNumber - `page_parameter`=first_page, first_page+1, ... until a page
//                has no records or the page number reaches the value at
//                `total_pages_pointer` (when set).
//   Cursor     - the next cursor is in the body at `cursor_pointer`; the next
//                page is the first URL with `cursor_parameter`=<cursor>.
// A read is all pages or an error: a failed page (after retries), a page that
// is not JSON, a paging loop (a URL fetched twice) or more than `max_pages`
// pages is an error, never a short success.
//
// The auth header's value is a secret resolved by the caller (env, file or
// command); it is sent on every request and never appears in an error,
// origin or trace line written by this code. It is sent only to the first
// URL's origin (scheme, host and port) and to the origins listed in
// `allowed_origins`: a next link (body or Link header) to any other origin -
// another host, another port, plain http after https - stops the read with
// an error naming the link before any request is made to it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "connectors/platform/http.hpp"
#include "core/error.hpp"
#include "core/hr/json_records.hpp"
#include "core/hr/record.hpp"

namespace daoctl::hr {

enum class HttpPaging { None, NextLink, PageNumber, Cursor };

struct HttpJsonSourceOptions {
  std::string url;              // the first page
  std::string records_pointer;  // the array of records in each page ("" = the body is the array)
  JsonRecordOptions record;

  HttpPaging paging = HttpPaging::None;
  std::string next_pointer;  // NextLink: pointer to the next URL in the body; "" = Link header
  std::string page_parameter = "page";  // PageNumber
  int first_page = 1;
  std::string total_pages_pointer;  // PageNumber: optional
  std::string page_size_parameter;  // PageNumber: optional, sent when page_size > 0
  int page_size = 0;
  std::string cursor_parameter = "cursor";  // Cursor
  std::string cursor_pointer;               // Cursor: required

  std::string auth_header = "Authorization";
  std::string auth_value;  // secret: "Bearer ...", an API key; empty = no auth header
  std::vector<http::Header> headers;  // extra headers, not secret
  // Origins ("https://host[:port]") besides the first URL's that next links
  // may lead to. An http origin is refused when the first URL is https.
  std::vector<std::string> allowed_origins;

  int max_pages = 10'000;  // safety bound against runaway paging
  int max_attempts = 3;    // per page, for connection errors and 429/502/503/504
  std::chrono::milliseconds retry_delay{1'000};  // doubled per attempt; Retry-After wins
  std::chrono::milliseconds timeout{0};          // per request; 0 = the transport's default
};

// Errors: Config (bad options), Network (no answer after retries), Auth
// (401/403), NotFound (404), Remote (other statuses), Parse (body not JSON
// with line:column, records not an array, a bad record), Safety (paging loop
// or more than max_pages pages), or whatever `sink` returned. Error objects
// carry the URL with secret-looking query parameters redacted.
Result<ReadReport> read_http_json(http::Transport& transport, const HttpJsonSourceOptions& options,
                                  const RecordSink& sink);

// The URL with the values of query parameters whose names look secret
// (token, key, secret, password, signature, auth) and any user:password@
// replaced by "REDACTED".
std::string redact_url(std::string_view url);

// The origin of an absolute http(s) URL as "scheme://host:port" (scheme and
// host lower-case, userinfo dropped, the port always written: 80 and 443 by
// default), or nullopt for anything else.
std::optional<std::string> url_origin(std::string_view url);

// RFC 3986 reference resolution of `ref` against `base` (no dot-segment
// removal beyond what HR APIs need: absolute, //authority, /path, ?query and
// relative path references).
std::string resolve_url(std::string_view base, std::string_view ref);

// The target of the rel="next" link in RFC 8288 Link header values, or "".
std::string next_link(const std::vector<std::string>& link_header_values);

}  // namespace daoctl::hr
