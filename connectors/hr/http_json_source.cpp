#include "connectors/hr/http_json_source.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <optional>
#include <set>

namespace daoctl::hr {

using nlohmann::json;

namespace {

bool looks_secret(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kWords{
      "token", "key", "secret", "password", "passwd", "sig", "auth", "credential"};
  std::string n = text::lower_ascii(name);
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return n.find(w) != std::string::npos; });
}

std::string percent_encode(std::string_view s) {
  std::string r;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      r += static_cast<char>(c);
    else
      r += fmt::format("%{:02X}", c);
  }
  return r;
}

struct UrlParts {
  std::string_view scheme_authority;  // "https://host:port" (empty for a relative URL)
  std::string_view path;
  std::string_view query;  // without '?'
};

UrlParts split_url(std::string_view url) {
  UrlParts p;
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  size_t path_start = 0;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    path_start = url.find_first_of("/?", scheme + 3);
    if (path_start == std::string_view::npos) path_start = url.size();
    p.scheme_authority = url.substr(0, path_start);
  }
  std::string_view rest = url.substr(path_start);
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    p.path = rest.substr(0, q);
    p.query = rest.substr(q + 1);
  } else {
    p.path = rest;
  }
  return p;
}

// `url` with query parameter `name` set to `value` (replacing any present).
std::string with_query(std::string_view url, std::string_view name, std::string_view value) {
  UrlParts p = split_url(url);
  std::string query;
  std::string_view q = p.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty() || pair.substr(0, pair.find('=')) == name) continue;
    query += query.empty() ? "" : "&";
    query += pair;
  }
  query += query.empty() ? "" : "&";
  query += fmt::format("{}={}", name, percent_encode(value));
  return fmt::format("{}{}?{}", p.scheme_authority, p.path, query);
}

