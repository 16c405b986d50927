// A throwaway slapd for live tests: the C++ twin of tests/e2e/lib_ldap.sh.
//
// start() writes slapd.conf into a fresh temporary directory, bulk-loads the
// LDIF with `slapadd -q`, adds the service account cn=daoctl-reader,<suffix>
// (an ordinary user: the rootdn would bypass size limits), starts
// `slapd -d 0` on a free loopback port and waits until an anonymous bind
// succeeds. The child gets PR_SET_PDEATHSIG so a crashed test leaves no
// server behind; the destructor kills it by PID and removes the directory
// (kept when DAOCTL_KEEP_SLAPD is set, for inspection).
// Every failure throws std::runtime_error saying what failed (a missing slapd
// included: the tests fail rather than skip).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace daoctl::ldap::testing {

struct SlapdConfig {
  std::string ldif_path;
  std::vector<std::string> global_lines;    // e.g. "moduleload ppolicy"
  std::vector<std::string> database_lines;  // e.g. "overlay ppolicy", a sizelimit
  bool schema_check = true;                 // false: slapadd -s
};

class SlapdServer {
 public:
  explicit SlapdServer(const SlapdConfig& config);
  ~SlapdServer();
  SlapdServer(const SlapdServer&) = delete;
  SlapdServer& operator=(const SlapdServer&) = delete;

  const std::string& url() const { return url_; }
  const std::string& base_dn() const { return base_dn_; }
  const std::string& bind_dn() const { return bind_dn_; }
  const std::string& bind_password() const { return bind_password_; }
  const std::string& directory() const { return dir_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, wait; idempotent.
  void stop();

 private:
  void start(const SlapdConfig& config);

  std::string dir_, url_, base_dn_, bind_dn_, bind_password_;
  pid_t pid_ = -1;
};

// A loopback TCP port nothing listens on right now.
int free_loopback_port();

// The DN of the first entry of an LDIF file ("dn::" base64 decoded).
std::string first_dn_of_ldif(const std::string& path);

// Runs a program to completion with stdout+stderr appended to `log`; returns
// its exit status (or -1 when it did not exit normally).
int run_program(const std::vector<std::string>& argv, const std::string& log);

std::string base64_decode(const std::string& text);

}  // namespace daoctl::ldap::testing
