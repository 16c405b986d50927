// Hidden benchmark (run with: unit_ldap_live "[bench]"): a paged search of
// 100,000 generated employees through the connector vs. `ldapsearch -E
// pr=1000/noprompt` of the same entries, both reading all user attributes from
// the same slapd. ldapsearch also formats LDIF (to /dev/null); the connector
// builds LdapEntry values and hands them to a callback that only counts.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "connectors/ldap/directory.hpp"
#include "slapd_server.hpp"
#include "tests/tools/ldapgen/ldif_generator.hpp"

using namespace daoctl;
using namespace daoctl::ldap;

TEST_CASE("paged search of 100k entries vs ldapsearch", "[.][bench]") {
  using Clock = std::chrono::steady_clock;
  ldapgen::GeneratorOptions options;
  options.employees = 100000;
  const std::string ldif =
      (std::filesystem::temp_directory_path() / "daoctl-bench-100k.ldif").string();
  const auto generate_start = Clock::now();
  {
    std::FILE* f = std::fopen(ldif.c_str(), "wb");
    REQUIRE(f != nullptr);
    const bool ok = ldapgen::write_ldif(f, options);
    REQUIRE(std::fclose(f) == 0);
    REQUIRE(ok);
  }
  const auto load_start = Clock::now();
  auto server = std::make_unique<testing::SlapdServer>(testing::SlapdConfig{ldif, {}, {}, true});
  const auto loaded = Clock::now();
  std::filesystem::remove(ldif);

  LdapConnectionOptions connection;
  connection.url = server->url();
  connection.bind_dn = server->bind_dn();
  connection.bind_password = server->bind_password();
  SearchRequest request;
  request.base_dn = "ou=People," + server->base_dn();
  request.filter = "(objectClass=inetOrgPerson)";
  request.page_size = 1000;

  // Warm slapd's caches once so neither side pays for the first touch.
  {
    auto dir = connect_ldap(connection);
    REQUIRE(dir);
    REQUIRE((*dir)->search(request, [](const LdapEntry&) -> Status { return {}; }));
  }

  const auto ours_start = Clock::now();
  std::uint64_t bytes = 0;
  auto dir = connect_ldap(connection);
  REQUIRE(dir);
  auto stats = (*dir)->search(request, [&](const LdapEntry& e) -> Status {
    for (const auto& a : e.attributes)
      for (const auto& v : a.values) bytes += v.size();
    return {};
  });
  const auto ours_end = Clock::now();
  REQUIRE(stats);
  CHECK(stats->entries == options.employees);

  const std::string password_file = server->directory() + "/reader.pass";
  {
    std::ofstream pw(password_file, std::ios::binary);
    pw << server->bind_password();  // no newline: ldapsearch -y uses the whole file
  }
  const auto theirs_start = Clock::now();
  const int rc = testing::run_program(
      {"/usr/bin/ldapsearch", "-x", "-LLL", "-H", server->url(), "-D", server->bind_dn(), "-y",
       password_file, "-b", request.base_dn, "-E", "pr=1000/noprompt", request.filter},
      "/dev/null");
  const auto theirs_end = Clock::now();
  CHECK(rc == 0);

  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::cout << "ldap bench: generate 100k LDIF " << ms(load_start - generate_start)
            << " ms, slapadd+start " << ms(loaded - load_start) << " ms\n"
            << "ldap bench: connector paged search " << stats->entries << " entries ("
            << bytes / 1024 << " KiB of values) in " << ms(ours_end - ours_start) << " ms\n"
            << "ldap bench: ldapsearch -E pr=1000/noprompt in " << ms(theirs_end - theirs_start)
            << " ms\n"
            << "ldap bench: ratio connector/ldapsearch "
            << ms(ours_end - ours_start) / ms(theirs_end - theirs_start) << "\n";
}
