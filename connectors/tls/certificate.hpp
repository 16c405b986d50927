// The certificate a TLS server presents, for `daoctl doctor`: who it is for,
// when it expires, and whether it verifies against the CA bundle in use.
// One TCP connection and one handshake (with SNI); no HTTP is spoken.
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"

namespace daoctl::tls {

struct ServerCertificate {
  std::string subject;  // RFC 2253, e.g. "CN=intranet.example.com"
  std::string issuer;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool verified = false;     // chain and host name check out against the CA bundle
  std::string verify_error;  // OpenSSL's reason when not verified
};

struct ProbeOptions {
  std::string host;
  int port = 443;
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds timeout{10'000};
};

// Errors: Network (cannot connect, handshake failed, no certificate), Config
// (unreadable CA file).
Result<ServerCertificate> probe_certificate(const ProbeOptions& options);

// host and port of an https:// URL (port 443 when absent). Config error for
// anything else.
Result<ProbeOptions> probe_options_for_url(const std::string& url);

}  // namespace daoctl::tls
