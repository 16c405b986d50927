// The libcurl multi Transport: one multi handle whose connection cache keeps
// connections alive between requests, a pool of easy handles, at most
// max_in_flight transfers on the wire, and requests held back until their
// not_before (the client's backoff and rate limit) without a thread per wait.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/platform/client.hpp"
#include "connectors/platform/http.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::platform {

namespace {

// True for http(s)://localhost, 127.0.0.0/8 and [::1] URLs.
bool is_loopback_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string_view rest = std::string_view(url).substr(scheme + 3);
  if (auto at = rest.find('@'); at != std::string_view::npos && at < rest.find('/')) rest.remove_prefix(at + 1);
  if (rest.starts_with("[::1]")) return true;
  std::string_view host = rest.substr(0, rest.find_first_of(":/?#"));
  return host == "localhost" || host.starts_with("127.");
}


using http::Clock;

// curl_global_init is not thread-safe and must run once before any handle;
// a function-local static gives both. It is never cleaned up: the process
// ends soon after the last transfer and cleanup would race other threads.
void ensure_curl_global_init() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw std::runtime_error(std::string("cannot initialise libcurl: ") + curl_easy_strerror(rc));
  }
}

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct MultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "https://user:pw@host/x" -> "https://***@host/x": userinfo never reaches a trace.
std::string redact_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  auto authority_start = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  auto at = url.rfind('@', authority_end == std::string::npos ? url.size() : authority_end);
  if (at == std::string::npos || at < authority_start) return url;
  return url.substr(0, authority_start) + "***" + url.substr(at);
}

http::TransportError::Code classify(CURLcode rc) {
  using Code = http::TransportError::Code;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return Code::Connect;
    case CURLE_OPERATION_TIMEDOUT:
      return Code::Timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return Code::Tls;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Code::Reset;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return Code::Aborted;
    default:
      return Code::Other;
  }
}

// One transfer from curl_multi_add_handle to its completion.
struct Transfer {
  http::Request request;
  http::Completion done;
  EasyHandle easy;
  HeaderList header_list;
  http::Response response;
  long status_from_headers = 0;  // status of the latest status line seen
  Clock::time_point started;
  std::chrono::milliseconds stall{0};  // the stall limit in force (0: none)
  Clock::time_point last_byte;         // when a byte last moved either way
  curl_off_t last_up = 0;              // bytes uploaded at last_byte
  bool stalled = false;                // aborted by on_progress for silence
  char error_buffer[CURL_ERROR_SIZE] = {};
};

struct Queued {
  http::Request request;
  http::Completion done;
};

// Ordered by start time, then by submission order (FIFO among equals).
using QueueKey = std::pair<Clock::time_point, uint64_t>;

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * count;
  if (t->stall.count() > 0) t->last_byte = Clock::now();
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue or a proxy CONNECT): start over.
    t->response.headers.clear();
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) {
      t->status_from_headers = std::strtol(std::string(line.substr(sp + 1, 3)).c_str(), nullptr, 10);
    }
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;  // the blank line ending the headers
  t->response.headers.emplace(text::lower_ascii(trim(line.substr(0, colon))),
                              std::string(trim(line.substr(colon + 1))));
  return len;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * count;
  if (t->stall.count() > 0) t->last_byte = Clock::now();
  const bool success = t->status_from_headers >= 200 && t->status_from_headers < 300;
  if (t->request.sink && success) {
    return t->request.sink(data, len) ? len : 0;  // 0 makes curl fail with CURLE_WRITE_ERROR
  }
  if (t->response.body.empty()) {
    // One allocation for the whole body when its length is announced (a
    // 600 KB SCIM page otherwise grows through a dozen reallocations and
    // copies), plus room for simdjson's padding so parsing needs no copy
    // either. Capped: the header is the server's word, not a promise.
    auto cl = t->response.headers.find("content-length");
    if (cl != t->response.headers.end()) {
      const unsigned long long announced = std::strtoull(cl->second.c_str(), nullptr, 10);
      // Large ones rounded up to 64 KiB: pages of nearly the same size then
      // take blocks of one size, which the heap hands back and forth
      // (main() keeps them) instead of fragmenting as a listing goes on.
      if (announced > len && announced <= (64ull << 20)) {
        std::size_t want = static_cast<size_t>(announced) + 64;
        if (want >= 0x10000) want = (want + 0xFFFF) / 0x10000 * 0x10000;
        t->response.body.reserve(want);
      }
    }
  }
  t->response.body.append(data, len);
  return len;
}

