// config set-context / use-context edit the file line by line: comments,
// blank lines, key order and quoting of the lines left alone survive.
#include <catch2/catch.hpp>

#include "core/config/config.hpp"

using namespace daoctl::config;

namespace {

const char* kCommented = R"(# daoctl contexts - managed by hand, keep the notes
current-context: staging   # prod only from the bastion

contexts:
  # the real thing
  - name: prod
    url: https://intranet.example.com   # behind the VPN
    token_command: "pass show daoffice/prod"   # never a file here
    ca_file: /etc/ssl/corp-ca.pem
  - name: staging
    url: 'https://staging.example.com'
    token_file: ~/.config/daoctl/staging.token
    timeout: 60   # staging is slow
# end of file
)";

ConfigFile parsed(const std::string& text) {
  auto f = parse_config(text, "config.yaml");
  REQUIRE(f);
  return *f;
}

}  // namespace

TEST_CASE("use-context changes only the current-context value, keeping its comment") {
  ConfigFile f = parsed(kCommented);
  f.current_context = "prod";
  bool kept = false;
  const std::string out = update_config_text(kCommented, f, &kept);
  CHECK(kept);
  std::string want = kCommented;
  want.replace(want.find("staging   #"), 7, "prod");
  CHECK(out == want);
}

TEST_CASE("set-context on an existing context: changed values in place, new keys appended, comments kept") {
  ConfigFile f = parsed(kCommented);
  ContextEntry* prod = f.find("prod");
  prod->url = "https://intranet.corp.example";
  prod->timeout_seconds = 45;
  bool kept = false;
  const std::string out = update_config_text(kCommented, f, &kept);
  CHECK(kept);
  CHECK_THAT(out, Catch::Contains("    url: https://intranet.corp.example   # behind the VPN\n"));
  CHECK_THAT(out, Catch::Contains("    ca_file: /etc/ssl/corp-ca.pem\n    timeout: 45\n  - name: staging\n"));
  for (const char* comment : {"# daoctl contexts - managed by hand", "# prod only from the bastion", "# the real thing",
                              "# never a file here", "# staging is slow", "# end of file"})
    CHECK_THAT(out, Catch::Contains(comment));
  CHECK_THAT(out, Catch::Contains("url: 'https://staging.example.com'"));  // untouched quoting
  CHECK(parsed(out).find("prod")->timeout_seconds == 45);
}

TEST_CASE("set-context swapping the token source removes the old key's line") {
  ConfigFile f = parsed(kCommented);
  ContextEntry* prod = f.find("prod");
  prod->token_command.clear();
  prod->token_file = "/run/secrets/prod token";
  bool kept = false;
  const std::string out = update_config_text(kCommented, f, &kept);
  CHECK(kept);
  CHECK_THAT(out, !Catch::Contains("token_command"));
  CHECK_THAT(out, Catch::Contains("    token_file: /run/secrets/prod token\n"));
  const ConfigFile back = parsed(out);
  CHECK(back.find("prod")->token_file == "/run/secrets/prod token");
  CHECK(back.find("prod")->token_command.empty());
}

TEST_CASE("set-context with a new context appends it under the others, lined up") {
  ConfigFile f = parsed(kCommented);
  ContextEntry dev;
  dev.name = "dev: local";  // needs quoting
  dev.url = "http://127.0.0.1:8080";
  dev.insecure = true;
  f.contexts.push_back(dev);
  bool kept = false;
  const std::string out = update_config_text(kCommented, f, &kept);
  CHECK(kept);
  CHECK_THAT(out, Catch::Contains("    timeout: 60   # staging is slow\n  - name: \"dev: local\"\n"
                                  "    url: http://127.0.0.1:8080\n    insecure: true\n# end of file\n"));
  CHECK(parsed(out).find("dev: local") != nullptr);
}

TEST_CASE("a layout the editor does not handle is rewritten, and says so") {
  const std::string flow = "contexts: [{name: a, url: 'http://a'}]\n";
  ConfigFile f = parsed(flow);
  f.current_context = "a";
  bool kept = true;
  const std::string out = update_config_text(flow, f, &kept);
  CHECK_FALSE(kept);
  CHECK(out == serialize_config(f));
}

TEST_CASE("a file without current-context gets it before the first key, after the header comment") {
  const std::string text = "# header\ncontexts:\n  - name: a\n    url: http://a\n";
  ConfigFile f = parsed(text);
  f.current_context = "a";
  bool kept = false;
  CHECK(update_config_text(text, f, &kept) == "# header\ncurrent-context: a\ncontexts:\n  - name: a\n    url: http://a\n");
  CHECK(kept);
}

TEST_CASE("delete-context removes only that context's lines, the current one too, comments kept") {
  ConfigFile f = parsed(kCommented);
  std::erase_if(f.contexts, [](const ContextEntry& c) { return c.name == "staging"; });
  f.current_context.clear();
  bool kept = false;
  const std::string out = update_config_text(kCommented, f, &kept);
  CHECK(kept);
  CHECK(out == R"(# daoctl contexts - managed by hand, keep the notes

contexts:
  # the real thing
  - name: prod
    url: https://intranet.example.com   # behind the VPN
    token_command: "pass show daoffice/prod"   # never a file here
    ca_file: /etc/ssl/corp-ca.pem
# end of file
)");
  // The first of two goes the same way; the other keeps its quoting and comment.
  ConfigFile g = parsed(kCommented);
  std::erase_if(g.contexts, [](const ContextEntry& c) { return c.name == "prod"; });
  const std::string out2 = update_config_text(kCommented, g, &kept);
  CHECK(kept);
  CHECK_THAT(out2, Catch::Contains("contexts:\n  # the real thing\n  - name: staging\n    url: 'https://staging.example.com'\n"));
  CHECK_THAT(out2, Catch::Contains("timeout: 60   # staging is slow"));
  CHECK(parsed(out2).contexts.size() == 1);
}