// The text of a scalar at `pointer` in `doc`, or nullopt when absent, null or "".
std::optional<std::string> text_at(const json& doc, const std::string& pointer) {
  json::json_pointer p(pointer);
  if (!doc.contains(p)) return std::nullopt;
  const json& v = doc.at(p);
  if (v.is_string()) {
    if (v.get_ref<const std::string&>().empty()) return std::nullopt;
    return v.get<std::string>();
  }
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

ErrorKind kind_for_status(long status) {
  if (status == 401 || status == 403) return ErrorKind::Auth;
  if (status == 404) return ErrorKind::NotFound;
  return ErrorKind::Remote;
}

bool retryable_status(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::string body_excerpt(const std::string& body) {
  constexpr size_t kMax = 200;
  std::string s = body.substr(0, kMax);
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  if (body.size() > kMax) s += "...";
  return s;
}

Status check_options(const HttpJsonSourceOptions& o) {
  auto bad = [&](std::string detail) {
    return fail(ErrorKind::Config, "invalid HTTP JSON source", redact_url(o.url), std::move(detail));
  };
  if (o.url.find("://") == std::string::npos) return bad("url: must be an absolute http(s) URL");
  if (o.max_pages < 1) return bad("max_pages must be at least 1");
  if (o.max_attempts < 1) return bad("max_attempts must be at least 1");
  if (o.paging == HttpPaging::Cursor && o.cursor_pointer.empty())
    return bad("cursor paging needs cursor_pointer (the pointer to the next cursor in a page)");
  if (o.paging == HttpPaging::PageNumber && o.page_parameter.empty())
    return bad("page-number paging needs page_parameter");
  if (o.paging == HttpPaging::Cursor && o.cursor_parameter.empty())
    return bad("cursor paging needs cursor_parameter");
  constexpr std::string_view kBreaks("\r\n\0", 3);
  if (o.auth_header.find_first_of(kBreaks) != std::string::npos ||
      o.auth_value.find_first_of(kBreaks) != std::string::npos)
    return bad(fmt::format("the {} header (name or secret value) contains a line break or NUL", o.auth_header));
  for (const auto& h : o.headers)
    if (h.name.find_first_of(kBreaks) != std::string::npos || h.value.find_first_of(kBreaks) != std::string::npos)
      return bad(fmt::format("header {} contains a line break or NUL", h.name));
  auto first = url_origin(o.url);
  if (!first) return bad("url: must be an absolute http(s) URL with a host");
  for (const std::string& allowed : o.allowed_origins) {
    auto origin = url_origin(allowed);
    std::string_view rest = allowed;
    rest.remove_prefix(std::min(rest.size(), rest.find("://") + 3));
    size_t path = rest.find_first_of("/?#");
    if (!origin || (path != std::string_view::npos && rest.substr(path) != "/"))
      return bad(fmt::format("allowed_origins: '{}' is not an origin; write scheme://host[:port], "
                             "e.g. https://hr2.example.com:8443", redact_url(allowed)));
    if (first->starts_with("https:") && origin->starts_with("http:"))
      return bad(fmt::format("allowed_origins: '{}' is plain http while url is https; the {} header "
                             "would cross the network unencrypted", redact_url(allowed), o.auth_header));
  }
  for (const std::string* p : {&o.next_pointer, &o.total_pages_pointer, &o.cursor_pointer}) {
    if (p->empty()) continue;
    try {
      json::json_pointer check(*p);
    } catch (const json::exception& e) {
      return bad(fmt::format("invalid JSON pointer '{}': {}", *p, e.what()));
    }
  }
  return validate_json_record_options(o.record);
}

// Fetches one page, retrying what is worth retrying. With `conditional`,
// asks with its validators and returns a 304 as an answer.
Result<http::Response> fetch_page(http::Transport& transport, const HttpJsonSourceOptions& o,
                                  const std::string& url, const HttpValidator* conditional = nullptr) {
  const std::string shown = redact_url(url);
  http::Request req;
  req.method = "GET";
  req.url = url;
  req.object = "GET " + shown;
  req.idempotent = true;
  req.timeout = o.timeout;
  req.headers.push_back({"Accept", "application/json"});
  for (const auto& h : o.headers) req.headers.push_back(h);
  if (!o.auth_value.empty()) req.headers.push_back({o.auth_header, o.auth_value});
  if (conditional && !conditional->etag.empty()) req.headers.push_back({"If-None-Match", conditional->etag});
  if (conditional && !conditional->last_modified.empty())
    req.headers.push_back({"If-Modified-Since", conditional->last_modified});

  std::string last_failure;
  std::optional<std::chrono::milliseconds> retry_after;  // from the previous answer
  for (int attempt = 1;; ++attempt) {
    std::chrono::milliseconds delay{0};
    if (attempt > 1) delay = retry_after.value_or(o.retry_delay * (1 << std::min(attempt - 2, 10)));
    retry_after.reset();
    std::optional<http::Outcome> outcome;
    // The wait before a retry is the transport's business (virtual time in tests).
    transport.submit(req, transport.now() + delay, [&outcome](http::Outcome out) {
      outcome = std::move(out);
    });
    transport.run();
    if (!outcome)
      return fail(ErrorKind::Internal, "the HTTP transport finished without an answer", req.object);
    bool retry = false;
    if (outcome->response) {
      const http::Response& resp = *outcome->response;
      if (resp.status >= 200 && resp.status < 300) return std::move(*outcome->response);
      if (resp.status == 304) {
        if (conditional) return std::move(*outcome->response);
        Error e;
        e.kind = ErrorKind::Remote;
        e.message = "HR source answered 304 Not Modified to a request that sent no validator";
        e.object = req.object;
        e.detail = "HTTP 304 without If-None-Match or If-Modified-Since: there is no earlier copy of this page "
                   "to reuse, so the read has no records for it";
        e.hint = "check the HR system, or a cache or proxy between it and daoctl";
        e.http_status = 304;
        return std::unexpected(std::move(e));
      }
      last_failure = fmt::format("HTTP {}: {}", resp.status, body_excerpt(resp.body));
      if (retryable_status(resp.status) && attempt < o.max_attempts) {
        retry = true;
        if (auto ra = resp.header("retry-after")) {
          try {
            long seconds = std::stol(*ra);
            if (seconds >= 0)
              retry_after = std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds),
                                                                std::chrono::seconds(60));
          } catch (const std::exception&) {
            // An HTTP-date Retry-After: fall back to our own backoff.
          }
        }
      }
      if (!retry) {
        Error e;
        e.kind = kind_for_status(resp.status);
        e.message = "cannot read HR source page";
        e.object = req.object;
        e.detail = last_failure;
        e.http_status = static_cast<int>(resp.status);
        if (e.kind == ErrorKind::Auth)
          e.hint = fmt::format("check the secret that provides the {} header", o.auth_header);
        if (attempt > 1) e.detail += fmt::format(" (after {} attempts)", attempt);
        return std::unexpected(std::move(e));
      }
    } else {
      const http::TransportError err = outcome->error.value_or(http::TransportError{});
      last_failure = err.message.empty() ? "no response" : err.message;
      retry = err.code != http::TransportError::Code::Aborted && attempt < o.max_attempts;
      if (!retry)
        return fail(ErrorKind::Network, "cannot read HR source page", req.object,
                    attempt > 1 ? fmt::format("{} (after {} attempts)", last_failure, attempt)
                                : last_failure,
                    "check the URL and the network path to the HR system");
    }
  }
}

