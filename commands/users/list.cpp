#include <simdjson.h>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/users/users.hpp"

namespace daoctl::commands {

namespace {

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
// user (286k write() calls for 1M users through stdio's 4 KiB buffer); one
// simdjson parser is reused for every page.
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
  simdjson::ondemand::parser parser;
  auto bad_page = [](const char* why) {
    return fail(ErrorKind::Remote, "cannot read a page of users", "GET /scim/v2/Users", why);
  };
  auto st = ctx.client().scim_list_raw("/scim/v2/Users", opts.filter, opts.page_size, [&](std::string& body) -> Status {
    if (!opened) buffer += '[';
    opened = true;
    const std::size_t size = body.size();
    body.reserve(size + simdjson::SIMDJSON_PADDING);
    auto doc = parser.iterate(body.data(), size, body.capacity());
    simdjson::ondemand::object root;
    if (auto err = doc.get_object().get(root)) return bad_page(simdjson::error_message(err));
    for (auto field : root) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS || key != "Resources") continue;
      simdjson::ondemand::array resources;
      if (field.value().get_array().get(resources) != simdjson::SUCCESS) return bad_page("Resources is not an array");
      for (auto item : resources) {
        simdjson::ondemand::object user;
        std::string_view raw;
        if (item.get_object().get(user) != simdjson::SUCCESS || user.raw_json().get(raw) != simdjson::SUCCESS)
          return bad_page("a resource is not an object");
        buffer.append(first ? "\n  " : ",\n  ");
        buffer.append(raw);
        first = false;
      }
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

}  // namespace

int run_users_list(const UsersListOptions& opts, CommandContext& ctx) {
  if (ctx.format() == output::Format::Json) return stream_users_json(opts, ctx);
  std::vector<json> users;
  value_or_throw(ctx.client().scim_list("/scim/v2/Users", opts.filter, opts.page_size,
                                        [&](const json& page) {
                                          for (const auto& u : page) users.push_back(u);
                                        }));
  ctx.print_list(users, user_columns());
  return exit_code::ok;
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
