// daoctl api METHOD PATH: raw authenticated calls, like `gh api`.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <istream>
#include <string>
#include <vector>

#include "commands/common/context.hpp"

namespace daoctl::commands {

struct ApiOptions {
  std::string method;
  std::string path;                  // "/api/v1/me"; a full URL is refused
  std::string data;                  // JSON text, "@file", or "-" for stdin
  std::vector<std::string> headers;  // "Name: value"
  bool paginate = false;             // follow SCIM pages / native cursors, print one array
};

// Validates and normalises: method upper-cased and one of GET HEAD POST PUT
// PATCH DELETE; path must start with '/' (never a URL: the token must only go
// to the configured platform); headers must be "Name: value" and may not set
// Authorization (tokens never on the command line). Throws Usage errors.
ApiOptions normalise_api_options(ApiOptions opts);

int run_api(const ApiOptions& opts, CommandContext& ctx, std::istream& stdin_stream);
void register_api(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