// A next link may lead only to the first URL's origin or an allowed one: the
// auth header goes with every page, so a page must not be able to send it
// elsewhere (another host, another port, or http after https).
Status check_next_origin(const HttpJsonSourceOptions& o, const std::string& page, const std::string& next,
                         uint64_t page_number) {
  const std::string first = url_origin(o.url).value_or("");
  const auto target = url_origin(next);
  if (target && *target == first) return {};
  if (target) {
    for (const std::string& allowed : o.allowed_origins)
      if (url_origin(allowed) == target) return {};
  }
  std::string why;
  if (!target)
    why = "it is not an http(s) URL";
  else if (first.starts_with("https:") && target->starts_with("http:"))
    why = fmt::format("it downgrades {} to plain http", first);
  else
    why = fmt::format("its origin {} is not the source's origin {}", *target, first);
  Error e;
  e.kind = ErrorKind::Safety;
  e.message = "HR source's next page link leaves the source's origin";
  e.object = redact_url(next);
  e.detail = fmt::format("page {} ({}) links to {}: {}; the {} header is sent only to {}{}", page_number,
                         redact_url(page), redact_url(next), why, o.auth_header, first,
                         o.allowed_origins.empty() ? "" : " and allowed_origins");
  e.hint = target && !(first.starts_with("https:") && target->starts_with("http:"))
               ? fmt::format("if the HR system really serves its pages from {}, list it under the source's "
                             "allowed_origins",
                             *target)
               : "check the HR system's paging links; nothing was sent to that URL";
  return std::unexpected(std::move(e));
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string scheme = text::lower_ascii(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of(" \t\r\n%\\") != std::string_view::npos) return std::nullopt;
  long number = scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
      return std::nullopt;
    number = std::stol(std::string(port));
    if (number < 1 || number > 65535) return std::nullopt;
  }
  std::string h = text::lower_ascii(host);
  // "host." and "host" name the same host.
  if (h.size() > 1 && h.back() == '.') h.pop_back();
  return fmt::format("{}://{}:{}", scheme, h, number);
}

std::string redact_url(std::string_view url) {
  std::string out;
  std::string_view rest = url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    size_t auth_end = rest.find_first_of("/?#", scheme + 3);
    std::string_view authority = rest.substr(scheme + 3, auth_end == std::string_view::npos
                                                             ? std::string_view::npos
                                                             : auth_end - scheme - 3);
    out.append(rest.substr(0, scheme + 3));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      out += "REDACTED@";
      authority = authority.substr(at + 1);
    }
    out.append(authority);
    rest = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  }
  size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  std::string_view fragment;
  if (auto hash = query.find('#'); hash != std::string_view::npos) {
    fragment = query.substr(hash);
    query = query.substr(0, hash);
  }
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && looks_secret(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1));
      out += "REDACTED";
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  out.append(fragment);
  return out;
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos &&
      ref.find("://") < ref.find_first_of("/?#")) {
    return std::string(ref);
  }
  UrlParts b = split_url(base);
  if (ref.substr(0, 2) == "//") {
    std::string_view scheme = b.scheme_authority.substr(0, b.scheme_authority.find("://") + 1);
    return fmt::format("{}{}", scheme, ref);
  }
  if (!ref.empty() && ref.front() == '/') return fmt::format("{}{}", b.scheme_authority, ref);
  if (!ref.empty() && ref.front() == '?') return fmt::format("{}{}{}", b.scheme_authority, b.path, ref);
  if (ref.empty()) return std::string(base);
  std::string_view dir = b.path.substr(0, b.path.rfind('/') + 1);
  if (dir.empty()) dir = "/";
  return fmt::format("{}{}{}", b.scheme_authority, dir, ref);
}

