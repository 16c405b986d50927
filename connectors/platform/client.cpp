#include "connectors/platform/client.hpp"
#include "connectors/platform/paging.hpp"
#include "connectors/platform/scim_filter.hpp"
#include "core/text/ascii.hpp"
#include "core/text/json_member.hpp"
#include "core/sync/page_parser.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>

namespace daoctl::platform {

namespace {

using http::Clock;
using std::chrono::milliseconds;

// 500 is included: for an idempotent request a repeat is safe, and platforms
// (and daoctl-sim's --fail-rate) answer transient faults with 500 too.
bool is_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool has_header(const http::Request& req, std::string_view name) {
  return std::any_of(req.headers.begin(), req.headers.end(), [&](const http::Header& h) {
    return text::iequals(h.name, name);
  });
}

bool method_is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// "https://host:8080/scim/v2/Users?filter=x" -> "/scim/v2/Users": messages name
// the resource; the query (filters, cursors) would only make them long.
std::string path_of(const std::string& url) {
  auto scheme_end = url.find("://");
  auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_start == std::string::npos) return "/";
  auto query = url.find_first_of("?#", path_start);
  return url.substr(path_start, query == std::string::npos ? std::string::npos : query - path_start);
}

std::string status_text(long status) {
  std::string text = std::to_string(status);
  if (auto reason = http::reason_phrase(status); !reason.empty()) text += " " + std::string(reason);
  return text;
}

// A short, single-line excerpt of a body that is not JSON (a proxy's error
// page, a plain-text panic), so the user sees what answered.
std::string excerpt_of(const std::string& body, const std::optional<std::string>& content_type) {
  std::string_view b(body);
  while (!b.empty() && std::isspace(static_cast<unsigned char>(b.front()))) b.remove_prefix(1);
  if (b.empty()) return {};
  if (b.front() == '<') {
    return "non-JSON answer (" + content_type.value_or("no content type") + ", " +
           std::to_string(body.size()) + " bytes)";
  }
  b = b.substr(0, b.find_first_of("\r\n"));
  std::string out;
  for (char c : b.substr(0, 200)) {
    out += std::iscntrl(static_cast<unsigned char>(c)) ? ' ' : c;
  }
  if (b.size() > 200) out += "...";
  return out;
}

std::string detail_from_body(const http::Response& resp) {
  json doc = json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return excerpt_of(resp.body, resp.header("content-type"));
  std::string detail = text::string_member(doc, "detail");
  if (detail.empty()) detail = text::string_member(doc, "title");
  if (auto scim_type = text::string_member(doc, "scimType"); !scim_type.empty()) {
    detail += detail.empty() ? "scimType " + scim_type : " (scimType " + scim_type + ")";
  }
  if (auto errors = doc.find("errors"); errors != doc.end() && errors->is_array()) {
    int listed = 0;
    for (const auto& e : *errors) {
      if (!e.is_object() || ++listed > 10) continue;
      std::string field = e.value("field", std::string());
      std::string message = e.value("message", std::string());
      detail += (detail.empty() ? "" : "; ") + (field.empty() ? message : field + ": " + message);
    }
    if (listed > 10) detail += "; and " + std::to_string(listed - 10) + " more";
  }
  if (auto existing = text::string_member(doc, "existing_id"); !existing.empty()) {
    detail += " (existing id " + existing + ")";
  }
  return detail;
}

ErrorKind kind_for_status(long status) {
  switch (status) {
    case 401:
    case 403:
      return ErrorKind::Auth;
    case 404:
    case 410:
      return ErrorKind::NotFound;
    case 409:
    case 412:
      return ErrorKind::Conflict;
    case 400:
    case 413:
    case 422:
      return ErrorKind::Validation;
    default:
      return ErrorKind::Remote;
  }
}

std::string hint_for_status(long status) {
  switch (status) {
    case 401:
      return "check the token: DAOCTL_TOKEN, token_file or token_command of the context";
    case 403:
      return "the token is valid but not allowed to do this; use a token of an admin service "
             "account with the needed scope";
    case 412:
      return "the object changed since it was read (ETag mismatch); read it again and retry";
    case 429:
      return "the platform is rate-limiting daoctl; lower the client rate limit or retry later";
    default:
      return status >= 500 ? "the platform failed; retry later or check the platform's logs"
                           : std::string();
  }
}

std::string hint_for_transport(http::TransportError::Code code) {
  using Code = http::TransportError::Code;
  switch (code) {
    case Code::Connect:
      return "check the base URL of the context, that the platform is up, and the proxy "
             "settings (HTTPS_PROXY, NO_PROXY)";
    case Code::Timeout:
      return "the platform did not answer in time; retry later or raise the timeout";
    case Code::Tls:
      return "check the server certificate and ca_file of the context; --insecure skips "
             "verification (not for production)";
    case Code::Reset:
      return "the connection was closed before a complete answer; retry later";
    case Code::Aborted:
      return "the receiver of the body stopped the transfer (for example a full disk)";
    case Code::Other:
      break;
  }
  return {};
}

// "4 s", "0.3 s", "1.5 s": whole seconds from 10 s on.
std::string seconds_text(milliseconds d) {
  const double s = static_cast<double>(d.count()) / 1000;
  if (s >= 10 || d.count() % 1000 == 0) return fmt::format("{} s", static_cast<long long>(s + 0.5));
  return fmt::format("{:.1f} s", s);
}

// "host:port" of an absolute URL (user info dropped), for notices.
std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  return authority;
}

std::string attempts_suffix(int attempts) {
  return attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : std::string();
}

uint64_t random_seed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

// A body that is JSON by its content type: application/json, problem+json,
// scim+json. An HTML or plain-text 404 is what a web server, a reverse proxy
// or a login portal answers for a path it does not serve, never the platform.
bool json_content_type(const std::optional<std::string>& content_type) {
  if (!content_type) return false;
  std::string type = content_type->substr(0, content_type->find(';'));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.find("json") != std::string::npos;
}

// The object of the request that asks "is this the platform?" after a 404
// (on_missing): its answer, HTML or not, is judged there.
constexpr std::string_view kProbeObject = "SCIM ServiceProviderConfig (is this the platform?)";

bool html_content_type(const http::Response& resp) {
  auto type = resp.header("content-type");
  if (!type) return false;
  std::string t = type->substr(0, type->find(';'));
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t == "text/html" || t == "application/xhtml+xml";
}

std::string content_type_text(const http::Response& resp) {
  auto type = resp.header("content-type");
  if (!type || type->empty()) return resp.body.empty() ? "an empty body" : "no content type";
  return type->substr(0, type->find(';'));
}

// The base URL without user info, for messages.
std::string shown_base(const std::string& base_url) {
  std::string url = base_url;
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto at = url.find('@', start);
  auto slash = url.find('/', start);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) url.erase(start, at + 1 - start);
  return url;
}

}  // namespace

