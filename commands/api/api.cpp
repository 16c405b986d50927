#include "commands/api/api.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "connectors/platform/listing.hpp"
#include "core/text/ascii.hpp"

#include <fmt/format.h>

namespace daoctl::commands {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string read_data(const std::string& data, std::istream& stdin_stream) {
  if (data == "-") {
    std::ostringstream text;
    text << stdin_stream.rdbuf();
    return text.str();
  }
  if (!data.empty() && data[0] == '@') {
    const std::string path = data.substr(1);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw CommandError(ErrorKind::Io, "cannot read request body", path,
                         std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  return data;
}

}  // namespace

ApiOptions normalise_api_options(ApiOptions opts) {
  std::transform(opts.method.begin(), opts.method.end(), opts.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static const std::vector<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH",
                                                   "DELETE"};
  if (std::find(methods.begin(), methods.end(), opts.method) == methods.end()) {
    throw CommandError(ErrorKind::Usage, "unsupported HTTP method", opts.method,
                       "use GET, HEAD, POST, PUT, PATCH or DELETE");
  }
  if (opts.path.find("://") != std::string::npos) {
    throw CommandError(ErrorKind::Usage, "PATH must be a path on the platform, not a URL",
                       opts.path, "the token is only ever sent to the configured platform",
                       "e.g. daoctl api GET /api/v1/me");
  }
  if (opts.path.empty() || opts.path[0] != '/') opts.path = "/" + opts.path;
  for (const auto& h : opts.headers) {
    const auto colon = h.find(':');
    // A line break would end the header and start another one (or the body):
    // refused before anything is sent. Only the name is shown, as the value
    // may be a secret.
    if (h.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw CommandError(ErrorKind::Usage, "invalid header: it contains a line break (CR or LF) or NUL",
                         "-H " + trim(h.substr(0, std::min(colon, h.find_first_of(std::string_view("\r\n\0", 3))))),
                         "a header is one line; nothing was sent");
    }
    if (colon == std::string::npos || colon == 0) {
      throw CommandError(ErrorKind::Usage, "invalid header", "-H " + h,
                         "expected 'Name: value'");
    }
    if (text::lower_ascii(trim(h.substr(0, colon))) == "authorization") {
      throw CommandError(ErrorKind::Usage, "refusing an Authorization header", "-H",
                         "tokens are never passed on the command line",
                         "set DAOCTL_TOKEN or a context token_file");
    }
  }
  if (opts.paginate && opts.method != "GET") {
    throw CommandError(ErrorKind::Usage, "--paginate works only with GET", opts.method);
  }
  return opts;
}

int run_api(const ApiOptions& raw, CommandContext& ctx, std::istream& stdin_stream) {
  const ApiOptions opts = normalise_api_options(raw);
  auto& client = ctx.client();
  const std::string object = opts.method + " " + opts.path;

  if (opts.paginate) {
    json all = json::array();
    auto append = [&](const json& page) {
      for (const auto& item : page) all.push_back(item);
    };
    value_or_throw(platform::list_every_page(client, opts.path, 1000, append));
    output::render_json(ctx.io().out(), all);
    return exit_code::ok;
  }

  std::optional<json> body;
  if (!opts.data.empty()) {
    const std::string text = read_data(opts.data, stdin_stream);
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
      throw CommandError(ErrorKind::Usage, "request body is not valid JSON",
                         opts.data[0] == '@' ? opts.data.substr(1) : std::string("--data"));
    }
    body = std::move(parsed);
  }
  http::Request req = client.make_request(opts.method, opts.path, object, body);
  for (const auto& h : opts.headers) {
    const auto colon = h.find(':');
    const std::string name = trim(h.substr(0, colon));
    std::erase_if(req.headers,
                  [&](const http::Header& existing) { return text::iequals(existing.name, name); });
    req.headers.push_back({name, trim(h.substr(colon + 1))});
  }
  auto response = value_or_throw(client.send(std::move(req)));
  if (response.status >= 300 && response.status < 400) {
    // Redirects are never followed (the token would go with them to
    // wherever they point): a 3xx is an error that says where it pointed.
    auto location = response.header("location");
    auto reason = http::reason_phrase(response.status);
    throw CommandError(
        ErrorKind::Remote,
        fmt::format("{} answered {}{}{}: a redirect, not followed", object, response.status,
                    reason.empty() ? "" : " ", reason),
        object, location ? "Location: " + hr::redact_url(*location) : std::string("no Location header"),
        "daoctl never follows redirects, so the token stays with the configured platform URL; check the "
        "URL of the context (http vs https, a path prefix) or call the new location yourself");
  }
  if (response.body.empty()) return exit_code::ok;
  // JSON (by its Content-Type, or untyped text that parses) is pretty-printed;
  // any other body - a photo, a backup archive, text - is written byte for
  // byte, with nothing added, so `daoctl api GET ... > file` is the file.
  const std::string type = text::lower_ascii(response.header("content-type").value_or(""));
  const std::string media = trim(type.substr(0, type.find(';')));
  const bool json_type = media == "application/json" || media.ends_with("+json");
  std::optional<json> parsed;
  if (json_type || media.empty()) {
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_discarded()) parsed = std::move(doc);
  }
  if (parsed) {
    output::render_json(ctx.io().out(), *parsed);
  } else {
    ctx.io().out().write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  }
  ctx.io().out().flush();
  return exit_code::ok;
}

void register_api(CLI::App& root, CommandContext& ctx) {
  auto opts = std::make_shared<ApiOptions>();
  auto& cmd = add_command(root, {"api", "Make an authenticated raw API request",
                                 "daoctl api GET '/scim/v2/Users?count=5'"});
  cmd.add_option("method", opts->method, "GET, POST, PUT, PATCH, DELETE or HEAD")->required();
  cmd.add_option("path", opts->path, "Path on the platform, e.g. /api/v1/me")->required();
  cmd.add_option("-d,--data", opts->data, "Request body: JSON text, @file, or - for stdin");
  cmd.add_option("-H,--header", opts->headers, "Extra header 'Name: value' (repeatable)")
      ->allow_extra_args(false);
  cmd.add_flag("--paginate", opts->paginate, "Fetch every page and print one JSON array");
  cmd.callback([opts, &ctx] { ctx.exit_status = run_api(*opts, ctx, std::cin); });
}

}  // namespace daoctl::commands