std::string next_link(const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    std::string_view v = value;
    while (true) {
      size_t open = v.find('<');
      if (open == std::string_view::npos) break;
      size_t close = v.find('>', open);
      if (close == std::string_view::npos) break;
      std::string_view target = v.substr(open + 1, close - open - 1);
      // Parameters run to the next ',' outside quotes.
      size_t i = close + 1;
      bool quoted = false;
      for (; i < v.size(); ++i) {
        if (v[i] == '"') quoted = !quoted;
        if (v[i] == ',' && !quoted) break;
      }
      std::string params = text::lower_ascii(v.substr(close + 1, i - close - 1));
      size_t rel = params.find("rel=");
      if (rel != std::string::npos) {
        std::string_view rv = std::string_view(params).substr(rel + 4);
        if (!rv.empty() && rv.front() == '"') {
          rv.remove_prefix(1);
          rv = rv.substr(0, rv.find('"'));
        } else {
          rv = rv.substr(0, rv.find_first_of("; "));
        }
        // rel may list several relation types separated by spaces.
        size_t pos = 0;
        while (pos <= rv.size()) {
          size_t sp = rv.find(' ', pos);
          if (rv.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos) ==
              "next")
            return std::string(target);
          if (sp == std::string_view::npos) break;
          pos = sp + 1;
        }
      }
      if (i >= v.size()) break;
      v = v.substr(i + 1);
    }
  }
  return {};
}

