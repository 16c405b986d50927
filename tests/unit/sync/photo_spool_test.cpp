#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "connectors/local/photo_spool.hpp"
#include "core/sync/plan.hpp"

using daoctl::ErrorKind;
using daoctl::local::PhotoSpool;
using daoctl::sync::photo_sha256;

namespace {
struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "spool-test.XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};
}  // namespace

TEST_CASE("the photo spool gives back every photo and leaves no file behind") {
  TempDir dir;
  auto spool = PhotoSpool::open(dir.path);
  REQUIRE(spool);
  const std::string a("\xFF\xD8\xFF photo a", 11);
  const std::string b(300'000, 'b');  // larger than one write buffer
  auto pa = (*spool)->put(a);
  auto pb = (*spool)->put(b);
  auto empty = (*spool)->put("");
  REQUIRE(pa);
  REQUIRE(pb);
  REQUIRE(empty);
  CHECK(pa->sha256 == photo_sha256(a));
  CHECK(pa->offset == 0);
  CHECK(pb->offset == a.size());
  CHECK(pb->size == b.size());
  CHECK((*spool)->bytes_stored() == a.size() + b.size());
  CHECK((*spool)->get(*pb).value() == b);
  CHECK((*spool)->get(*pa).value() == a);
  CHECK((*spool)->get(*empty).value().empty());
  // The photos are personal data: nothing in the folder names them.
  CHECK(std::filesystem::is_empty(dir.path));
  auto beyond = *pb;
  beyond.offset += 1;
  CHECK_FALSE((*spool)->get(beyond));
}

TEST_CASE("a photo spool in a folder that cannot hold it is an Io error naming the folder") {
  auto spool = PhotoSpool::open("/nonexistent/daoctl-spool-test");
  REQUIRE_FALSE(spool);
  CHECK(spool.error().kind == ErrorKind::Io);
  CHECK(spool.error().object == "/nonexistent/daoctl-spool-test");
  CHECK(spool.error().hint.find("TMPDIR") != std::string::npos);
}