// Why exit 2 (ErrorKind::Config) and not 7: the README's exit-code table
// gives 7 to "not found", the answer of a lookup of a real object on the
// platform, and scripts act on it ("no such user: create it"). A URL that is
// not the platform's API (another web server's HTML 404, a wrong base path
// such as http://host/wrong/) found no object at all; the mistake is the
// configured URL, which is row 2, "usage or configuration error", and its
// fix is local (--url, DAOCTL_URL or the context's url). Exit 1 would hide
// that the fix is local.
Error not_a_platform_error(const http::Request& req, const http::Response& resp, const std::string& base_url,
                           const std::string& also) {
  Error e;
  e.kind = ErrorKind::Config;
  e.message = shown_base(base_url) + " does not look like a daoctl platform API";
  e.detail = req.method + " " + path_of(req.url) + " answered " + status_text(resp.status) + " with " +
             content_type_text(resp) + also;
  e.hint = "check --url / the context's url: it is the platform's base URL, under which /api/v1 and "
           "/scim/v2 are served (daoctl config view shows it)";
  e.http_status = static_cast<int>(resp.status);
  return e;
}

bool looks_like_other_server(const http::Response& resp) {
  return (resp.status == 404 || resp.status == 405) && !json_content_type(resp.header("content-type"));
}

Error error_from_response(const http::Response& resp, const std::string& object) {
  Error e;
  e.kind = kind_for_status(resp.status);
  e.message = "request failed with " + status_text(resp.status);
  e.object = object;
  e.detail = detail_from_body(resp);
  e.hint = hint_for_status(resp.status);
  e.http_status = static_cast<int>(resp.status);
  if (resp.status == 400) {
    // A filter the platform refuses came from the user (--filter): a usage
    // error like a filter refused locally (scim_filter.hpp).
    const json doc = json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.value("scimType", json()) == "invalidFilter") {
      e.kind = ErrorKind::Usage;
      e.hint = "fix the --filter expression; the platform names what it does not accept";
    }
  }
  if (resp.status == 409) {
    const json doc = json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) {
      const json id = doc.value("existing_id", json());
      if (id.is_string()) e.existing_id = id.get<std::string>();
      else if (id.is_number_integer()) e.existing_id = std::to_string(id.get<std::int64_t>());
    }
  }
  return e;
}

Error error_from_response(const http::Request& req, const http::Response& resp) {
  Error e = error_from_response(resp, req.object.empty() ? req.method + " " + path_of(req.url)
                                                         : req.object);
  e.message = req.method + " " + path_of(req.url) + " failed with " + status_text(resp.status);
  return e;
}

milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) {
  const milliseconds cap = std::max(policy.max_delay, milliseconds(0));
  milliseconds bound = std::max(policy.base_delay, milliseconds(0));
  for (int i = 1; i < retry && bound < cap; ++i) bound *= 2;
  return std::min(bound, cap);
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    // Anything past a day is as good as "too long"; avoid overflow on silly values.
    if (value.size() > 6) return milliseconds(86'400'000);
    return milliseconds(std::stoll(std::string(value)) * 1000);
  }
  // curl_getdate parses IMF-fixdate, RFC 850 and asctime dates.
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Compare in seconds first: curl accepts dates (year 81500) whose distance
  // overflows system_clock's nanoseconds.
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (static_cast<std::int64_t>(when) < now_s) return milliseconds(0);
  if (static_cast<std::int64_t>(when) - now_s > 999'999) return milliseconds(86'400'000);  // as delta-seconds
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::duration_cast<milliseconds>(delta), milliseconds(0));
}

std::string url_encode_segment(std::string_view s) {
  // "." and ".." are dot-segments even when every byte is unreserved.
  if (s == ".") return "%2E";
  if (s == "..") return "%2E%2E";
  return url_encode_query(s);
}

std::string url_encode_query(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
  }
  return out;
}

// Adaptive pacing (docs/PACING.md). The whole client, not one request, slows
// down when the platform says it is overloaded:
// - a 429 or 503 lowers the pace to `decrease` x the rate the platform
//   accepted over the last second (at most once per second, and only for an
//   answer to a request started after the last decrease);
// - each second without one raises it again, by `recover` of itself while
//   below `headroom` x the rate it had when throttled, and by `probe` above
//   it, a probe that doubles every 3 s without a refusal;
// - a RateLimit-Policy header ("300;w=1", or q=/w= parameters) with a
//   window of at most 10 s caps the pace at `headroom` x its quota per
//   second from the first answer that carries it, so a run that can see the
//   limit never meets it.
// The fixed --rate-limit (ClientOptions::rate_limit) is an upper bound.
struct PacingPolicy {
  double decrease = 0.9;
  double recover = 0.5;    // per second, below headroom x the rate at the last throttle
  double probe = 0.02;     // per second, above it (doubling every 3 s of calm)
  double headroom = 0.95;  // share of an advertised RateLimit-Policy used
  std::size_t min_sending = 4;  // no pace starts while fewer were sent in the last second
};
constexpr PacingPolicy kPacing;
// Attempts handed to the transport at once; the rest wait in the client so a
// change of pace applies to them (twice a --concurrency of 32).
constexpr std::size_t kAdmitLimit = 64;

// One call across its attempts.
struct CallState {
  http::Request request;
  std::function<void(Result<http::Response>)> done;
  int attempts = 0;
  milliseconds own_timeout{0};  // the request's own timeout, before a deadline cuts it
  Clock::time_point started{};  // when the current attempt may start (its slot)
  Clock::time_point ready{};    // when the current attempt could have started (queued, or its retry due)
  bool admitted = false;        // the current attempt is with the transport
};

