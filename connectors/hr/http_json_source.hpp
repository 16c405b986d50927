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
//
// Conditional re-reads (sync watch): with `validators` - the ETag and
// Last-Modified each page of the last complete read answered with - every
// page is asked with If-None-Match / If-Modified-Since. The source is
// "unchanged" only when the whole read is provably unchanged: unpaged, the
// one URL answers 304; PageNumber paging, every page of the last complete
// read answers 304, in order, at the same URLs (including the empty page or
// the total_pages that ended it). As soon as a page answers 200 the read
// becomes a complete unconditional read: a 200 to the first page is used as
// its first page; a 200 to a later page is dropped and the read starts again
// at the first page with no validator. Cached and new pages are never
// mixed, and nothing reaches the sink before the read is known to be one.
// NextLink and Cursor paging are never conditional (a link or cursor may
// change while every page stays the same): their validators are never
// returned and, if given, ignored. A 304 to a request that sent no
// validator is a Remote error naming the URL.
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

// What one page answered, for the next conditional read. `url` is the page's
// URL with secret-looking query parameters redacted (redact_url), so a saved
// validator never holds an API key.
struct HttpValidator {
  std::string url;
  std::string etag;           // the ETag header as sent (W/"..." kept), or ""
  std::string last_modified;  // the Last-Modified header as sent, or ""
  bool operator==(const HttpValidator&) const = default;
};

// What a read learnt besides its records (read_http_json's `outcome`).
struct HttpReadOutcome {
  // Every page answered 304 to the given validators: no record was passed to
  // the sink; the source is as it was at the read the validators come from.
  bool not_modified = false;
  // The validators of this read, one per page in order, to save for the next
  // conditional read: empty when the read cannot be conditional (NextLink or
  // Cursor paging, or a page that sent neither ETag nor Last-Modified). After
  // a not_modified read, the validators that were given.
  std::vector<HttpValidator> validators;
  // A conditional read began and a page answered 200: the read that followed
  // was unconditional (for the log).
  bool changed = false;
};

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

  // From the last complete read (HttpReadOutcome::validators): empty = an
  // unconditional read. Used only with paging None and PageNumber.
  std::vector<HttpValidator> validators;
};

// Errors: Config (bad options), Network (no answer after retries), Auth
// (401/403), NotFound (404), Remote (other statuses), Parse (body not JSON
// with line:column, records not an array, a bad record), Safety (paging loop
// or more than max_pages pages), or whatever `sink` returned. Error objects
// carry the URL with secret-looking query parameters redacted.
// With `outcome`, also what the read learnt for the next conditional read.
Result<ReadReport> read_http_json(http::Transport& transport, const HttpJsonSourceOptions& options,
                                  const RecordSink& sink, HttpReadOutcome* outcome = nullptr);

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
