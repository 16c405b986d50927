// The platform that command tests (unit_cli, unit_commands_backup) run
// cli::run against: one FakeTransport shared by every client a command
// builds. A request that matches nothing is answered (599 or the server's 404)
// and listed in unmatched(), which the tests assert empty, rather than failing
// where it happens: a command may be expected to handle the answer.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "commands/common/context.hpp"
#include "connectors/platform/client.hpp"
#include "tests/unit/common/fake_transport.hpp"

namespace daoctl::test {

inline std::shared_ptr<FakeTransport> fake_platform(http::Response unmatched) {
  auto fake = std::make_shared<FakeTransport>();
  fake->answer_unmatched(answer(std::move(unmatched)));
  return fake;
}

// A client factory (cli::AppDependencies::client_factory) whose clients talk
// to `fake` with the settings' URL, token and attempts (`max_attempts` > 0
// overrides them), no backoff and a fixed jitter.
inline commands::ClientFactory fake_client_factory(std::shared_ptr<FakeTransport> fake, int max_attempts = 0) {
  return [fake = std::move(fake), max_attempts](const commands::ClientSettings& s, commands::Io&) {
    platform::ClientOptions options;
    options.base_url = s.url;
    options.token = s.token;
    options.retry.max_attempts = max_attempts > 0 ? max_attempts : s.max_attempts;
    options.retry.base_delay = std::chrono::milliseconds(0);
    options.jitter_seed = 1;
    return std::make_unique<platform::PlatformClient>(std::make_unique<SharedFakeTransport>(fake), options);
  };
}

// Answers "METHOD /path?query" (any host) with a JSON body. Stubs for one key
// answer in order and the last one repeats; each must be used at least once.
inline void stub(FakeTransport& fake, const std::string& key, long status, const std::string& body) {
  const auto space = key.find(' ');
  const std::string method = key.substr(0, space);
  const std::string target = key.substr(space + 1);
  http::Response r = json_response(status, body);
  fake.on(method, target, r);
  fake.serve(method, target, [r](const http::Request&) { return answer(r); });
}

}  // namespace daoctl::test