// The quota per second of a RateLimit-Policy header whose windows are at
// most 10 s (several policies: the tightest), or 0. Reads the -06 draft form
// "300;w=1, 1000;w=60" and the later one "\"burst\";q=300;w=1".
double advertised_rate(std::string_view policy) {
  double best = 0;
  std::size_t at = 0;
  while (at <= policy.size()) {
    auto comma = policy.find(',', at);
    std::string_view item = policy.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    at = comma == std::string_view::npos ? policy.size() + 1 : comma + 1;
    double quota = -1, window = 1;
    std::size_t p = 0;
    while (p <= item.size()) {
      auto semi = item.find(';', p);
      std::string_view part = item.substr(p, semi == std::string_view::npos ? std::string_view::npos : semi - p);
      p = semi == std::string_view::npos ? item.size() + 1 : semi + 1;
      while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
      while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
      auto number = [](std::string_view v) {
        if (v.empty() || v.size() > 12 ||
            !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
          return -1.0;
        return static_cast<double>(std::stoll(std::string(v)));
      };
      if (part.starts_with("q=")) quota = number(part.substr(2));
      else if (part.starts_with("w=")) window = number(part.substr(2));
      else if (quota < 0 && number(part) >= 0) quota = number(part);
    }
    if (quota > 0 && window > 0 && window <= 10) {
      const double rate = quota / window;
      best = best == 0 ? rate : std::min(best, rate);
    }
  }
  return best;
}

struct PlatformClient::Impl {
  PlatformClient& client;
  std::mt19937_64 jitter_rng;
  // Idempotency keys come from their own always-random generator: a fixed
  // jitter_seed must never make two runs send the same key, or the server
  // would replay the first run's answer for 24 hours.
  mutable std::mt19937_64 key_rng{random_seed()};
  Clock::time_point next_slot{};  // pacing: earliest start of the next attempt
  // Pacing (PacingPolicy): the rate now (0: not paced), the rate when last
  // throttled, the advertised quota per second, and the answers accepted in
  // the last second (the measure of what the platform takes).
  double pace = 0;
  double peak = 0;
  double advertised = 0;
  bool throttled_once = false;
  Clock::time_point last_decrease{};
  Clock::time_point last_raise{};
  std::deque<Clock::time_point> accepted;
  std::deque<Clock::time_point> starts;  // calls begun (first attempts) in the last second
  // Admission: attempts wait here until fewer than kAdmitLimit are with
  // the transport, so a change of pace applies to every attempt not yet
  // handed over (a batch of 256 given to the transport at once would start
  // at the old pace).
  std::deque<std::shared_ptr<CallState>> waiting;
  // Retries waiting out their backoff or Retry-After, by due time: when due
  // they go before the waiting first attempts and take a slot like any
  // attempt, so retries never add load above the pace.
  std::multimap<Clock::time_point, std::shared_ptr<CallState>> delayed;
  std::size_t admitted = 0;
  bool running = false;
  // Whether the base URL answered as a platform (on_missing), once known.
  enum class Verdict { Unknown, Platform, NotPlatform };
  Verdict platform_verdict = Verdict::Unknown;
  std::string not_platform_also;
  // send_stream: the source of further calls, and how many may be unfinished.
  const std::function<std::optional<Call>()>* source = nullptr;
  std::size_t window = 0;
  std::size_t unfinished = 0;

  Impl(PlatformClient& owner, uint64_t seed)
      : client(owner), jitter_rng(seed != 0 ? seed : random_seed()) {
    pace = std::max(0.0, client.options_.rate_limit);
  }

  std::string uuid_v4() const {
    std::uniform_int_distribution<uint64_t> dist;
    uint64_t hi = dist(key_rng);
    uint64_t lo = dist(key_rng);
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    char buf[37];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
  }

  // The highest pace allowed: the fixed --rate-limit and headroom x an
  // advertised quota, whichever is lower (0: no bound).
  double pace_cap() const {
    double cap = client.options_.rate_limit > 0 ? client.options_.rate_limit : 0;
    if (advertised > 0) {
      const double from_header = kPacing.headroom * advertised;
      cap = cap > 0 ? std::min(cap, from_header) : from_header;
    }
    return cap;
  }

  double min_rate() const { return std::max(client.options_.pacing.min_rate, 0.001); }

  void set_pace(double rate) {
    const double cap = pace_cap();
    if (cap > 0) rate = std::min(rate, cap);
    if (rate > 0) rate = std::max(rate, std::min(min_rate(), cap > 0 ? cap : rate));
    if (pace <= 0 && rate > 0) next_slot = std::max(next_slot, client.transport_->now());
    pace = rate;
    auto& st = client.stats_;
    st.pace = rate;
    if (rate > 0 && (st.lowest_pace <= 0 || rate < st.lowest_pace)) st.lowest_pace = rate;
  }

  // Token bucket of capacity one: attempts start at least 1/pace apart, so
  // the client never bursts above it. When the transport's in-flight cap
  // already slows us below the pace, reserved slots fall into the past and
  // cost nothing.
  Clock::time_point reserve_slot(Clock::time_point earliest) {
    if (pace <= 0) return earliest;
    const auto start = std::max(earliest, next_slot);
    next_slot = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / pace));
    return start;
  }

  void forget_old_accepts(Clock::time_point now) {
    while (!accepted.empty() && accepted.front() <= now - std::chrono::seconds(1)) accepted.pop_front();
    while (!starts.empty() && starts.front() <= now - std::chrono::seconds(1)) starts.pop_front();
  }

  // Learns an advertised quota from any answer.
  void learn_policy(const http::Response& resp) {
    if (!client.options_.pacing.adaptive) return;
    auto policy = resp.header("ratelimit-policy");
    if (!policy) return;
    const double rate = advertised_rate(*policy);
    if (rate <= 0 || rate == advertised) return;
    advertised = rate;
    client.stats_.advertised_rate = rate;
    set_pace(pace > 0 ? std::min(pace, pace_cap()) : pace_cap());
  }

  // An answer the platform accepted: measured, and the pace recovers.
  void on_accepted() {
    const auto now = client.transport_->now();
    accepted.push_back(now);
    forget_old_accepts(now);
    const auto& policy = kPacing;
    if (!throttled_once || pace <= 0) return;
    const double dt = std::chrono::duration<double>(now - last_raise).count();
    if (dt < 0.1) return;
    last_raise = now;
    // Back quickly to just below the rate that was refused, then probe:
    // slowly at first, doubling every 3 s without a refusal (so a pace set
    // low by a passing overload is not stuck there).
    const double knee = policy.headroom * peak;
    const double calm = std::chrono::duration<double>(now - last_decrease).count();
    const double probe = policy.probe * std::min(std::exp2(calm / 3), 64.0);
    set_pace(pace < knee ? std::min(pace * (1 + policy.recover * std::min(dt, 1.0)), knee)
                         : pace * (1 + probe * std::min(dt, 1.0)));
  }

  // A 429 or 503: the whole client slows down, once per second at most and
  // only for an answer to an attempt started after the last decrease (the
  // requests already in flight then carry no news).
  void on_throttled(Clock::time_point attempt_started) {
    const auto& policy = kPacing;
    ++client.stats_.throttled;
    if (!client.options_.pacing.adaptive) return;
    const auto now = client.transport_->now();
    if (throttled_once && (attempt_started < last_decrease || now - last_decrease < std::chrono::seconds(1))) return;
    forget_old_accepts(now);
    // A client sending a few requests a second is gentle already: their own
    // backoff is enough, and a pace would only hold a lone retry back.
    if (pace <= 0 && starts.size() < kPacing.min_sending) return;
    // From what the platform took in the last second (bounded by the pace,
    // and by half of it when the client was idle); before any pace, or when
    // it took nothing, from half of what was sent.
    const double took = static_cast<double>(accepted.size());
    const double base = pace > 0 ? std::min(pace, std::max(took, pace / 2))
                                 : std::max(took, static_cast<double>(starts.size()) / 2);
    peak = std::max(base, min_rate());
    throttled_once = true;
    last_decrease = now;
    last_raise = now;
    ++client.stats_.pace_decreases;
    set_pace(std::max(min_rate(), policy.decrease * base));
  }

  milliseconds jittered_backoff(int retry) {
    const auto bound = backoff_ceiling(client.options_.retry, retry);
    std::uniform_int_distribution<int64_t> dist(0, bound.count());
    return milliseconds(dist(jitter_rng));
  }


  // Hands attempts to the transport while fewer than kAdmitLimit are
  // there: due retries first, then first attempts; each takes its slot of
  // the pace now. With nothing at the transport (so no completion will call
  // again), the earliest retry is handed over for its due time.
  // While paced, only attempts whose slot is at most 50 ms away are handed
  // over: a decrease then applies to all but those few.
  bool may_admit(Clock::time_point now) const {
    if (admitted >= kAdmitLimit) return false;
    return pace <= 0 || admitted == 0 || next_slot <= now + std::chrono::milliseconds(50);
  }

  void pump() {
    const auto now = client.transport_->now();
    while (!delayed.empty() && delayed.begin()->first <= now && may_admit(now)) {
      auto call = std::move(delayed.begin()->second);
      delayed.erase(delayed.begin());
      ++admitted;
      start_attempt(call, now);
    }
    while (!waiting.empty() && may_admit(now)) {
      auto call = std::move(waiting.front());
      waiting.pop_front();
      ++admitted;
      start_attempt(call, now);
    }
    if (admitted == 0 && !delayed.empty()) {
      auto it = delayed.begin();
      auto call = std::move(it->second);
      const auto due = it->first;
      delayed.erase(it);
      ++admitted;
      start_attempt(call, due);
    }
  }

  void start_attempt(const std::shared_ptr<CallState>& call, Clock::time_point earliest) {
    ++call->attempts;
    ++client.stats_.requests;
    call->admitted = true;
    call->started = reserve_slot(earliest);
    cut_to_deadline(*call);
    if (pace > 0) {  // held back for its slot since it was ready
      const auto ready = std::min(earliest, call->ready);
      if (call->started > ready)
        client.stats_.pacing_wait_seconds += std::chrono::duration<double>(call->started - ready).count();
    }
    if (call->attempts == 1) {  // the calls begun, not the retries of one
      starts.push_back(call->started);
      if (starts.size() > 100'000) starts.pop_front();
    }
    client.transport_->submit(call->request, call->started, [this, call](http::Outcome outcome) {
      if (call->admitted) --admitted;
      call->admitted = false;
      on_outcome(call, std::move(outcome));
      pump();
    });
  }

  // Starts a call of a send_all/send_stream run; when it is done, asks the
  // stream's source for more to keep `window` calls going.
  void start_call(Call call, Clock::time_point earliest) {
    auto state = std::make_shared<CallState>();
    state->request = std::move(call.request);
    state->request.idempotent = state->request.idempotent || method_is_idempotent(state->request.method) ||
                                has_header(state->request, "Idempotency-Key");
    state->own_timeout = state->request.timeout;
    state->done = [this, done = std::move(call.done)](Result<http::Response> result) {
      --unfinished;
      done(std::move(result));
      refill();
    };
    ++unfinished;
    state->ready = earliest;
    waiting.push_back(std::move(state));
    pump();
  }

  void refill() {
    while (source && unfinished < window) {
      auto call = (*source)();
      if (!call) {
        source = nullptr;
        break;
      }
      start_call(std::move(*call), client.transport_->now());
    }
  }

  bool may_retry(const CallState& call) const {
    return call.request.idempotent && call.attempts < client.options_.retry.max_attempts;
  }

  // An attempt ends by the deadline: its timeout (its own, else the
  // transport's) is cut to the time left, at least 1 ms.
  void cut_to_deadline(CallState& call) const {
    const auto& o = client.options_;
    call.request.timeout = call.own_timeout;
    if (!o.deadline) return;
    const milliseconds limit = call.own_timeout.count() > 0 ? call.own_timeout : o.attempt_timeout;
    if (limit.count() <= 0) return;
    const auto left = std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(*o.deadline - call.started));
    call.request.timeout = std::min(limit, left);
  }

  // Schedules the next attempt, or returns false when it would start after
  // the deadline (the caller fails the call). `cause` ("no answer from h in
  // 30 s"), when not empty, is told to on_retry with the retry's delay.
  bool retry_after(const std::shared_ptr<CallState>& call, milliseconds minimum, const std::string& cause = {}) {
    const auto delay = std::max(jittered_backoff(call->attempts), minimum);
    const auto due = client.transport_->now() + delay;
    if (client.options_.deadline && due >= *client.options_.deadline) return false;
    ++client.stats_.retries;
    client.stats_.retry_wait_seconds += std::chrono::duration<double>(delay).count();
    if (!cause.empty() && client.options_.on_retry)
      client.options_.on_retry(fmt::format("{}, retry {}/{} in {}", cause, call->attempts + 1,
                                           client.options_.retry.max_attempts, seconds_text(delay)));
    call->ready = due;
    delayed.emplace(call->ready, call);
    return true;
  }

  // Appended to the error of a call whose retry the deadline prevented.
  void note_deadline(Error& e, int attempts) const {
    const auto& o = client.options_;
    e.detail += (e.detail.empty() ? "" : "; ") +
                fmt::format("the command's time limit ({}) ran out before attempt {} of {}", o.deadline_name,
                            attempts + 1, o.retry.max_attempts);
    e.hint = "the platform is slow or does not answer: check it (daoctl doctor), or allow more time with " +
             o.deadline_name.substr(0, o.deadline_name.find(' '));
  }

  // What went wrong with an attempt, for a retry notice; "" for throttling
  // (429/503), which pacing handles and reports.
  std::string retry_cause(const CallState& call, const http::Outcome& outcome) const {
    const std::string host = host_of(call.request.url);
    if (outcome.response) {
      const long status = outcome.response->status;
      if (status == 429 || status == 503) return "";
      return fmt::format("{} answered {}", host, status_text(status));
    }
    using Code = http::TransportError::Code;
    const auto code = outcome.error ? outcome.error->code : Code::Other;
    switch (code) {
      case Code::Timeout:
        if (call.request.timeout.count() > 0)
          return fmt::format("no answer from {} in {}", host, seconds_text(call.request.timeout));
        if (client.options_.attempt_timeout.count() > 0)
          return fmt::format("no answer from {} in {}", host, seconds_text(client.options_.attempt_timeout));
        return fmt::format("no answer from {} in time", host);
      case Code::Connect:
        return fmt::format("cannot connect to {}", host);
      case Code::Reset:
        return fmt::format("{} closed the connection", host);
      default:
        return fmt::format("request to {} failed", host);
    }
  }

  // A 404 (or 405) that may come from something else than the platform:
  // an HTML or text page is another web server (a reverse proxy's default
  // site, a wrong port); a JSON 404 under /api/v1 or /scim/v2 is confirmed
  // once per client by GET /scim/v2/ServiceProviderConfig, which every
  // daoctl platform serves: if that is missing too (a wrong base path such
  // as http://host/wrong/), the URL is not a platform API, otherwise the
  // 404 is a real "not found" (exit 7).
  void on_missing(const std::shared_ptr<CallState>& call, const http::Response& resp) {
    const http::Request& req = call->request;
    const std::string& base = client.options_.base_url;
    auto plain = [&] {
      Error e = error_from_response(req, resp);
      e.message += attempts_suffix(call->attempts);
      fail(call, std::move(e));
    };
    if (looks_like_other_server(resp)) {
      platform_verdict = Verdict::NotPlatform;
      fail(call, not_a_platform_error(req, resp, base, ""));
      return;
    }
    if (resp.status != 404 || platform_verdict == Verdict::Platform) return plain();
    std::string_view path(req.url);
    std::string_view base_path(base);
    while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
    if (!path.starts_with(base_path)) return plain();
    path.remove_prefix(base_path.size());
    constexpr std::string_view probe_path = "/scim/v2/ServiceProviderConfig";
    if (!(path.starts_with("/api/v1/") || path.starts_with("/scim/v2/")) || path.starts_with(probe_path))
      return plain();
    if (platform_verdict == Verdict::NotPlatform) {
      fail(call, not_a_platform_error(req, resp, base, not_platform_also));
      return;
    }
    http::Request probe = client.make_request("GET", std::string(probe_path), std::string(kProbeObject));
    http::Response missed = resp;
    start_call(Call{std::move(probe),
                    [this, call, missed, probe_path](Result<http::Response> answer) {
                      const http::Request& original = call->request;
                      const std::string& base_url = client.options_.base_url;
                      const std::string probe_shown =
                          "GET " + path_of(client.options_.base_url + std::string(probe_path));
                      std::string also;
                      if (answer) {
                        if (json_content_type(answer->header("content-type"))) {
                          platform_verdict = Verdict::Platform;
                        } else {
                          also = "; " + probe_shown + " answered " + status_text(answer->status) + " with " +
                                 content_type_text(*answer);
                        }
                      } else if (answer.error().http_status == 404 || answer.error().http_status == 405) {
                        also = "; " + probe_shown + " answered " + std::to_string(answer.error().http_status) +
                               " too";
                      }
                      if (also.empty()) {
                        Error e = error_from_response(original, missed);
                        e.message += attempts_suffix(call->attempts);
                        fail(call, std::move(e));
                        return;
                      }
                      platform_verdict = Verdict::NotPlatform;
                      not_platform_also = also;
                      fail(call, not_a_platform_error(original, missed, base_url, also));
                    }},
               client.transport_->now());
  }

  void fail(const std::shared_ptr<CallState>& call, Error error) {
    ++client.stats_.failures;
    call->done(std::unexpected(std::move(error)));
  }

  void on_outcome(const std::shared_ptr<CallState>& call, http::Outcome outcome) {
    const http::Request& req = call->request;
    if (outcome.response) {
      http::Response& resp = *outcome.response;
      learn_policy(resp);
      if (resp.status < 400) {
        // The platform's API never answers with a web page. A login portal,
        // a captive proxy or another site in front answers 200 and HTML to
        // every path: a configuration error naming the URL (exit 2), not
        // "cannot parse the JSON answer" of whichever request came first.
        if (client.options_.detect_non_platform && resp.status < 300 && html_content_type(resp) &&
            req.object != kProbeObject) {  // the probe's own answer is judged by its caller
          fail(call, not_a_platform_error(req, resp, client.options_.base_url,
                                          " (a web page: a login portal or a proxy's sign-in page answers so)"));
          return;
        }
        on_accepted();
        call->done(std::move(resp));
        return;
      }
      if (resp.status == 429 || resp.status == 503) on_throttled(call->started);
      if (is_retryable_status(resp.status) && may_retry(*call)) {
        milliseconds minimum{0};
        if (auto value = resp.header("retry-after")) {
          auto wall_now = client.options_.wall_clock ? client.options_.wall_clock()
                                                     : std::chrono::system_clock::now();
          if (auto parsed = parse_retry_after(*value, wall_now)) {
            if (*parsed > client.options_.retry.max_retry_after) {
              // Waiting would stall this call (and a sync's batch) for that
              // long: it fails now, with its own message, and the others go on.
              Error e = error_from_response(req, resp);
              e.message += attempts_suffix(call->attempts);
              const double cap_s = static_cast<double>(client.options_.retry.max_retry_after.count()) / 1000;
              e.detail += (e.detail.empty() ? "" : "; ") +
                          fmt::format("the platform asked to retry after {:g} s, longer than the {:g} s daoctl "
                                      "waits for one request, so it was not retried",
                                      static_cast<double>(parsed->count()) / 1000, cap_s);
              e.hint = "run the command again later, or raise the longest wait (--max-retry-wait, a job's "
                       "apply.retries.max_wait); the other requests were not held back";
              fail(call, std::move(e));
              return;
            }
            minimum = *parsed;
          }
        }
        const std::string cause = retry_cause(*call, outcome);
        if (retry_after(call, minimum, cause)) return;
        Error e = error_from_response(req, resp);
        e.message += attempts_suffix(call->attempts);
        note_deadline(e, call->attempts);
        fail(call, std::move(e));
        return;
      }
      if ((resp.status == 404 || resp.status == 405) && client.options_.detect_non_platform) {
        on_missing(call, resp);
        return;
      }
      Error e = error_from_response(req, resp);
      e.message += attempts_suffix(call->attempts);
      fail(call, std::move(e));
      return;
    }

    using Code = http::TransportError::Code;
    const http::TransportError err =
        outcome.error.value_or(http::TransportError{Code::Other, "no response and no error"});
    // With a sink, bytes may already be written; only a failed connect is
    // known to have sent nothing.
    const bool retryable = req.sink ? err.code == Code::Connect
                                    : err.code == Code::Connect || err.code == Code::Timeout ||
                                          err.code == Code::Reset;
    bool out_of_time = false;
    if (retryable && may_retry(*call)) {
      if (retry_after(call, milliseconds(0), retry_cause(*call, outcome))) return;
      out_of_time = true;
    }
    Error e;
    e.kind = err.code == Code::Aborted ? ErrorKind::Io : ErrorKind::Network;
    e.message = req.method + " " + path_of(req.url) + " failed" + attempts_suffix(call->attempts);
    e.object = req.object.empty() ? req.method + " " + path_of(req.url) : req.object;
    e.detail = err.message;
    e.hint = hint_for_transport(err.code);
    if (out_of_time) note_deadline(e, call->attempts);
    fail(call, std::move(e));
  }
};

