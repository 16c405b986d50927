#include "slapd_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "connectors/ldap/directory.hpp"

namespace daoctl::ldap::testing {

namespace {
constexpr const char* kSlapd = "/usr/sbin/slapd";
constexpr const char* kSlapadd = "/usr/sbin/slapadd";

std::string tail_of(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i)
    last += lines[i] + "\n";
  return last;
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open log " + log + ": " + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

std::string random_token() {
  std::random_device rd;
  return std::to_string(rd()) + std::to_string(rd());
}
}  // namespace

std::string base64_decode(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

int free_loopback_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (s >= 0) ::close(s);
    throw std::runtime_error(std::string("cannot find a free loopback port: ") +
                             std::strerror(errno));
  }
  ::close(s);
  return ntohs(addr.sin_port);
}

std::string first_dn_of_ldif(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read LDIF " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("dn::", 0) == 0) return base64_decode(line.substr(4));
    if (line.rfind("dn:", 0) == 0) {
      const auto start = line.find_first_not_of(' ', 3);
      return start == std::string::npos ? "" : line.substr(start);
    }
  }
  throw std::runtime_error("LDIF " + path + " has no 'dn:' line");
}

int run_program(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = spawn(argv, log);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

SlapdServer::SlapdServer(const SlapdConfig& config) {
  try {
    start(config);
  } catch (...) {
    // The destructor does not run for a constructor that throws.
    stop();
    std::error_code ignored;
    if (!dir_.empty() && std::getenv("DAOCTL_KEEP_SLAPD") == nullptr)
      std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

void SlapdServer::start(const SlapdConfig& config) {
  for (const char* bin : {kSlapd, kSlapadd}) {
    if (::access(bin, X_OK) != 0) {
      throw std::runtime_error(
          std::string(bin) +
          " not found: the live LDAP tests need Debian's slapd and ldap-utils installed");
    }
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "daoctl-slapd.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  dir_ = tmpl;
  std::filesystem::create_directory(dir_ + "/db");
  base_dn_ = first_dn_of_ldif(config.ldif_path);
  bind_dn_ = "cn=daoctl-reader," + base_dn_;
  bind_password_ = "reader-" + random_token();
  const std::string root_password = "root-" + random_token();
  {
    std::ofstream conf(dir_ + "/slapd.conf");
    conf << "include /etc/ldap/schema/core.schema\n"
         << "include /etc/ldap/schema/cosine.schema\n"
         << "include /etc/ldap/schema/inetorgperson.schema\n"
         << "include /etc/ldap/schema/nis.schema\n"
         << "include " << DAOCTL_SOURCE_DIR << "/tests/fixtures/ldap/389ds-compat.schema\n"
         << "pidfile " << dir_ << "/slapd.pid\n"
         << "argsfile " << dir_ << "/slapd.args\n"
         << "modulepath /usr/lib/ldap\n"
         << "moduleload back_mdb\n";
    for (const auto& l : config.global_lines) conf << l << "\n";
    conf << "database mdb\n"
         << "maxsize 4294967296\n"
         << "suffix \"" << base_dn_ << "\"\n"
         << "rootdn \"cn=admin," << base_dn_ << "\"\n"
         << "rootpw " << root_password << "\n"
         << "directory " << dir_ << "/db\n"
         << "index objectClass eq\n"
         << "index uid,mail,employeeNumber,cn eq\n"
         << "access to attrs=userPassword by anonymous auth by self read by * none\n"
         << "access to * by * read\n"
         << "sizelimit unlimited\n";
    for (const auto& l : config.database_lines) conf << l << "\n";
    std::ofstream reader(dir_ + "/reader.ldif");
    reader << "dn: " << bind_dn_
           << "\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
           << "cn: daoctl-reader\nuserPassword: " << bind_password_ << "\n";
  }
  const std::string log = dir_ + "/slapadd.log";
  std::vector<std::string> load{kSlapadd, "-q", "-f", dir_ + "/slapd.conf", "-l", config.ldif_path};
  if (!config.schema_check) load.insert(load.begin() + 1, "-s");
  if (run_program(load, log) != 0) {
    throw std::runtime_error("slapadd refused " + config.ldif_path + " (" + log + "):\n" +
                             tail_of(log));
  }
  if (run_program({kSlapadd, "-q", "-f", dir_ + "/slapd.conf", "-l", dir_ + "/reader.ldif"}, log) !=
      0) {
    throw std::runtime_error("slapadd refused the reader entry (" + log + "):\n" + tail_of(log));
  }
  url_ = "ldap://127.0.0.1:" + std::to_string(free_loopback_port());
  pid_ =
      spawn({kSlapd, "-d", "0", "-f", dir_ + "/slapd.conf", "-h", url_ + "/"}, dir_ + "/slapd.log");
  LdapConnectionOptions probe;
  probe.url = url_;
  probe.network_timeout = std::chrono::milliseconds(500);
  probe.operation_timeout = std::chrono::milliseconds(2000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (connect_ldap(probe)) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("slapd exited at start (" + dir_ + "/slapd.log):\n" +
                               tail_of(dir_ + "/slapd.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop();
  throw std::runtime_error("slapd on " + url_ + " did not answer within 20 s");
}

void SlapdServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

SlapdServer::~SlapdServer() {
  stop();
  std::error_code ignored;
  if (!dir_.empty() && std::getenv("DAOCTL_KEEP_SLAPD") == nullptr)
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace daoctl::ldap::testing