Result<ReadReport> read_http_json(http::Transport& transport, const HttpJsonSourceOptions& o,
                                  const RecordSink& sink, HttpReadOutcome* outcome) {
  if (auto st = check_options(o); !st) return std::unexpected(st.error());
  HttpReadOutcome unused;
  HttpReadOutcome& out = outcome ? *outcome : unused;
  out = HttpReadOutcome{};
  const bool can_be_conditional = o.paging == HttpPaging::None || o.paging == HttpPaging::PageNumber;
  ReadReport report;
  std::set<std::string> fetched;
  int page_number = o.first_page;
  auto page_url = [&](int n) {
    std::string url = with_query(o.url, o.page_parameter, std::to_string(n));
    if (!o.page_size_parameter.empty() && o.page_size > 0)
      url = with_query(url, o.page_size_parameter, std::to_string(o.page_size));
    return url;
  };
  std::string url = o.paging == HttpPaging::PageNumber ? page_url(page_number) : o.url;

  // The conditional phase: each page of the last complete read, in order,
  // with its validators. Validators that do not describe this read (another
  // URL, another page count for an unpaged source, nothing to send, a line
  // break) are not used: the read is unconditional.
  std::optional<http::Response> first_answer;  // a 200 to the first page: the read's first page
  auto usable = [&] {
    if (!can_be_conditional || o.validators.empty()) return false;
    if (o.paging == HttpPaging::None && o.validators.size() != 1) return false;
    if (o.validators.size() > static_cast<size_t>(o.max_pages)) return false;
    constexpr std::string_view kBreaks("\r\n\0", 3);
    for (size_t i = 0; i < o.validators.size(); ++i) {
      const HttpValidator& v = o.validators[i];
      const std::string expected = o.paging == HttpPaging::PageNumber
                                       ? page_url(o.first_page + static_cast<int>(i))
                                       : o.url;
      if (v.url != redact_url(expected) || (v.etag.empty() && v.last_modified.empty()) ||
          v.etag.find_first_of(kBreaks) != std::string::npos ||
          v.last_modified.find_first_of(kBreaks) != std::string::npos)
        return false;
    }
    return true;
  };
  if (usable()) {
    bool unchanged = true;
    for (size_t i = 0; i < o.validators.size(); ++i) {
      const std::string page = o.paging == HttpPaging::PageNumber
                                   ? page_url(o.first_page + static_cast<int>(i))
                                   : o.url;
      auto resp = fetch_page(transport, o, page, &o.validators[i]);
      if (!resp) return std::unexpected(resp.error());
      if (resp->status == 304) continue;
      // Changed: a complete unconditional read from the first page. A 200 to
      // the first page is that read's first page; a later one is dropped
      // (its predecessors' bodies were never sent) and the read starts over.
      unchanged = false;
      out.changed = true;
      if (i == 0) first_answer = std::move(*resp);
      break;
    }
    if (unchanged) {
      out.not_modified = true;
      out.validators = o.validators;
      report.pages = o.validators.size();
      return report;
    }
  }

  std::vector<HttpValidator> seen;  // this read's validators, page by page
  bool every_page_validated = true;
  while (true) {
    if (!fetched.insert(url).second)
      return fail(ErrorKind::Safety, "HR source paging loops", redact_url(url),
                  fmt::format("page {} links back to a page already read", report.pages + 1),
                  "check the paging settings of the source");
    if (report.pages >= static_cast<uint64_t>(o.max_pages))
      return fail(ErrorKind::Safety,
                  fmt::format("HR source has more than {} pages", o.max_pages), redact_url(url),
                  "the read stopped at the page limit", "raise max_pages if the source is that large");
    auto resp = first_answer && report.pages == 0 ? Result<http::Response>(std::move(*first_answer))
                                                  : fetch_page(transport, o, url);
    if (!resp) return std::unexpected(resp.error());
    ++report.pages;
    if (can_be_conditional) {
      HttpValidator v{redact_url(url), resp->header("etag").value_or(""), resp->header("last-modified").value_or("")};
      if (v.etag.empty() && v.last_modified.empty()) every_page_validated = false;
      seen.push_back(std::move(v));
    }
    report.bytes += resp->body.size();
    const std::string shown = redact_url(url);
    json body;
    try {
      body = json::parse(resp->body);
    } catch (const json::parse_error& e) {
      Error err = json_parse_error(e, resp->body, "GET " + shown);
      err.message = fmt::format("HR source page {} is not valid JSON", report.pages);
      return std::unexpected(std::move(err));
    } catch (const json::exception& e) {  // out_of_range: a number beyond double (1e400)
      return fail(ErrorKind::Parse, fmt::format("HR source page {} is not valid JSON", report.pages),
                  "GET " + shown, e.what());
    }
    auto records = find_records_array(body, o.records_pointer, "GET " + shown);
    if (!records) return std::unexpected(records.error());
    size_t index = 0;
    for (const json& value : **records) {
      auto record =
          json_to_record(value, fmt::format("{}#{}/{}", shown, o.records_pointer, index++), o.record);
      if (!record) return std::unexpected(record.error());
      ++report.records;
      if (auto st = sink(std::move(*record)); !st) return std::unexpected(st.error());
    }

    std::string next;
    switch (o.paging) {
      case HttpPaging::None:
        break;
      case HttpPaging::NextLink:
        if (!o.next_pointer.empty()) {
          if (auto link = text_at(body, o.next_pointer)) next = resolve_url(url, *link);
        } else {
          std::vector<std::string> links;
          auto range = resp->headers.equal_range("link");
          for (auto it = range.first; it != range.second; ++it) links.push_back(it->second);
          if (std::string link = next_link(links); !link.empty()) next = resolve_url(url, link);
        }
        break;
      case HttpPaging::PageNumber: {
        if ((*records)->empty()) break;
        if (!o.total_pages_pointer.empty()) {
          auto total = text_at(body, o.total_pages_pointer);
          if (!total)
            return fail(ErrorKind::Parse, "HR source page has no total page count", "GET " + shown,
                        fmt::format("nothing at {}", o.total_pages_pointer),
                        "check total_pages_pointer");
          // Pages numbered from first_page: the last one is first_page + total - 1.
          if (page_number - o.first_page + 1 >= std::atoi(total->c_str())) break;
        }
        next = page_url(++page_number);
        break;
      }
      case HttpPaging::Cursor:
        if (auto cursor = text_at(body, o.cursor_pointer))
          next = with_query(o.url, o.cursor_parameter, *cursor);
        break;
    }
    if (next.empty()) break;
    if (auto st = check_next_origin(o, url, next, report.pages); !st) return std::unexpected(st.error());
    url = std::move(next);
  }
  report.complete = true;
  if (can_be_conditional && every_page_validated) out.validators = std::move(seen);
  return report;
}

}  // namespace daoctl::hr
