#include <catch2/catch.hpp>

#include "core/text/encoding.hpp"

using namespace daoctl;
using namespace daoctl::text;

namespace {

// Feeds `bytes` in chunks of `chunk` bytes, so multi-byte sequences and BOMs
// are split across calls.
Result<std::string> decode_chunked(std::string_view bytes, Encoding e, size_t chunk) {
  auto d = Utf8Decoder::create(e, "in.csv");
  REQUIRE(d);
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    if (auto st = d->feed(bytes.substr(i, chunk), out); !st) return std::unexpected(st.error());
  }
  if (auto st = d->finish(out); !st) return std::unexpected(st.error());
  return out;
}

}  // namespace

TEST_CASE("encodings convert to UTF-8 whatever the chunk size", "[encoding]") {
  struct Case {
    const char* name;
    std::string bytes;
    Encoding encoding;
    std::string expected;
    Encoding resolved;
  };
  const std::string text = "Ёлка;Müller\r\nok";
  std::vector<Case> cases = {
      {"utf-8", "\xD0\x81\xD0\xBB\xD0\xBA\xD0\xB0;M\xC3\xBCller\r\nok", Encoding::Utf8, text,
       Encoding::Utf8},
      {"utf-8 bom", "\xEF\xBB\xBF\xD0\x81\xD0\xBB\xD0\xBA\xD0\xB0;M\xC3\xBCller\r\nok",
       Encoding::Auto, text, Encoding::Utf8},
      {"windows-1251", "\xA8\xEB\xEA\xE0;\xB9 5\r\nok", Encoding::Windows1251,
       "Ёлка;№ 5\r\nok", Encoding::Windows1251},
      {"koi8-r", "\xB3\xCC\xCB\xC1;\r\nok", Encoding::Koi8R, "Ёлка;\r\nok", Encoding::Koi8R},
      {"iso-8859-1", "M\xFCller", Encoding::Iso8859_1, "Müller", Encoding::Iso8859_1},
      {"windows-1252 euro", "\x80 5", Encoding::Windows1252, "€ 5", Encoding::Windows1252},
      {"utf-16le bom auto", std::string("\xFF\xFE\x01\x04=\x00\x3D\xD8\x00\xDE", 10),
       Encoding::Auto, "Ё=😀", Encoding::Utf16Le},
      {"utf-16be bom utf-16", std::string("\xFE\xFF\x04\x01\x00=", 6), Encoding::Utf16, "Ё=",
       Encoding::Utf16Be},
      {"utf-16le no bom", std::string("\x01\x04=\x00", 4), Encoding::Utf16Le, "Ё=",
       Encoding::Utf16Le},
      {"empty auto", "", Encoding::Auto, "", Encoding::Utf8},
      {"lone BOM byte in windows-1251", "\xEF", Encoding::Windows1251, "п", Encoding::Windows1251},
  };
  for (const auto& c : cases) {
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{1000}}) {
      INFO(c.name << ", chunk " << chunk);
      auto d = Utf8Decoder::create(c.encoding, "in.csv");
      REQUIRE(d);
      std::string out;
      for (size_t i = 0; i < c.bytes.size(); i += chunk)
        REQUIRE(d->feed(std::string_view(c.bytes).substr(i, chunk), out));
      REQUIRE(d->finish(out));
      CHECK(out == c.expected);
      CHECK(d->encoding() == c.resolved);
      CHECK(d->bytes_in() == c.bytes.size());
    }
  }
}

TEST_CASE("invalid UTF-8 names the byte offset and line:column, and suggests windows-1251",
          "[encoding]") {
  // "id;name\n1;Анна\n2;Бо" + a Windows-1251 'и' (0xE8).
  std::string bytes = "id;name\n1;\xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0\n2;\xD0\x91\xD0\xBE\xE8x\n";
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    auto r = decode_chunked(bytes, Encoding::Auto, chunk);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Parse);
    CHECK(r.error().message == "cannot decode in.csv as UTF-8");
    CHECK(r.error().object == "in.csv:3:5");
    CHECK(r.error().detail == "invalid byte 0xE8 at byte offset 25");
    CHECK_THAT(r.error().hint, Catch::Contains("encoding: windows-1251"));
  }
}

