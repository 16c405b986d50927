// Runs the real command tree (cli::run with every command registered) against
// the fake platform (tests/unit/common/fake_platform.hpp), and records the
// ClientSettings each client was built with, so a test sees what a command
// line resolves to (flags, job file, environment) and how a command treats a
// server's answer.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli/app.hpp"
#include "commands/common/fake_io.hpp"
#include "tests/unit/common/fake_platform.hpp"

namespace daoctl::testing {

struct AppHarness {
  commands::FakeIo io;
  std::shared_ptr<test::FakeTransport> http = test::fake_platform(test::response(599));
  std::shared_ptr<std::vector<commands::ClientSettings>> settings =
      std::make_shared<std::vector<commands::ClientSettings>>();
  config::Env env = {{"DAOCTL_URL", "http://platform.test"},
                     {"DAOCTL_TOKEN", "tok-SECRET"},
                     {"XDG_CONFIG_HOME", "/nonexistent"}};

  int run(std::vector<std::string> args) {
    cli::AppDependencies deps;
    deps.io = &io;
    deps.env = env;
    deps.version = "9.9.9";
    auto seen = settings;
    deps.client_factory = [seen, make = test::fake_client_factory(http, 1)](const commands::ClientSettings& s,
                                                                            commands::Io& io) {
      seen->push_back(s);
      return make(s, io);
    };
    return cli::run(args, std::move(deps));
  }

  void stub(const std::string& key, long status, const std::string& body) {
    test::stub(*http, key, status, body);
  }
};

// A fresh directory under the system temp dir, removed with the object.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace daoctl::testing