PlatformClient::PlatformClient(std::unique_ptr<http::Transport> transport, ClientOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  options_.retry.max_attempts = std::max(1, options_.retry.max_attempts);
  impl_ = std::make_unique<Impl>(*this, options_.jitter_seed);
}

PlatformClient::~PlatformClient() = default;

http::Request PlatformClient::make_request(std::string method, std::string path, std::string object,
                                           std::optional<json> body) const {
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  const bool scim = path.starts_with("/scim/");
  http::Request req;
  req.url = options_.base_url + path;
  req.object = object.empty() ? method + " " + path_of(req.url) : std::move(object);
  if (!options_.token.empty()) req.headers.push_back({"Authorization", "Bearer " + options_.token});
  req.headers.push_back({"Accept", scim ? "application/scim+json, application/json" : "application/json"});
  if (body) {
    req.headers.push_back({"Content-Type", scim ? "application/scim+json" : "application/json"});
    req.body = body->dump();
  }
  if (method == "POST" || method == "PATCH") {
    req.headers.push_back({"Idempotency-Key", impl_->uuid_v4()});
  }
  req.idempotent = method_is_idempotent(method) || has_header(req, "Idempotency-Key");
  req.method = std::move(method);
  return req;
}

Result<http::Response> PlatformClient::send(http::Request req) {
  std::optional<Result<http::Response>> result;
  std::vector<Call> calls;
  calls.push_back(Call{std::move(req), [&](Result<http::Response> r) { result = std::move(r); }});
  send_all(std::move(calls));
  if (!result) return fail(ErrorKind::Internal, "the transport finished without completing the request");
  return std::move(*result);
}

