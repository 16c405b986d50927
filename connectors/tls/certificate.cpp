#include "connectors/tls/certificate.hpp"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>

#include "connectors/local/fd.hpp"

namespace daoctl::tls {

namespace {

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string name_text(X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::chrono::system_clock::time_point asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// A connected, blocking socket, or an error text.
Result<int> connect_tcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    return fail(ErrorKind::Network, "cannot resolve the host", host, ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (ready == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        rc = -1;
        if (ready == 0) errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return fd;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  return fail(ErrorKind::Network, "cannot connect", host + ":" + service, last_error);
}

// RFC 4511 4.14.1: messageID 1, ExtendedRequest with the StartTLS OID.
Status ldap_start_tls(int fd, const std::string& where) {
  static constexpr std::string_view kOid = "1.3.6.1.4.1.1466.20037";
  std::string request = "\x30\x1d\x02\x01\x01\x77\x18\x80\x16";
  request += kOid;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return fail(ErrorKind::Network, "cannot send the StartTLS request", where, std::strerror(errno));
  // The answer: SEQUENCE { INTEGER 1, [APPLICATION 24] { ENUMERATED resultCode, ... } }.
  unsigned char buf[4096];
  std::size_t have = 0;
  auto need = [&](std::size_t n) -> bool {
    while (have < n) {
      if (n > sizeof buf) return false;
      ssize_t got = ::recv(fd, buf + have, n - have, 0);
      if (got <= 0) return false;
      have += static_cast<std::size_t>(got);
    }
    return true;
  };
  if (!need(2) || buf[0] != 0x30)
    return fail(ErrorKind::Network, "no LDAP answer to StartTLS", where, "the server closed or sent something else");
  std::size_t header = 2;
  std::size_t length = buf[1];
  if (length & 0x80) {
    const std::size_t octets = length & 0x7f;
    if (octets == 0 || octets > 3 || !need(2 + octets))
      return fail(ErrorKind::Network, "a malformed LDAP answer to StartTLS", where);
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | buf[2 + i];
    header += octets;
  }
  if (!need(header + length)) return fail(ErrorKind::Network, "a short LDAP answer to StartTLS", where);
  const std::string_view message(reinterpret_cast<const char*>(buf) + header, length);
  const auto result = message.find("\x0a\x01");
  if (result == std::string_view::npos || result + 2 >= message.size())
    return fail(ErrorKind::Network, "a malformed LDAP answer to StartTLS", where);
  const int code = static_cast<unsigned char>(message[result + 2]);
  if (code != 0)
    return fail(ErrorKind::Network, "the server refused StartTLS", where, "result code " + std::to_string(code));
  return {};
}

std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const auto* s = n->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                          static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (n->type == GEN_IPADD) {
      const auto* s = n->d.iPAddress;
      const unsigned char* d = ASN1_STRING_get0_data(s);
      char text[64] = {};
      if (ASN1_STRING_length(s) == 4)
        ::inet_ntop(AF_INET, d, text, sizeof text);
      else if (ASN1_STRING_length(s) == 16)
        ::inet_ntop(AF_INET6, d, text, sizeof text);
      out.push_back("IP:" + std::string(text));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

Result<ProbeOptions> probe_options_for_url(const std::string& url) {
  constexpr std::string_view scheme = "https://";
  if (!url.starts_with(scheme)) return fail(ErrorKind::Config, "not an https URL", url);
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  ProbeOptions o;
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string::npos) return fail(ErrorKind::Config, "bad host in URL", url);
    o.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (rest.starts_with(":")) o.port = std::atoi(rest.c_str() + 1);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    o.host = rest.substr(0, colon);
    o.port = std::atoi(rest.c_str() + colon + 1);
  } else {
    o.host = rest;
  }
  if (o.host.empty() || o.port <= 0 || o.port > 65535) return fail(ErrorKind::Config, "bad host or port in URL", url);
  return o;
}

Result<ServerCertificate> probe_certificate(const ProbeOptions& options) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return fail(ErrorKind::Internal, "cannot create a TLS context", "", openssl_error());
  // Verification is recorded, not enforced: doctor reports an untrusted or
  // mismatched certificate instead of failing to read its dates.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), options.ca_file.c_str(), nullptr) != 1)
      return fail(ErrorKind::Config, "cannot read the CA file", options.ca_file, openssl_error());
  } else {
    SSL_CTX_set_default_verify_paths(ctx.get());
  }
  auto fd = connect_tcp(options.host, options.port, options.timeout);
  if (!fd) return std::unexpected(fd.error());
  const local::Fd sock(*fd);
  if (options.ldap_starttls) {
    if (auto st = ldap_start_tls(sock.get(), options.host + ":" + std::to_string(options.port)); !st)
      return std::unexpected(st.error());
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), sock.get());
  SSL_set_tlsext_host_name(ssl.get(), options.host.c_str());
  SSL_set1_host(ssl.get(), options.host.c_str());
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (SSL_connect(ssl.get()) != 1) return fail(ErrorKind::Network, "TLS handshake failed", where, openssl_error());
  X509* cert = SSL_get1_peer_certificate(ssl.get());
  if (cert == nullptr) return fail(ErrorKind::Network, "the server sent no certificate", where);
  std::unique_ptr<X509, decltype(&X509_free)> owned(cert, X509_free);
  ServerCertificate out;
  out.subject = name_text(X509_get_subject_name(cert));
  out.issuer = name_text(X509_get_issuer_name(cert));
  out.not_before = asn1_time(X509_get0_notBefore(cert));
  out.not_after = asn1_time(X509_get0_notAfter(cert));
  long verify = SSL_get_verify_result(ssl.get());
  out.verified = verify == X509_V_OK;
  if (!out.verified) out.verify_error = X509_verify_cert_error_string(verify);
  out.names = alt_names(cert);
  // The host name and the chain, each on its own: OpenSSL reports only the
  // first problem, and a self-signed certificate for another host has two.
  in6_addr ip6{};
  in_addr ip4{};
  const bool is_ip = ::inet_pton(AF_INET, options.host.c_str(), &ip4) == 1 ||
                     ::inet_pton(AF_INET6, options.host.c_str(), &ip6) == 1;
  out.host_matches = is_ip ? X509_check_ip_asc(cert, options.host.c_str(), 0) == 1
                           : X509_check_host(cert, options.host.c_str(), options.host.size(), 0, nullptr) == 1;
  out.chain_trusted = out.verified || verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH;
  SSL_shutdown(ssl.get());
  return out;
}

}  // namespace daoctl::tls