// Ends a transfer (CURLE_ABORTED_BY_CALLBACK, reported as a Timeout) when no
// byte moved either way for its stall limit; headers and body are noted by
// on_header/on_body, uploads by ulnow.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  const auto now = Clock::now();
  if (ulnow != t->last_up) {
    t->last_up = ulnow;
    t->last_byte = now;
    return 0;
  }
  if (now - t->last_byte < t->stall) return 0;
  t->stalled = true;
  return 1;
}

class CurlTransport final : public http::Transport {
 public:
  explicit CurlTransport(http::TransportOptions options) : options_(std::move(options)) {
    ensure_curl_global_init();
    options_.max_in_flight = std::max(1, options_.max_in_flight);
    multi_.reset(curl_multi_init());
    if (!multi_) throw std::runtime_error("cannot create a libcurl multi handle");
    const long limit = options_.max_in_flight;
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, limit);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, limit);
  }

  ~CurlTransport() override { drop_all(); }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void submit(http::Request req, Clock::time_point not_before, http::Completion done) override {
    queue_.emplace(QueueKey{not_before, next_seq_++}, Queued{std::move(req), std::move(done)});
  }

  void run() override {
    try {
      drive();
    } catch (...) {
      drop_all();
      throw;
    }
  }

  Clock::time_point now() const override { return Clock::now(); }

 private:
  void drive() {
    for (;;) {
      start_due_transfers();
      if (active_.empty() && queue_.empty()) return;

      int running = 0;
      CURLMcode mc = curl_multi_perform(multi_.get(), &running);
      if (mc != CURLM_OK) fail_all_active(mc);
      collect_finished();
      start_due_transfers();
      if (active_.empty() && queue_.empty()) return;

      // curl_multi_poll also wakes for curl's own timers, so the timeout only
      // needs to cover the next queued request that is waiting for its time.
      int timeout_ms = 1000;
      if (!queue_.empty() && static_cast<int>(active_.size()) < options_.max_in_flight) {
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(queue_.begin()->first.first - Clock::now());
        timeout_ms = static_cast<int>(std::clamp<long long>(wait.count(), 0, 1000));
      }
      if (timeout_ms > 0 || !active_.empty()) {
        mc = curl_multi_poll(multi_.get(), nullptr, 0, timeout_ms, nullptr);
        if (mc != CURLM_OK) fail_all_active(mc);
      }
    }
  }

  void start_due_transfers() {
    const auto now_time = Clock::now();
    while (!queue_.empty() && static_cast<int>(active_.size()) < options_.max_in_flight &&
           queue_.begin()->first.first <= now_time) {
      Queued q = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      start(std::move(q));
    }
  }

  EasyHandle take_easy() {
    if (!pool_.empty()) {
      EasyHandle h = std::move(pool_.back());
      pool_.pop_back();
      curl_easy_reset(h.get());  // keeps the handle's DNS and TLS session caches
      return h;
    }
    EasyHandle h(curl_easy_init());
    if (!h) throw std::runtime_error("cannot create a libcurl easy handle");
    return h;
  }

  void start(Queued q) {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(q.request);
    t->done = std::move(q.done);
    t->easy = take_easy();
    CURL* h = t->easy.get();
    const http::Request& r = t->request;

    curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    // Compression pays across a network and only costs CPU on both ends over
    // loopback (a 100k-user listing spent more time in the server's gzip
    // than on the wire), so it is asked for only from remote hosts.
    if (!is_loopback_url(r.url)) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    const auto timeout = r.timeout.count() > 0 ? r.timeout : options_.request_timeout;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    // The stall limit: a transfer during which no byte moves for that long
    // fails as a Timeout, so a peer that sends half a body and goes silent
    // ends it in bounded time whatever the total timeout (hours for a backup
    // download). on_progress measures the silence (libcurl's own low-speed
    // check averages over 5 s and would add them); the low-speed option is
    // set too because it makes libcurl wake the transfer every second, which
    // is what calls on_progress while nothing arrives. Only needed when the
    // stall limit is shorter than the total timeout.
    const auto stall = r.stall_timeout.count() > 0 ? r.stall_timeout : options_.stall_timeout;
    if (stall.count() > 0 && stall < timeout) {
      t->stall = stall;
      t->last_byte = Clock::now();
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, t.get());
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(std::max<long long>(1, (stall.count() + 999) / 1000)));
    }
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.insecure) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error_buffer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t.get());
    // Streamed downloads (backups) and GETs (a page of 1000 SCIM users is
    // about 1 MB) take the body in 512 KiB pieces instead of libcurl's
    // 16 KiB: a 1 GiB archive then costs 2k write() calls and callbacks, not
    // 65k, and reading 1M users far fewer recvfrom() calls. (A pooled
    // handle's curl_easy_reset restores 16 KiB.)
    if (r.sink || r.method == "GET") curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024L);

    if (r.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (r.method == "GET" && r.body.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      // POSTFIELDS sends the body for any method; CUSTOMREQUEST names the verb.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
      if (r.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }

    curl_slist* list = nullptr;
    auto append = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (!next) throw std::runtime_error("out of memory building request headers");
      list = next;
      (void)t->header_list.release();  // same list, possibly a new head
      t->header_list.reset(list);
    };
    for (const auto& header : r.headers) append(header.name + ": " + header.value);
    // A large body would otherwise wait up to a second for "100 Continue".
    append("Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

    trace_request(*t);
    t->started = Clock::now();
    CURLMcode mc = curl_multi_add_handle(multi_.get(), h);
    if (mc != CURLM_OK) {
      http::Outcome outcome;
      outcome.error = http::TransportError{http::TransportError::Code::Other,
                                           std::string("cannot start the transfer: ") +
                                               curl_multi_strerror(mc)};
      finish(std::move(t), std::move(outcome));
      return;
    }
    active_.emplace(h, std::move(t));
  }

  void collect_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* h = msg->easy_handle;
      const CURLcode rc = msg->data.result;
      auto it = active_.find(h);
      if (it == active_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active_.erase(it);
      curl_multi_remove_handle(multi_.get(), h);

      http::Outcome outcome;
      if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        t->response.status = status;
        curl_off_t total_us = 0;
        curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
        t->response.elapsed = std::chrono::milliseconds(total_us / 1000);
        outcome.response = std::move(t->response);
      } else {
        std::string text = curl_easy_strerror(rc);
        if (t->error_buffer[0] != '\0') text += ": " + std::string(t->error_buffer);
        auto code = classify(rc);
        const bool slow = rc == CURLE_OPERATION_TIMEDOUT && t->stall.count() > 0 &&
                          std::strstr(t->error_buffer, "too slow") != nullptr;
        if ((rc == CURLE_ABORTED_BY_CALLBACK && t->stalled) || slow) {
          code = http::TransportError::Code::Timeout;
          text = "the transfer stalled: no byte for " + std::to_string((t->stall.count() + 999) / 1000) + " s";
        }
        outcome.error = http::TransportError{code, std::move(text)};
      }
      finish(std::move(t), std::move(outcome));
    }
  }

  // Returns the easy handle to the pool, then runs the completion (which may
  // submit more requests or throw).
  void finish(std::unique_ptr<Transfer> t, http::Outcome outcome) {
    trace_response(*t, outcome);
    http::Completion done = std::move(t->done);
    pool_.push_back(std::move(t->easy));
    t.reset();
    done(std::move(outcome));
  }

  void fail_all_active(CURLMcode mc) {
    const std::string text = std::string("libcurl multi interface failed: ") + curl_multi_strerror(mc);
    while (!active_.empty()) {
      auto it = active_.begin();
      std::unique_ptr<Transfer> t = std::move(it->second);
      active_.erase(it);
      curl_multi_remove_handle(multi_.get(), t->easy.get());
      http::Outcome outcome;
      outcome.error = http::TransportError{http::TransportError::Code::Other, text};
      finish(std::move(t), std::move(outcome));
    }
  }

  void drop_all() noexcept {
    for (auto& [h, t] : active_) curl_multi_remove_handle(multi_.get(), h);
    active_.clear();
    queue_.clear();
  }

  void trace_request(const Transfer& t) const {
    if (!options_.trace) return;
    std::string line = "> " + t.request.method + " " + redact_url(t.request.url);
    if (!t.request.object.empty()) line += " (" + t.request.object + ")";
    options_.trace(line);
    for (const auto& header : t.request.headers) {
      options_.trace("> " + header.name + ": " + http::redact_header_value(header.name, header.value));
    }
  }

  void trace_response(const Transfer& t, const http::Outcome& outcome) const {
    if (!options_.trace) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t.started);
    if (outcome.error) {
      options_.trace("< " + t.request.method + " " + redact_url(t.request.url) + " failed after " +
                     std::to_string(ms.count()) + " ms: " + outcome.error->message);
      return;
    }
    const http::Response& r = *outcome.response;
    std::string line = "< " + std::to_string(r.status);
    if (auto reason = http::reason_phrase(r.status); !reason.empty()) line += " " + std::string(reason);
    line += " " + std::to_string(ms.count()) + " ms " + std::to_string(r.body.size()) + " bytes";
    options_.trace(line);
    for (const auto& [name, value] : r.headers) {
      options_.trace("< " + name + ": " + http::redact_header_value(name, value));
    }
  }

  http::TransportOptions options_;
  MultiHandle multi_;
  std::map<QueueKey, Queued> queue_;
  uint64_t next_seq_ = 0;
  std::map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<EasyHandle> pool_;
};

}  // namespace

std::unique_ptr<http::Transport> make_curl_transport(const http::TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace daoctl::platform
