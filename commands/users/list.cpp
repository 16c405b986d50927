#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

#include "commands/common/command_doc.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

namespace {

// The output of `-o csv|yaml|table` on its way to stdout: an anonymous file
// (O_TMPFILE in $TMPDIR, else /tmp; mode 0600, gone when the process ends),
// so memory stays flat however many users there are, and stdout gets the
// listing only once every page has been read and checked. A failed listing
// prints nothing, as before these formats streamed: a CSV or YAML list cut
// short would look complete (only `-o json` streams straight to stdout,
// where an unclosed array cannot).
class OutputSpool {
 public:
  static Result<OutputSpool> open() {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : "/tmp";
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
      std::string path = dir + "/daoctl-list.XXXXXX";
      fd = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd >= 0) ::unlink(path.c_str());
    }
    if (fd < 0)
      return fail(ErrorKind::Io, "cannot create the spool of the listing", dir, std::strerror(errno),
                  "set TMPDIR to a writable folder with room for the listing (about 100 bytes a user), "
                  "or use -o json, which streams to stdout");
    return OutputSpool(fd, dir);
  }
  OutputSpool(OutputSpool&& o) noexcept : fd_(std::exchange(o.fd_, -1)), dir_(std::move(o.dir_)),
                                          buffer_(std::move(o.buffer_)) {}
  OutputSpool& operator=(OutputSpool&&) = delete;
  ~OutputSpool() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::string& buffer() { return buffer_; }
  // Writes the buffer out once it holds kFlushAt bytes (or always, `force`).
  Status flush(bool force = false) {
    if (buffer_.empty() || (!force && buffer_.size() < kFlushAt)) return {};
    std::string_view rest = buffer_;
    while (!rest.empty()) {
      const ssize_t n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("write");
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    buffer_.clear();
    return {};
  }
  // Hands everything written back, in chunks of up to kFlushAt bytes.
  Status replay(const std::function<void(std::string_view)>& chunk) {
    if (auto st = flush(true); !st) return st;
    if (::lseek(fd_, 0, SEEK_SET) < 0) return io_error("rewind");
    std::string block(kFlushAt, '\0');
    for (;;) {
      const ssize_t n = ::read(fd_, block.data(), block.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("read");
      if (n == 0) return {};
      chunk(std::string_view(block.data(), static_cast<std::size_t>(n)));
    }
  }

  static constexpr std::size_t kFlushAt = 1u << 20;

 private:
  OutputSpool(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) { buffer_.reserve(kFlushAt + (64u << 10)); }
  Status io_error(const char* what) const {
    return fail(ErrorKind::Io, std::string("cannot ") + what + " the spool of the listing", "spool in " + dir_,
                std::strerror(errno), "set TMPDIR to a folder with room for the listing, or use -o json");
  }
  int fd_ = -1;
  std::string dir_;
  std::string buffer_;
};

// One table/CSV cell of a user, from the page's simdjson DOM: the same text
// as output::cell_text on the user as a JSON document (strings verbatim with
// control characters as spaces, booleans, integers, missing/null as ""),
// which it falls back to for the rest (floats, arrays, objects, computed
// columns), so the streamed rows are the rows render_list prints.
void append_cell(std::string& out, simdjson::dom::element user, const output::Column& column,
                 std::optional<json>& parsed) {
  simdjson::dom::element v;
  if (!column.extract) {
    if (user.at_pointer(column.pointer).get(v) != simdjson::SUCCESS) return;  // missing
    std::string_view text;
    int64_t integer = 0;
    bool flag = false;
    if (v.is_null()) return;
    if (v.get_string().get(text) == simdjson::SUCCESS) {
      const std::size_t at = out.size();
      out.append(text);
      for (std::size_t i = at; i < out.size(); ++i)
        if (static_cast<unsigned char>(out[i]) < 0x20 || out[i] == 0x7F) out[i] = ' ';
      return;
    }
    if (v.get_bool().get(flag) == simdjson::SUCCESS) {
      out.append(flag ? "true" : "false");
      return;
    }
    if (v.is_int64() && v.get_int64().get(integer) == simdjson::SUCCESS) {
      out.append(std::to_string(integer));
      return;
    }
  }
  if (!parsed) parsed = json::parse(simdjson::minify(user));
  out.append(output::cell_text(*parsed, column));
}

// `-o json`: streams each page's users to stdout as they arrive, one compact
// object per line inside one JSON array, as the server wrote them (no
// document is built, so 100k users cost neither seconds of parsing nor
// hundreds of MB). Errors: a page that is not a ListResponse, or pages that
// do not add up (scim_list_raw). A failed listing never ends in a
// well-formed array: nothing is written before the first page, and the array
// is not closed after an error, so a script cannot mistake a failed read for
// an empty or a complete one.
//
// Cost (issue 17, "reads that scale like curl"): each page's users are
// spliced into one output buffer that is written with a single write() once
// it holds 1 MiB (about two pages of 500 users), instead of an ostream insertion per
// user (286k write() calls for 1M users through stdio's 4 KiB buffer); the
// page is parsed once, by the client's paging check, which hands over where
// each user's text is (scim_list_resources).
int stream_users_json(const UsersListOptions& opts, CommandContext& ctx) {
  auto& out = ctx.io().out();
  constexpr std::size_t kFlushAt = 1u << 20;
  std::string buffer;
  buffer.reserve(kFlushAt + (64u << 10));
  auto flush = [&] {
    if (buffer.empty()) return;
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
  };
  bool first = true;
  bool opened = false;
  auto st = platform::UsersApi(ctx.client()).list_resources(
      opts.filter, opts.page_size,
      [&](std::string_view, std::span<const std::string_view> users) -> Status {
        if (!opened) buffer += '[';
        opened = true;
        for (const std::string_view raw : users) {
          buffer.append(first ? "\n  " : ",\n  ");
          buffer.append(raw);
          first = false;
        }
        if (buffer.size() >= kFlushAt) flush();
        return {};
      });
  if (!st) {
    flush();
    out.flush();
    value_or_throw(std::move(st));
  }
  buffer.append(opened ? "" : "[");
  buffer.append(first ? "]\n" : "\n]\n");
  flush();
  out.flush();
  return exit_code::ok;
}

// `-o csv|table|yaml`: each page is rendered as it arrives into the spool
// (OutputSpool), which goes to stdout once the listing is complete, so
// memory holds a page, not the list (1M users as a vector of JSON documents
// took gigabytes). CSV and table rows come from one simdjson DOM per page
// (append_cell); a table spools its cells and pads them to the widest cell
// of each column when it is copied out (on a terminal, through the pager
// as before). YAML renders each page's users as a sequence (render_yaml),
// and a sequence of the pages' items reads as one.
int stream_users_rows(const UsersListOptions& opts, CommandContext& ctx, output::Format format) {
  auto spool = value_or_throw(OutputSpool::open());
  std::string& buffer = spool.buffer();
  const auto& columns = user_columns();
  std::vector<std::size_t> widths;
  for (const auto& c : columns) widths.push_back(output::display_width(c.header));
  if (format == output::Format::Csv) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      if (k) buffer += ',';
      output::append_csv_field(buffer, columns[k].header);
    }
    buffer += "\r\n";
  }
  bool any = false;
  simdjson::dom::parser parser;
  std::string cell;
  auto bad_page = [](const std::string& why) {
    return fail(ErrorKind::Remote, "cannot read a page of users", std::string("GET ") + platform::UsersApi::kPath, why);
  };
  auto st = platform::UsersApi(ctx.client()).list_raw(opts.filter, opts.page_size, [&](std::string& body) -> Status {
    if (format == output::Format::Yaml) {
      const json page = json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (!page.is_object()) return bad_page("the page is not a JSON object");
      auto resources = page.find("Resources");
      if (resources == page.end()) return {};
      if (!resources->is_array()) return bad_page("Resources is not an array");
      if (resources->empty()) return {};
      std::ostringstream text;
      output::render_yaml(text, *resources);
      buffer += text.str();
      any = true;
      return spool.flush();
    }
    const std::size_t size = body.size();
    body.reserve(size + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (auto err = parser.parse(body.data(), size, /*realloc_if_needed=*/false).get(doc))
      return bad_page(simdjson::error_message(err));
    simdjson::dom::element field;
    if (doc["Resources"].get(field) != simdjson::SUCCESS) return {};
    simdjson::dom::array resources;
    if (field.get_array().get(resources) != simdjson::SUCCESS) return bad_page("Resources is not an array");
    for (simdjson::dom::element user : resources) {
      if (!user.is_object()) return bad_page("a resource is not an object");
      std::optional<json> parsed;
      for (std::size_t k = 0; k < columns.size(); ++k) {
        if (format == output::Format::Csv) {
          if (k) buffer += ',';
          cell.clear();
          append_cell(cell, user, columns[k], parsed);
          output::append_csv_field(buffer, cell);
        } else {
          // Cells never hold control characters (append_cell), so a unit
          // separator between them and a newline after the row are safe.
          if (k) buffer += '\x1f';
          const std::size_t at = buffer.size();
          append_cell(buffer, user, columns[k], parsed);
          widths[k] = std::max(widths[k], output::display_width(std::string_view(buffer).substr(at)));
        }
      }
      buffer += format == output::Format::Csv ? "\r\n" : "\n";
      any = true;
    }
    return spool.flush();
  });
  value_or_throw(std::move(st));

  auto& io = ctx.io();
  const bool paged = io.stdout_is_tty();  // a terminal: the whole text through the pager, as print_list does
  std::string text;
  constexpr std::size_t kOutAt = OutputSpool::kFlushAt;
  auto emit = [&](std::string_view part, bool last = false) {
    text.append(part);
    if (!paged && (last || text.size() >= kOutAt)) {
      io.out().write(text.data(), static_cast<std::streamsize>(text.size()));
      text.clear();
    }
  };
  if (format == output::Format::Yaml) {
    if (!any) emit("[]\n");
    value_or_throw(spool.replay([&](std::string_view chunk) { emit(chunk); }));
  } else if (format == output::Format::Csv) {
    value_or_throw(spool.replay([&](std::string_view chunk) { emit(chunk); }));
  } else {
    // The table: render_table's layout (two spaces between columns, every
    // column but the last padded, trailing spaces cut, a bold header on a
    // colour terminal), row by row from the spooled cells.
    const bool colour = ctx.style().colour;
    std::string line;
    auto emit_row = [&](std::string_view row, bool header) {
      line.clear();
      std::size_t k = 0;
      for (;;) {
        const auto sep = row.find('\x1f');
        const std::string_view cell_text = row.substr(0, sep);
        if (header && colour) line += "\x1b[1m";
        line += cell_text;
        if (header && colour) line += "\x1b[0m";
        if (k + 1 < columns.size()) {
          line.append(widths[k] - output::display_width(cell_text), ' ');
          line += "  ";
        }
        if (sep == std::string_view::npos || ++k >= columns.size()) break;
        row.remove_prefix(sep + 1);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      line += '\n';
      emit(line);
    };
    std::string header;
    for (std::size_t k = 0; k < columns.size(); ++k) header += (k ? "\x1f" : "") + columns[k].header;
    emit_row(header, true);
    std::string partial;  // a row split between two chunks
    value_or_throw(spool.replay([&](std::string_view chunk) {
      std::size_t at = 0;
      for (std::size_t nl; (nl = chunk.find('\n', at)) != std::string_view::npos; at = nl + 1) {
        if (partial.empty()) {
          emit_row(chunk.substr(at, nl - at), false);
        } else {
          partial.append(chunk.substr(at, nl - at));
          emit_row(partial, false);
          partial.clear();
        }
      }
      partial.append(chunk.substr(at));
    }));
  }
  emit({}, true);
  if (paged) io.write_paged(text);
  io.out().flush();
  return exit_code::ok;
}

}  // namespace

int run_users_list(const UsersListOptions& opts, CommandContext& ctx) {
  const auto format = ctx.format();
  if (format == output::Format::Json) return stream_users_json(opts, ctx);
  return stream_users_rows(opts, ctx, format);
}

void register_users_list(CLI::App& parent, CommandContext& ctx, Runner<UsersListOptions> run) {
  auto opts = std::make_shared<UsersListOptions>();
  auto& cmd = add_command(parent, {"list", "List all users (every page)",
                                   "daoctl users list --filter 'userName eq \"jdoe\"' -o json"});
  cmd.add_option("--filter", opts->filter, "SCIM filter, e.g. 'active eq false'");
  cmd.add_option("--page-size", opts->page_size, "Users per request (1..1000)")
      ->check(CLI::Range(1, 1000));
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