void PlatformClient::send_all(std::vector<Call> calls) {
  if (impl_->running) {
    for (auto& call : calls) {
      call.done(fail(ErrorKind::Internal,
                     "platform request started from inside a completion callback of the same client",
                     call.request.object, {},
                     "collect results in the callback and send after the batch returns"));
    }
    return;
  }
  struct RunningFlag {
    bool& flag;
    explicit RunningFlag(bool& f) : flag(f) { flag = true; }
    ~RunningFlag() { flag = false; }
  } running(impl_->running);

  const auto start = transport_->now();
  struct AdmissionReset {  // a run ended by an exception leaves calls the transport dropped
    Impl& impl;
    ~AdmissionReset() {
      impl.waiting.clear();
      impl.delayed.clear();
      impl.admitted = 0;
    }
  } reset{*impl_};
  for (auto& call : calls) impl_->start_call(std::move(call), start);
  transport_->run();
}

void PlatformClient::send_stream(const std::function<std::optional<Call>()>& next, std::size_t window) {
  if (impl_->running) {
    while (auto call = next()) {
      call->done(fail(ErrorKind::Internal,
                      "platform request started from inside a completion callback of the same client",
                      call->request.object, {}, "use enqueue() inside callbacks"));
    }
    return;
  }
  struct RunningState {
    Impl& impl;
    RunningState(Impl& i, const std::function<std::optional<Call>()>& next, std::size_t window) : impl(i) {
      impl.running = true;
      impl.source = &next;
      impl.window = std::max<std::size_t>(window, 1);
    }
    ~RunningState() {
      impl.running = false;
      impl.source = nullptr;
    }
  } running(*impl_, next, window);
  struct AdmissionReset {  // a run ended by an exception leaves calls the transport dropped
    Impl& impl;
    ~AdmissionReset() {
      impl.waiting.clear();
      impl.delayed.clear();
      impl.admitted = 0;
    }
  } reset{*impl_};
  impl_->refill();
  transport_->run();
}

