#include "connectors/platform/page_stream.hpp"

#include "connectors/platform/paging.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace daoctl::platform {

using nlohmann::json;

std::optional<std::optional<std::string>> peek_next_cursor(std::string_view body) {
  auto key = body.rfind("\"next_cursor\"");
  if (key == std::string_view::npos) return std::nullopt;
  auto at = key + 13;
  auto skip_space = [&] {
    while (at < body.size() && (body[at] == ' ' || body[at] == '\n' || body[at] == '\r' || body[at] == '\t')) ++at;
  };
  skip_space();
  if (at >= body.size() || body[at] != ':') return std::nullopt;
  ++at;
  skip_space();
  if (body.substr(at, 4) == "null") return std::optional<std::string>();
  if (at >= body.size() || body[at] != '"') return std::nullopt;
  auto end = body.find_first_of("\"\\", at + 1);
  if (end == std::string_view::npos || body[end] == '\\') return std::nullopt;
  return std::optional<std::string>(std::string(body.substr(at + 1, end - at - 1)));
}

namespace {

std::string page_path(const std::string& path, int limit, const std::string& cursor) {
  std::string out = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::to_string(limit);
  if (!cursor.empty()) out += "&cursor=" + platform::url_encode_query(cursor);
  return out;
}

struct FetchedPage {
  Result<std::string> body;
  std::string cursor;                                      // the cursor that asked for this page
  std::optional<std::optional<std::string>> predicted;     // what the fetcher went on with
};

// Checks a parsed page before its items are handed out: its item count and
// next cursor (nullopt: the last page), against platform::CursorPaging.
using PageCheck = std::function<Status(std::size_t items, const std::optional<std::string>& next)>;
// Parses a page, checks it, hands its items out, and returns its next cursor
// (nullopt: the last page).
using PageConsumer = std::function<Result<std::optional<std::string>>(std::string& body, const std::string& object,
                                                                      const PageCheck& check)>;

Error not_a_page(const std::string& object) {
  return Error{ErrorKind::Remote, "unexpected answer: not a page of items", object,
               "expected {\"items\": [...], \"next_cursor\": ...}", {}, 0, {}};
}

Status stream_pages(PlatformClient& client, const std::string& path, int limit,
                    const PageConsumer& consume);

Status stream_pages(PlatformClient& client, const std::string& path, int limit,
                    const PageConsumer& consume) {
  auto fetch = [&client, &path, limit](const std::string& cursor, long long number) -> Result<std::string> {
    auto req = client.make_request("GET", page_path(path, limit, cursor),
                                   "page " + std::to_string(number) + " of " + path);
    auto resp = client.send(std::move(req));
    if (!resp) return std::unexpected(std::move(resp.error()));
    return std::move(resp->body);
  };

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<FetchedPage> queue;  // at most two pages
  bool stop = false;
  bool fetcher_done = false;

  platform::CursorPaging paging(path, limit);
  auto checker = [&paging](long long number, const std::string& cursor) -> PageCheck {
    return [&paging, number, &cursor](std::size_t items, const std::optional<std::string>& next) {
      return paging.check(number, cursor, items, next);
    };
  };

  std::thread fetcher([&] {
    std::string cursor;
    for (long long number = 1;; ++number) {
      FetchedPage page{fetch(cursor, number), cursor, std::nullopt};
      bool more = false;
      if (page.body) {
        page.predicted = peek_next_cursor(*page.body);
        more = page.predicted && *page.predicted && **page.predicted != cursor;
      }
      std::string next = more ? **page.predicted : std::string();
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return stop || queue.size() < 2; });
      if (stop) break;
      queue.push_back(std::move(page));
      changed.notify_all();
      if (!more) break;
      cursor = std::move(next);
    }
    std::lock_guard lock(mutex);
    fetcher_done = true;
    changed.notify_all();
  });
  auto stop_fetcher = [&] {
    if (!fetcher.joinable()) return;
    {
      std::lock_guard lock(mutex);
      stop = true;
      changed.notify_all();
    }
    fetcher.join();
  };
  // Whatever way this function ends (on_page may throw), the thread is joined.
  struct JoinOnExit {
    std::function<void()> stop;
    ~JoinOnExit() { stop(); }
  } join_on_exit{stop_fetcher};

  for (long long number = 1;; ++number) {
    FetchedPage page{std::string(), {}, std::nullopt};
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !queue.empty() || fetcher_done; });
      // The fetcher queues every page up to the last one, which returns below.
      if (queue.empty()) return fail(ErrorKind::Internal, "the page fetcher ended early", path);
      page = std::move(queue.front());
      queue.pop_front();
      changed.notify_all();
    }
    const std::string object = "page " + std::to_string(number) + " of " + path;
    if (!page.body) {
      stop_fetcher();
      return std::unexpected(std::move(page.body.error()));
    }
    auto parsed = consume(*page.body, object, checker(number, page.cursor));
    if (!parsed) {
      stop_fetcher();
      return std::unexpected(std::move(parsed.error()));
    }
    page.body->clear();
    if (!*parsed) {
      stop_fetcher();
      return {};
    }
    if (**parsed == page.cursor) {
      stop_fetcher();
      return fail(ErrorKind::Remote, "the platform repeated the paging cursor of " + path, object,
                  "next_cursor \"" + page.cursor + "\" was the cursor just used",
                  "this is a platform bug; report it with the request above");
    }
    if (page.predicted && *page.predicted == *parsed) continue;  // the fetcher is already on it

    // The fetcher guessed wrong or could not tell: go on one page at a time.
    stop_fetcher();
    std::string cursor = **parsed;
    for (long long n = number + 1;; ++n) {
      auto body = fetch(cursor, n);
      if (!body) return std::unexpected(std::move(body.error()));
      auto next = consume(*body, "page " + std::to_string(n) + " of " + path, checker(n, cursor));
      if (!next) return std::unexpected(std::move(next.error()));
      if (!*next) return {};
      if (**next == cursor)
        return fail(ErrorKind::Remote, "the platform repeated the paging cursor of " + path,
                    "page " + std::to_string(n) + " of " + path, "next_cursor \"" + cursor + "\" was the cursor just used");
      cursor = **next;
    }
  }
  stop_fetcher();
  return {};
}

}  // namespace

