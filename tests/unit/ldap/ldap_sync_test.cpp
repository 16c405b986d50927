// The RFC 4533 refresh's cookie rule (connectors/ldap/ldap_sync.hpp). The
// refresh itself runs against slapd in tests/e2e/sync_incremental.sh and
// sync_watch.sh.
#include <catch2/catch.hpp>

#include <string>

#include "connectors/ldap/ldap_sync.hpp"

// The RFC 4533 cookie kept after a refresh is never newer than the
// contextCSN read before it (connectors/ldap/ldap_sync.hpp): a deletion
// whose CSN slapd published before its sessionlog entry is listed again.
TEST_CASE("a slapd cookie is set back to an older CSN, and left alone otherwise") {
  using daoctl::ldap::cookie_at_most;
  const std::string newer = "rid=000,csn=20261207174725.113845Z#000000#000#000000";
  const std::string older = "20261207174724.000001Z#000000#000#000000";
  CHECK(cookie_at_most(newer, older) == "rid=000,csn=" + older);
  CHECK(cookie_at_most("rid=001,sid=002,csn=20261207174725.113845Z#000000#002#000000", older) ==
        "rid=001,sid=002,csn=" + older);
  // Not older: the server's cookie stays.
  CHECK(cookie_at_most(newer, "20261207174725.113845Z#000000#000#000000") == newer);
  CHECK(cookie_at_most(newer, "20261207174726.000000Z#000000#000#000000") == newer);
  // Several providers (several CSNs), no CSN, another form: unchanged.
  const std::string multi = "rid=000,csn=20261207174725.113845Z#000000#001#000000;20261207174725.2Z#000000#002#000000";
  CHECK(cookie_at_most(multi, older) == multi);
  CHECK(cookie_at_most(newer, older + ";" + older) == newer);
  CHECK(cookie_at_most("usn;123;abc", older) == "usn;123;abc");
  CHECK(cookie_at_most("rid=000", older) == "rid=000");
  CHECK(cookie_at_most(newer, "") == newer);
}
