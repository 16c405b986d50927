#include <CLI/CLI.hpp>
#include "commands/version/version.hpp"

#include "commands/common/command_doc.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "connectors/platform/answer.hpp"
#include "connectors/platform/service_api.hpp"

namespace daoctl::commands {

int run_version(CommandContext& ctx) {
  json report = {{"client", {{"version", ctx.client_version}}}};
  json server;
  try {
    // Health needs no token; a missing token must not hide the server version.
    ClientSettings settings;
    const auto& resolved = ctx.resolved();
    if (resolved.url.empty()) {
      server = {{"status", "not configured"}};
    } else {
      settings.url = resolved.url;
      settings.ca_file = resolved.ca_file;
      settings.insecure = resolved.insecure;
      settings.timeout = resolved.timeout;
      settings.verbose = ctx.global.verbose > 0;
      auto probe = ctx.probe_client(settings);
      auto health = platform::get_health_document(*probe, "platform health at " + hr::redact_url(resolved.url));
      const json health_doc = health ? *health : json();
      const platform::Answer answer(health_doc, "platform health");
      auto version = answer.get_or<std::string>("/version", "");
      auto api_version = version ? answer.get_or<std::string>("/api_version", "") : version;
      if (health && health->is_object() && api_version) {
        server = {{"status", "reachable"},
                  {"url", hr::redact_url(resolved.url)},
                  {"version", *version},
                  {"api_version", *api_version}};
      } else {
        server = {{"status", "unreachable"},
                  {"url", hr::redact_url(resolved.url)},
                  {"reason", !health                ? health.error().describe()
                             : !health->is_object() ? std::string("health reply is not a JSON object")
                                                    : api_version.error().describe()}};
      }
    }
  } catch (const CommandError& e) {
    server = {{"status", "not configured"}, {"reason", e.error().describe()}};
  }
  report["server"] = server;

  switch (ctx.format()) {
    case output::Format::Json:
      output::render_json(ctx.io().out(), report);
      break;
    case output::Format::Yaml:
      output::render_yaml(ctx.io().out(), report);
      break;
    case output::Format::Table:
    case output::Format::Csv: {
      auto& out = ctx.io().out();
      out << "daoctl " << ctx.client_version << '\n';
      const std::string status = server.value("status", "");
      if (status == "reachable") {
        out << "server: " << server.value("version", "?") << " (api "
            << server.value("api_version", "?") << ") at " << server.value("url", "") << '\n';
      } else {
        out << "server: " << status;
        if (server.contains("reason")) out << " (" << server.value("reason", "") << ")";
        out << '\n';
      }
      break;
    }
  }
  return exit_code::ok;
}

void register_version(CLI::App& root, CommandContext& ctx) {
  add_command(root, {"version", "Print the client version and the server's", "daoctl version"})
      .callback([&ctx] { ctx.exit_status = run_version(ctx); });
}

}  // namespace daoctl::commands