void PlatformClient::enqueue(Call call) {
  if (!impl_->running) {
    call.done(fail(ErrorKind::Internal, "enqueue() outside of a send_all/send_stream run", call.request.object));
    return;
  }
  impl_->start_call(std::move(call), transport_->now());
}

namespace {

// What a request was (method, URL, object) without its body or sink, kept to
// describe errors found after the request itself has been handed away.
http::Request description_of(const http::Request& req) {
  http::Request d;
  d.method = req.method;
  d.url = req.url;
  d.object = req.object;
  return d;
}

Result<json> parse_json_body(const http::Request& req, const http::Response& resp) {
  if (resp.body.empty()) return json(nullptr);
  try {
    return json::parse(resp.body);
  } catch (const json::parse_error& e) {
    return fail(ErrorKind::Remote,
                "cannot parse the JSON answer of " + req.method + " " + path_of(req.url), req.object,
                e.what(), "the platform or a proxy in between answered with something that is not JSON");
  } catch (const json::exception& e) {
    // Well-formed but not representable, e.g. the number 1e400 (out_of_range).
    return fail(ErrorKind::Remote, "cannot use the JSON answer of " + req.method + " " + path_of(req.url), req.object,
                e.what(), "the platform answered with a value daoctl cannot represent");
  }
}

}  // namespace

Result<json> PlatformClient::get_json(const std::string& path, const std::string& object) {
  return send_json("GET", path, object);
}

Result<json> PlatformClient::send_json(const std::string& method, const std::string& path,
                                       const std::string& object, std::optional<json> body) {
  http::Request req = make_request(method, path, object, std::move(body));
  const http::Request described = description_of(req);
  auto resp = send(std::move(req));
  if (!resp) return std::unexpected(std::move(resp.error()));
  return parse_json_body(described, *resp);
}

namespace {

std::string with_query(const std::string& path, const std::string& query) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + query;
}

Result<json> array_member(const json& page, const char* key, bool required, const http::Request& req) {
  if (page.is_object()) {
    auto it = page.find(key);
    if (it != page.end() && it->is_array()) return *it;
    if (it == page.end() && !required) return json::array();
  }
  return fail(ErrorKind::Remote,
              "unexpected answer to " + req.method + " " + path_of(req.url), req.object,
              std::string("the page has no \"") + key + "\" array");
}

}  // namespace