Status stream_cursor_pages(PlatformClient& client, const std::string& path, int limit,
                           const std::function<void(const json& items)>& on_page) {
  return stream_pages(client, path, limit,
                      [&on_page](std::string& body, const std::string& object,
                                 const PageCheck& check) -> Result<std::optional<std::string>> {
                        auto doc = json::parse(body, nullptr, false);
                        if (doc.is_discarded() || !doc.is_object() || !doc.contains("items") ||
                            !doc["items"].is_array())
                          return std::unexpected(not_a_page(object));
                        std::optional<std::string> next_cursor;
                        auto next = doc.find("next_cursor");
                        if (next != doc.end() && next->is_string() && !next->get<std::string>().empty())
                          next_cursor = next->get<std::string>();
                        else if (next != doc.end() && !next->is_null() && !next->is_string())
                          return fail(ErrorKind::Remote,
                                      "unexpected answer: next_cursor is neither a string nor null", object);
                        body.clear();
                        if (auto st = check(doc["items"].size(), next_cursor); !st) return std::unexpected(st.error());
                        on_page(doc["items"]);
                        return next_cursor;
                      });
}

Status stream_cursor_pages_dom(PlatformClient& client, const std::string& path, int limit,
                               const std::function<void(simdjson::dom::array items)>& on_page) {
  simdjson::dom::parser parser;
  return stream_pages(
      client, path, limit,
      [&](std::string& body, const std::string& object, const PageCheck& check) -> Result<std::optional<std::string>> {
        // simdjson reads SIMDJSON_PADDING bytes past the end: pad in place.
        const auto size = body.size();
        body.resize(size + simdjson::SIMDJSON_PADDING);
        simdjson::dom::element doc;
        if (parser.parse(body.data(), size, false).get(doc) != simdjson::SUCCESS) return std::unexpected(not_a_page(object));
        simdjson::dom::object page;
        simdjson::dom::array items;
        if (doc.get_object().get(page) != simdjson::SUCCESS || page["items"].get_array().get(items) != simdjson::SUCCESS)
          return std::unexpected(not_a_page(object));
        std::optional<std::string> next_cursor;
        simdjson::dom::element next;
        if (page["next_cursor"].get(next) == simdjson::SUCCESS && !next.is_null()) {
          std::string_view text;
          if (next.get_string().get(text) != simdjson::SUCCESS)
            return fail(ErrorKind::Remote, "unexpected answer: next_cursor is neither a string nor null", object);
          if (!text.empty()) next_cursor = std::string(text);
        }
        if (auto st = check(items.size(), next_cursor); !st) return std::unexpected(st.error());
        on_page(items);
        return next_cursor;
      });
}

}  // namespace daoctl::platform