TEST_CASE("UTF-8 rejects overlongs, surrogates, code points above U+10FFFF and cut sequences",
          "[encoding]") {
  struct Case {
    std::string bytes;
    std::string detail;
    std::string object;
  };
  std::vector<Case> cases = {
      {"a\xC0\x80", "invalid byte 0xC0 at byte offset 1", "in.csv:1:2"},
      {"ab\xED\xA0\x80", "invalid byte 0xED at byte offset 2", "in.csv:1:3"},
      {"\xF4\x90\x80\x80", "invalid byte 0xF4 at byte offset 0", "in.csv:1:1"},
      {"\xE0\x80\x80", "invalid byte 0xE0 at byte offset 0", "in.csv:1:1"},
      {"\xD0\x96\n\xFF", "invalid byte 0xFF at byte offset 3", "in.csv:2:1"},
      {"ok\xD0", "the input ends inside a multi-byte sequence (0xD0) at byte offset 2",
       "in.csv:1:3"},
      {"\xF0\x9F\x98",
       "the input ends inside a multi-byte sequence (0xF0 0x9F 0x98) at byte offset 0",
       "in.csv:1:1"},
  };
  for (const auto& c : cases) {
    INFO(c.detail);
    auto r = decode_chunked(c.bytes, Encoding::Utf8, 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail == c.detail);
    CHECK(r.error().object == c.object);
  }
  CHECK(valid_utf8_prefix("Ё\xF0\x9F\x98\x80!") == 7);
  CHECK(valid_utf8_prefix("ab\xC3") == 2);
}

TEST_CASE("bytes undefined in a single-byte code page are errors with their position",
          "[encoding]") {
  auto r = decode_chunked("ab\r\n\x98", Encoding::Windows1251, 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "cannot decode in.csv as windows-1251");
  CHECK(r.error().object == "in.csv:2:1");
  CHECK(r.error().detail == "invalid byte 0x98 at byte offset 4");
}

TEST_CASE("byte order marks that contradict the configured encoding are errors", "[encoding]") {
  auto r = decode_to_utf8("\xEF\xBB\xBFid;name", Encoding::Windows1251, "hr.csv");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "cannot decode hr.csv as windows-1251");
  CHECK(r.error().detail == "the file starts with a UTF-8 byte order mark");
  CHECK(r.error().hint == "set encoding: utf-8 (or auto)");

  auto no_bom = decode_to_utf8(std::string("i\0d\0", 4), Encoding::Utf16, "hr.txt");
  REQUIRE_FALSE(no_bom);
  CHECK(no_bom.error().detail == "the file has no byte order mark");
  CHECK(no_bom.error().hint == "set encoding: utf-16le or encoding: utf-16be");

  auto odd = decode_to_utf8(std::string("\xFF\xFEi\0d", 5), Encoding::Auto, "hr.txt");
  REQUIRE_FALSE(odd);
  CHECK(odd.error().object == "hr.txt:1:2");
  CHECK(odd.error().detail ==
        "the input ends inside a multi-byte sequence (0x64) at byte offset 4");
}

TEST_CASE("positions count LF, CR and CRLF once and columns in code points", "[encoding]") {
  TextPosition pos;
  bool pending_cr = false;
  advance_position(pos, pending_cr, "ab\r");
  advance_position(pos, pending_cr, "\nЁж\rx\n\nyz");
  CHECK(pos.line == 5);
  CHECK(pos.column == 3);
}

TEST_CASE("encoding names", "[encoding]") {
  CHECK(parse_encoding("Windows-1251").value() == Encoding::Windows1251);
  CHECK(parse_encoding("CP1251").value() == Encoding::Windows1251);
  CHECK(parse_encoding("utf_8").value() == Encoding::Utf8);
  CHECK(parse_encoding("KOI8-R").value() == Encoding::Koi8R);
  CHECK(parse_encoding("latin1").value() == Encoding::Iso8859_1);
  CHECK(parse_encoding("UTF-16LE").value() == Encoding::Utf16Le);
  CHECK(std::string(to_string(Encoding::Koi8R)) == "koi8-r");
  auto bad = parse_encoding("ebcdic");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Config);
  CHECK(bad.error().message == "unknown encoding 'ebcdic'");
}

TEST_CASE("a UTF-16 BOM split across reads is refused for single-byte encodings too", "[encoding]") {
  // Found by fuzzing (tests/fuzz/regressions/csv): "\xFF" then "\xFE" used to
  // decode as two windows-1251 letters while the same bytes at once were refused.
  for (Encoding e : {Encoding::Windows1251, Encoding::Koi8R, Encoding::Iso8859_1, Encoding::Windows1252}) {
    INFO(to_string(e));
    for (std::string_view bom : {std::string_view("\xFF\xFEi\0d\0", 6), std::string_view("\xFE\xFF\0i\0d", 6)}) {
      auto whole = decode_to_utf8(bom, e, "in.csv");
      REQUIRE_FALSE(whole);
      CHECK(whole.error().detail == "the file starts with a UTF-16 byte order mark");
      auto split = decode_chunked(bom, e, 1);
      REQUIRE_FALSE(split);
      CHECK(split.error().detail == whole.error().detail);
    }
    auto one_byte = decode_chunked("\xFF", e, 1);  // a lone 0xFF is a letter, not half a BOM
    REQUIRE(one_byte);
    CHECK_FALSE(one_byte->empty());
  }
}
