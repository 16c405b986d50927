// A PlatformClient wired to a FakeTransport, with test defaults: a fixed
// jitter seed, a fixed wall clock, and a base URL that never resolves.
#pragma once

#include <memory>

#include "connectors/platform/client.hpp"
#include "tests/unit/common/fake_transport.hpp"

namespace daoctl::test {

using platform::json;

inline constexpr const char* kBase = "https://daoffice.example";
inline constexpr const char* kToken = "s3cret-token-value";
// 2023-11-14T22:13:20Z, a Tuesday.
inline const auto kWallNow = std::chrono::system_clock::from_time_t(1'700'000'000);

inline platform::ClientOptions test_options() {
  platform::ClientOptions o;
  o.base_url = kBase;
  o.token = kToken;
  o.jitter_seed = 42;
  o.wall_clock = [] { return kWallNow; };
  return o;
}

struct ClientHarness {
  FakeTransport* fake;  // owned by client
  platform::PlatformClient client;

  explicit ClientHarness(platform::ClientOptions options = test_options(), int max_in_flight = 8)
      : ClientHarness(std::make_unique<FakeTransport>(max_in_flight), std::move(options)) {}

  std::string url(const std::string& path) const { return std::string(kBase) + path; }

  // Virtual time between the starts of recorded requests i-1 and i.
  std::chrono::milliseconds gap(size_t i) const {
    const auto& r = fake->requests();
    return std::chrono::duration_cast<std::chrono::milliseconds>(r.at(i).started - r.at(i - 1).started);
  }

 private:
  ClientHarness(std::unique_ptr<FakeTransport> transport, platform::ClientOptions options)
      : fake(transport.get()), client(std::move(transport), std::move(options)) {}
};

}  // namespace daoctl::test
