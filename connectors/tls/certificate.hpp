// The certificate a TLS server presents, for `daoctl doctor`: who it is for,
// when it expires, and whether it verifies against the CA bundle in use.
// One TCP connection and one handshake (with SNI); no HTTP is spoken.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace daoctl::tls {

struct ServerCertificate {
  std::string subject;  // RFC 2253, e.g. "CN=intranet.example.com"
  std::string issuer;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool verified = false;     // chain and host name check out against the CA bundle
  std::string verify_error;  // OpenSSL's reason when not verified
  // subjectAltName entries ("DNS:ldap.example.com", "IP:127.0.0.1") and
  // whether the probed host is among them (or the CN, when there are none).
  std::vector<std::string> names;
  bool host_matches = false;
  bool chain_trusted = false;  // the chain verifies, whatever the host name
};

struct ProbeOptions {
  std::string host;
  int port = 443;
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds timeout{10'000};
  // Speak LDAP StartTLS (RFC 4511 4.14) on the plain connection before the
  // handshake, to see the certificate an ldap:// server with StartTLS shows.
  bool ldap_starttls = false;
};

// Errors: Network (cannot connect, handshake failed, no certificate), Config
// (unreadable CA file).
Result<ServerCertificate> probe_certificate(const ProbeOptions& options);

// host and port of an https:// URL (port 443 when absent). Config error for
// anything else.
Result<ProbeOptions> probe_options_for_url(const std::string& url);

}  // namespace daoctl::tls
