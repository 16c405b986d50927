#include "connectors/sources/source_probe.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "connectors/ldap/directory.hpp"
#include "connectors/sources/job_sources.hpp"

namespace daoctl::sources {

namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

Result<ProbeResult> probe_ldap(const sync::SourceSpec& s, const std::string& base_dir) {
  const auto& c = s.config;
  ldap::LdapConnectionOptions conn;
  conn.url = c.value("url", "");
  conn.start_tls = c.value("starttls", false);
  conn.ca_file = resolve(base_dir, c.value("ca_file", ""));
  conn.require_certificate = !c.value("insecure", false);
  conn.bind_dn = c.value("bind_dn", "");
  conn.operation_timeout = std::chrono::seconds(c.value("timeout", 30));
  auto password = read_secret(c, "bind_password", base_dir, "source " + s.name);
  if (!password) {
    Error e = password.error();
    if (e.hint.empty()) e.hint = "set the variable or file that bind_password_env / _file / _command names";
    return std::unexpected(e);
  }
  conn.bind_password = std::move(*password);
  auto dir = ldap::connect_ldap(conn);
  if (!dir) {
    Error e = dir.error().error;
    e.hint = dir.error().failure == ldap::LdapFailure::Auth
                   ? "check bind_dn and the password of source " + s.name + " (is the account locked or expired?)"
                   : "check url, starttls and ca_file of source " + s.name + "; try: ldapwhoami -H " + conn.url +
                         " -x -D '" + conn.bind_dn + "' -W";
    return std::unexpected(e);
  }
  ldap::SearchRequest req;
  req.base_dn = c.value("base_dn", "");
  req.scope = ldap::SearchScope::Base;
  req.filter = "(objectClass=*)";
  req.attributes = {"1.1"};  // no attributes: existence only
  req.page_size = 0;
  auto found = (*dir)->search(req, [](const ldap::LdapEntry&) -> Status { return {}; });
  if (!found) {
    Error e = found.error().error;
    e.hint = found.error().failure == ldap::LdapFailure::NoSuchObject
                   ? "fix base_dn of source " + s.name + " (the bind works, the base does not exist)"
                   : "the bind works, but the base search failed: check base_dn and the account's read rights";
    return std::unexpected(e);
  }
  return ProbeResult{true, fmt::format("{} bound as {}; base {} exists", conn.url,
                                       conn.bind_dn.empty() ? "anonymous" : conn.bind_dn, req.base_dn)};
}

Result<ProbeResult> probe_file(const sync::SourceSpec& s, const std::string& base_dir) {
  const std::string path = resolve(base_dir, s.config.value("path", ""));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    return fail(err == ENOENT ? ErrorKind::NotFound : ErrorKind::Io, "source file missing", path, std::strerror(err),
                "check path of source " + s.name + " (relative paths are relative to the job file)");
  }
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::Io, "source is not a regular file", path, "", "point path at the export file");
  std::ifstream in(path, std::ios::binary);
  char byte = 0;
  if (!in || (st.st_size > 0 && !in.read(&byte, 1)))
    return fail(ErrorKind::Io, "source file not readable", path, std::strerror(errno),
                "let the user daoctl runs as read it (e.g. chgrp daoctl " + path + "; chmod g+r " + path + ")");
  // A CSV's header is known here: every column the job names must be in it.
  if (auto header = check_csv_header(s, base_dir); !header) return std::unexpected(header.error());
  auto age = std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime);
  return ProbeResult{true, fmt::format("{} readable, {} bytes, modified {:.1f} h ago", path, st.st_size,
                                       std::chrono::duration<double>(age).count() / 3600)};
}

}  // namespace

Result<ProbeResult> probe_source(const sync::SourceSpec& source, const std::string& base_dir) {
  if (source.type == "ldap") return probe_ldap(source, base_dir);
  if (source.type == "csv" || source.type == "json") return probe_file(source, base_dir);
  return ProbeResult{false, source.type + " sources are probed by reading them: daoctl sync plan"};
}

}  // namespace daoctl::sources
