// daoctl-sim: the reference platform server (SCIM 2.0 + native /api/v1 over
// SQLite) with fault injection. `main` is the whole program; `Server` runs it
// in-process for tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "sim/faults.hpp"

namespace daoctl::sim {

class Store;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  std::filesystem::path data_dir;
  std::string admin_token;  // required; compared in constant time
  FaultOptions faults;
  std::string tls_cert_file;  // both set: serve HTTPS
  std::string tls_key_file;
  int threads = 32;  // request threads; a keep-alive connection holds one
  bool log_requests = false;
  // Check every response against schemas/openapi.yaml: one that breaks it
  // becomes a 500 and a "contract violation" line on stderr (the test
  // suite's setting; also DAOCTL_SIM_CHECK_RESPONSES=1). Request bodies are
  // always checked.
  bool check_responses = false;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the store, binds the socket and starts serving on a background
  // thread. Errors: Io (data dir / database), Network (cannot bind), Config
  // (TLS files unusable, missing token).
  Status start();
  // The bound port (valid after start()).
  int port() const;
  // "http://127.0.0.1:PORT" (https with TLS).
  std::string base_url() const;
  // Stops accepting, lets in-flight requests finish, closes the database.
  // Idempotent.
  void stop();

  // The live store, for tests that prepare state the API cannot (jobs).
  Store& store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The daoctl-sim command line: serve (default), seed, version. Returns the
// process exit code.
int main(int argc, char** argv);

}  // namespace daoctl::sim