namespace {

// What paging needs from a SCIM ListResponse, read with simdjson's on-demand
// parser without building a document: totalResults and the number of
// Resources. Errors name the page like parse_json_body does.
struct ScimPageMeta {
  long long total = 0;
  long long count = 0;
  bool has_total = false;
  // With `locate`: where each resource's JSON text is in the body (offset,
  // length), found in the same pass that counts them.
  std::vector<std::pair<std::size_t, std::size_t>> spans;
};

std::string plural(long long n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// The pages of a SCIM listing must add up (docs/PAGING.md): page `page`,
// asked from `start_index`, must hold exactly what totalResults leaves for
// it, and repeat the first page's totalResults.
Status check_scim_page(const std::string& path, long long page, long long start_index, long long step,
                       long long total, const ScimPageMeta& meta) {
  const std::string object = "page " + std::to_string(page) + " of " + path;
  const std::string where = "page " + std::to_string(page) + " (startIndex " + std::to_string(start_index) + ")";
  if (meta.has_total && meta.total != total) {
    return fail(ErrorKind::Remote, "the listing of " + path + " changed while it was read", object,
                where + " says totalResults " + std::to_string(meta.total) + ", page 1 said " +
                    std::to_string(total),
                "offset paging skips or repeats resources when the collection changes between pages; "
                "run the command again (after the change, e.g. a running sync, has finished)");
  }
  const long long expected = std::min(step, total - start_index + 1);
  if (meta.count != expected) {
    const bool short_page = meta.count < expected;
    return fail(ErrorKind::Remote,
                std::string(short_page ? "short page" : "oversized page") + " in the listing of " + path, object,
                where + " returned " + plural(meta.count, "resource") + " where totalResults " +
                    std::to_string(total) + " and a page size of " + std::to_string(step) + " call for " +
                    std::to_string(expected) +
                    (short_page ? "; the listing would be " + std::to_string(expected - meta.count) + " short"
                                : std::string()),
                "the platform (or a proxy in between) answered with pages that do not add up; nothing "
                "was reported as complete; run the command again and report it to the platform if it "
                "persists");
  }
  return {};
}

Result<ScimPageMeta> scim_page_meta(const http::Request& req, std::string& body, bool locate = false) {
  auto bad = [&](const std::string& why) {
    return fail(ErrorKind::Remote, "cannot read the SCIM list answer of " + req.method + " " + path_of(req.url),
                req.object, why, "the platform or a proxy in between answered with something that is not a SCIM ListResponse");
  };
  if (body.empty()) return bad("empty body");
  const std::size_t size = body.size();
  body.reserve(size + simdjson::SIMDJSON_PADDING);
  auto& parser = sync::page_parser();  // shared with the user reader (core/sync/page_parser.hpp)
  auto doc = parser.iterate(body.data(), size, body.capacity());
  if (doc.error()) return bad(simdjson::error_message(doc.error()));
  simdjson::ondemand::object root;
  if (auto err = doc.get_object().get(root)) return bad(simdjson::error_message(err));
  ScimPageMeta meta;
  for (auto field : root) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return bad(simdjson::error_message(err));
    if (key == "totalResults") {
      int64_t total = 0;
      if (field.value().get_int64().get(total) == simdjson::SUCCESS) {
        meta.total = total;
        meta.has_total = true;
      }
    } else if (key == "Resources") {
      simdjson::ondemand::array resources;
      if (field.value().get_array().get(resources)) return bad("the page has no \"Resources\" array");
      if (locate) {
        meta.spans.clear();
        for (auto item : resources) {
          std::string_view raw;
          simdjson::ondemand::object object;
          if (item.get_object().get(object) != simdjson::SUCCESS) return bad("a resource is not an object");
          if (auto err = object.raw_json().get(raw)) return bad(simdjson::error_message(err));
          // raw_json() runs up to the next token: the whitespace a server
          // writes between resources is not the resource's.
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
            raw.remove_suffix(1);
          meta.spans.emplace_back(static_cast<std::size_t>(raw.data() - body.data()), raw.size());
        }
        meta.count = static_cast<long long>(meta.spans.size());
        continue;
      }
      std::size_t n = 0;
      if (auto err = resources.count_elements().get(n)) return bad(simdjson::error_message(err));
      meta.count = static_cast<long long>(n);
    }
  }
  if (!meta.has_total) meta.total = meta.count;
  return meta;
}

}  // namespace

Status PlatformClient::scim_list_raw(const std::string& path, const std::string& filter, int page_size,
                                     const std::function<Status(std::string& body)>& on_page) {
  return scim_list_pages(path, filter, page_size, /*locate=*/false,
                         [&](std::string& body, const ResourceSpans&) { return on_page(body); });
}

Status PlatformClient::scim_list_resources(
    const std::string& path, const std::string& filter, int page_size,
    const std::function<Status(std::string_view body, std::span<const std::string_view> resources)>& on_page) {
  std::vector<std::string_view> views;
  return scim_list_pages(path, filter, page_size, /*locate=*/true, [&](std::string& body, const ResourceSpans& spans) {
    views.clear();
    views.reserve(spans.size());
    for (const auto& [offset, size] : spans) views.emplace_back(body.data() + offset, size);
    return on_page(body, views);
  });
}

Status PlatformClient::scim_list_pages(const std::string& path, const std::string& filter, int page_size, bool locate,
                                       const std::function<Status(std::string& body, const ResourceSpans&)>& on_page) {
  page_size = std::max(1, page_size);
  // A malformed filter is exit 2 before any request (scim_filter.hpp).
  if (auto checked = check_scim_filter(filter); !checked) return checked;
  const std::string base = filter.empty() ? path : with_query(path, "filter=" + url_encode_query(filter));
  auto page_request = [&](long long start_index, int count, long long page_number) {
    return make_request("GET",
                        with_query(base, "startIndex=" + std::to_string(start_index) +
                                             "&count=" + std::to_string(count)),
                        "page " + std::to_string(page_number) + " of " + path);
  };

  http::Request first = page_request(1, page_size, 1);
  const http::Request first_described = description_of(first);
  auto first_resp = send(std::move(first));
  if (!first_resp) return std::unexpected(std::move(first_resp.error()));
  auto first_meta = scim_page_meta(first_described, first_resp->body, locate);
  if (!first_meta) return std::unexpected(std::move(first_meta.error()));
  const long long first_count = first_meta->count;
  const long long total = first_meta->total;
  if (first_count == 0 && total > 0) {
    return fail(ErrorKind::Remote, "short page in the listing of " + path, "page 1 of " + path,
                "page 1 (startIndex 1) returned 0 resources where totalResults is " + std::to_string(total),
                "the platform (or a proxy in between) answered with pages that do not add up; run the "
                "command again and report it to the platform if it persists");
  }
  if (first_count > total) {
    return fail(ErrorKind::Remote, "oversized page in the listing of " + path, "page 1 of " + path,
                "page 1 (startIndex 1) returned " + plural(first_count, "resource") +
                    " where totalResults is " + std::to_string(total),
                "the platform answered with pages that do not add up; report it to the platform");
  }
  if (auto st = on_page(first_resp->body, first_meta->spans); !st) return st;
  if (first_count >= total) return {};

  // The server may clamp count (SCIM maxResults); step by what it really gave.
  const long long step = std::min<long long>(page_size, first_count);
  std::vector<Call> calls;
  std::map<long long, std::pair<std::string, ResourceSpans>> arrived;  // page -> (body, spans), waiting for its turn
  long long next_to_deliver = 2;
  long long last_page = 1 + (total - first_count + step - 1) / step;
  std::optional<Error> first_error;
  long long error_page = 0;
  auto record_error = [&](long long page, Error e) {
    // Only the earliest failing page counts; pages after it are never delivered.
    if (!first_error || page < error_page) {
      first_error = std::move(e);
      error_page = page;
    }
    last_page = std::min(last_page, page - 1);
  };

  for (long long page = 2; page <= last_page; ++page) {
    const long long start_index = first_count + (page - 2) * step + 1;
    http::Request req = page_request(start_index, static_cast<int>(step), page);
    const http::Request described = description_of(req);
    calls.push_back(Call{std::move(req), [&, page, start_index, described](Result<http::Response> resp) {
      if (page > last_page) return;  // beyond an error: discarded
      if (!resp) return record_error(page, std::move(resp.error()));
      auto meta = scim_page_meta(described, resp->body, locate);
      if (!meta) return record_error(page, std::move(meta.error()));
      if (auto st = check_scim_page(path, page, start_index, step, total, *meta); !st)
        return record_error(page, std::move(st.error()));
      arrived.emplace(page, std::pair{std::move(resp->body), std::move(meta->spans)});
      while (next_to_deliver <= last_page) {
        auto it = arrived.find(next_to_deliver);
        if (it == arrived.end()) break;
        if (auto st = on_page(it->second.first, it->second.second); !st) {
          record_error(next_to_deliver, std::move(st.error()));
          break;
        }
        arrived.erase(it);
        ++next_to_deliver;
      }
    }});
  }
  // At most about 4000 resources in flight (8 pages of 500, 4 of 1000):
  // bigger pages go fewer at a time, so memory stays what it was.
  const std::size_t window = static_cast<std::size_t>(std::max<long long>(2, 4000 / step));
  std::size_t next_call = 0;
  send_stream([&]() -> std::optional<Call> {
    if (next_call >= calls.size()) return std::nullopt;
    return std::move(calls[next_call++]);
  }, window);
  if (first_error) return std::unexpected(std::move(*first_error));
  return {};
}

Status PlatformClient::scim_list(const std::string& path, const std::string& filter, int page_size,
                                 const std::function<void(const json& resources)>& on_page) {
  const http::Request described = make_request("GET", path, "page of " + path);
  return scim_list_raw(path, filter, page_size, [&](std::string& body) -> Status {
    http::Response resp;
    resp.body = std::move(body);
    auto doc = parse_json_body(described, resp);
    if (!doc) return std::unexpected(std::move(doc.error()));
    auto items = array_member(*doc, "Resources", /*required=*/false, described);
    if (!items) return std::unexpected(std::move(items.error()));
    on_page(*items);
    return {};
  });
}

Status PlatformClient::cursor_list(const std::string& path, int limit,
                                   const std::function<void(const json& items)>& on_page) {
  limit = std::max(1, limit);
  CursorPaging checker(path, limit);
  std::string cursor;
  for (long long page = 1;; ++page) {
    std::string query = "limit=" + std::to_string(limit);
    if (!cursor.empty()) query += "&cursor=" + url_encode_query(cursor);
    http::Request req = make_request("GET", with_query(path, query),
                                     "page " + std::to_string(page) + " of " + path);
    const http::Request described = description_of(req);
    auto resp = send(std::move(req));
    if (!resp) return std::unexpected(std::move(resp.error()));
    auto doc = parse_json_body(described, *resp);
    if (!doc) return std::unexpected(std::move(doc.error()));
    auto items = array_member(*doc, "items", /*required=*/true, described);
    if (!items) return std::unexpected(std::move(items.error()));
    auto next = doc->find("next_cursor");
    std::optional<std::string> next_cursor;
    if (next != doc->end() && !next->is_null()) {
      if (!next->is_string()) {
        return fail(ErrorKind::Remote, "unexpected answer to GET " + path_of(described.url), described.object,
                    "next_cursor is neither a string nor null");
      }
      if (!next->get<std::string>().empty()) next_cursor = next->get<std::string>();
    }
    if (auto st = checker.check(page, cursor, items->size(), next_cursor); !st) return st;
    on_page(*items);
    if (!next_cursor) return {};
    cursor = std::move(*next_cursor);
  }
}

CursorPaging::CursorPaging(std::string path, int limit) : path_(std::move(path)), limit_(std::max(1, limit)) {}

Status CursorPaging::check(long long number, const std::string& cursor, std::size_t items,
                           const std::optional<std::string>& next) {
  const std::string object = "page " + std::to_string(number) + " of " + path_;
  const std::string where = "page " + std::to_string(number) +
                            (cursor.empty() ? std::string(" (the first)") : " (cursor \"" + cursor + "\")");
  const auto count = static_cast<long long>(items);
  const bool has_next = next && !next->empty();
  auto mismatch = [&](const std::string& detail) {
    return fail(ErrorKind::Remote, "short page in the listing of " + path_, object, detail,
                "the platform (or a proxy in between) answered with pages that do not add up; nothing was "
                "reported as complete; run the command again and report it to the platform if it persists");
  };
  if (has_next && *next == cursor) {
    return fail(ErrorKind::Remote, "the platform repeated the paging cursor of " + path_, object,
                "next_cursor \"" + cursor + "\" was the cursor just used",
                "this is a platform bug; report it with the request above");
  }
  if (count > limit_) {
    return fail(ErrorKind::Remote, "oversized page in the listing of " + path_, object,
                where + " returned " + plural(count, "item") + " for limit=" + std::to_string(limit_),
                "the platform ignored the page size; report it to the platform");
  }
  if (has_next) {
    if (count == 0) {
      return mismatch(where + " returned 0 items but names a next cursor; every page but the last is full (" +
                      plural(items_read_, "item") + " read before it)");
    }
    if (page_size_ == 0) {
      page_size_ = count;
    } else if (count != page_size_) {
      return mismatch(where + " returned " + plural(count, "item") + " but names a next cursor; earlier pages held " +
                      std::to_string(page_size_) + " and every page but the last is full (" +
                      plural(items_read_, "item") + " read before it)");
    }
  } else if (page_size_ > 0 && count > page_size_) {
    return mismatch(where + " (the last) returned " + plural(count, "item") + ", more than the page size " +
                    std::to_string(page_size_) + " of the pages before it");
  }
  items_read_ += count;
  return {};
}

}  // namespace daoctl::platform

namespace daoctl::platform {

json stats_json(const ClientStats& st, const PacingOptions& pacing) {
  auto round = [](double v, double per_unit) { return std::round(v * per_unit) / per_unit; };
  json pace = {{"mode", pacing.adaptive ? "adaptive" : "fixed"},
               {"rate", round(st.pace, 10)},
               {"lowest_rate", round(st.lowest_pace, 10)},
               {"advertised_rate", round(st.advertised_rate, 10)},
               {"decreases", st.pace_decreases},
               {"wait_seconds", round(st.pacing_wait_seconds, 1000)}};
  return {{"requests", st.requests},
          {"retries", st.retries},
          {"failures", st.failures},
          {"throttled", st.throttled},
          {"retry_wait_seconds", round(st.retry_wait_seconds, 1000)},
          {"pacing", std::move(pace)}};
}

}  // namespace daoctl::platform
