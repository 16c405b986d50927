#include "core/text/encoding.hpp"

#include "core/text/ascii.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <optional>

namespace daoctl::text {

namespace {

struct EncodingName {
  std::string_view name;
  Encoding encoding;
};

constexpr std::array<EncodingName, 19> kEncodingNames{{
    {"auto", Encoding::Auto},
    {"utf-8", Encoding::Utf8},
    {"utf8", Encoding::Utf8},
    {"utf-16", Encoding::Utf16},
    {"utf16", Encoding::Utf16},
    {"utf-16le", Encoding::Utf16Le},
    {"utf-16be", Encoding::Utf16Be},
    {"windows-1251", Encoding::Windows1251},
    {"cp1251", Encoding::Windows1251},
    {"win1251", Encoding::Windows1251},
    {"koi8-r", Encoding::Koi8R},
    {"koi8r", Encoding::Koi8R},
    {"iso-8859-1", Encoding::Iso8859_1},
    {"latin1", Encoding::Iso8859_1},
    {"latin-1", Encoding::Iso8859_1},
    {"windows-1252", Encoding::Windows1252},
    {"cp1252", Encoding::Windows1252},
    {"win1252", Encoding::Windows1252},
    {"us-ascii", Encoding::Utf8},
}};

// glibc iconv names of the source encodings converted through iconv.
const char* iconv_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::Utf16Le: return "UTF-16LE";
    case Encoding::Utf16Be: return "UTF-16BE";
    case Encoding::Windows1251: return "WINDOWS-1251";
    case Encoding::Koi8R: return "KOI8-R";
    case Encoding::Iso8859_1: return "ISO-8859-1";
    case Encoding::Windows1252: return "WINDOWS-1252";
    case Encoding::Auto:
    case Encoding::Utf8:
    case Encoding::Utf16:
      break;
  }
  return nullptr;
}

bool is_single_byte(Encoding e) {
  return e == Encoding::Windows1251 || e == Encoding::Koi8R || e == Encoding::Iso8859_1 ||
         e == Encoding::Windows1252;
}

enum class SequenceKind { Valid, Invalid, Truncated };

// Classifies the UTF-8 sequence starting at p[0] (RFC 3629 table 3-7).
// `length` is the sequence length when Valid.
SequenceKind classify_sequence(const unsigned char* p, size_t avail, size_t& length) {
  unsigned char c = p[0];
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) {
    length = 1;
    return SequenceKind::Valid;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return SequenceKind::Invalid;
  }
  for (size_t i = 1; i < length; ++i) {
    if (i >= avail) return SequenceKind::Truncated;
    unsigned char b = p[i];
    unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return SequenceKind::Invalid;
  }
  return SequenceKind::Valid;
}

// Scans `bytes`: returns the valid prefix length; `kind` says what stopped it
// (Valid = reached the end).
size_t scan_utf8(std::string_view bytes, SequenceKind& kind) {
  auto p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  while (i < n) {
    // ASCII runs are the common case in HR exports: skip them eight at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    SequenceKind k = classify_sequence(p + i, n - i, len);
    if (k != SequenceKind::Valid) {
      kind = k;
      return i;
    }
    i += len;
  }
  kind = SequenceKind::Valid;
  return n;
}

std::string hex_bytes(std::string_view bytes, size_t max) {
  std::string r;
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    if (!r.empty()) r += ' ';
    r += fmt::format("0x{:02X}", static_cast<unsigned char>(bytes[i]));
  }
  return r;
}

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";

}  // namespace

Result<Encoding> parse_encoding(std::string_view name) {
  std::string key = lower_ascii(name);
  std::replace(key.begin(), key.end(), '_', '-');
  for (const auto& entry : kEncodingNames) {
    if (entry.name == key) return entry.encoding;
  }
  return fail(ErrorKind::Config, fmt::format("unknown encoding '{}'", name), {},
              "supported: auto, utf-8, utf-16, utf-16le, utf-16be, windows-1251, koi8-r, "
              "iso-8859-1, windows-1252");
}

const char* to_string(Encoding encoding) noexcept {
  switch (encoding) {
    case Encoding::Auto: return "auto";
    case Encoding::Utf8: return "utf-8";
    case Encoding::Utf16: return "utf-16";
    case Encoding::Utf16Le: return "utf-16le";
    case Encoding::Utf16Be: return "utf-16be";
    case Encoding::Windows1251: return "windows-1251";
    case Encoding::Koi8R: return "koi8-r";
    case Encoding::Iso8859_1: return "iso-8859-1";
    case Encoding::Windows1252: return "windows-1252";
  }
  return "auto";
}

size_t valid_utf8_prefix(std::string_view bytes) noexcept {
  SequenceKind kind;
  return scan_utf8(bytes, kind);
}

void advance_position(TextPosition& pos, bool& pending_cr, std::string_view text) noexcept {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      if (!pending_cr) {
        ++pos.line;
        pos.column = 1;
      }
      pending_cr = false;
    } else if (c == '\r') {
      ++pos.line;
      pos.column = 1;
      pending_cr = true;
    } else {
      pending_cr = false;
      if ((c & 0xC0) != 0x80) ++pos.column;
    }
  }
}

// Which single-byte Cyrillic encoding `sample` (text that is not UTF-8) is
// in: Windows-1251 or KOI8-R, the two in which Russian exports come. Both
// hold the 66 Russian letters in 0xC0-0xFF (and Ё/ё elsewhere) in different
// orders, and in opposite cases: a byte that is a lower-case letter in one is
// upper case in the other. Each byte scores the frequency of the letter it
// is in Russian text, fully for lower case (most of a text), a third for
// upper case. Nothing when the sample has too few such bytes to tell.
std::optional<Encoding> guess_cyrillic(std::string_view sample) {
  // Relative frequency (per mille) of а..я in Russian text.
  static constexpr std::array<int, 32> kFreq{80, 16, 45, 17, 30, 85, 9, 16, 74, 12, 35, 44, 32, 67, 110, 28,
                                             47, 55, 63, 26, 3, 10, 5, 14, 7, 4, 1, 19, 17, 3, 6, 20};
  // KOI8-R order of the letters at 0xC0-0xDF (lower case; 0xE0-0xFF upper):
  // юабцдефгхийклмнопярстужвьызшэщчъ, as indexes into а..я.
  static constexpr std::array<int, 32> kKoi{30, 0,  1,  22, 4,  5,  20, 3,  21, 8,  9,  10, 11, 12, 13, 14,
                                            15, 31, 16, 17, 18, 19, 6,  2,  28, 27, 7,  24, 29, 25, 23, 26};
  long cp1251 = 0, koi8 = 0, letters = 0, high = 0;
  for (unsigned char b : sample) {
    if (b < 0x80) continue;
    ++high;
    if (b < 0xC0) continue;
    ++letters;
    const int i = b & 0x1F;
    const bool upper_half = b >= 0xE0;
    // Windows-1251: 0xC0-0xDF А..Я, 0xE0-0xFF а..я.
    cp1251 += kFreq[static_cast<std::size_t>(i)] * (upper_half ? 3 : 1);
    // KOI8-R: 0xC0-0xDF lower case, 0xE0-0xFF upper case.
    koi8 += kFreq[static_cast<std::size_t>(kKoi[static_cast<std::size_t>(i)])] * (upper_half ? 1 : 3);
  }
  if (letters < 4 || letters * 2 < high) return std::nullopt;
  return cp1251 >= koi8 ? Encoding::Windows1251 : Encoding::Koi8R;
}

struct Utf8Decoder::State {
  Encoding configured = Encoding::Auto;
  Encoding resolved = Encoding::Auto;
  std::string object;
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
  bool sniffed = false;
  bool failed = false;
  std::string carry;  // bytes held back: BOM candidates or a partial sequence
  std::string work;
  uint64_t bytes_in = 0;
  TextPosition pos;
  bool pending_cr = false;
  // Auto without a BOM: true while everything decoded was ASCII, which
  // every candidate encoding reads the same; the first byte that is not
  // UTF-8 may then still pick Windows-1251 or KOI8-R.
  bool ascii_so_far = true;

  ~State() {
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }

  std::unexpected<Error> error_at(std::string message, std::string detail, std::string hint = {}) {
    failed = true;
    return fail(ErrorKind::Parse, std::move(message),
                fmt::format("{}:{}:{}", object, pos.line, pos.column), std::move(detail),
                std::move(hint));
  }

  Status open_iconv() {
    const char* from = iconv_name(resolved);
    if (from == nullptr) return {};
    cd = iconv_open("UTF-8", from);
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      failed = true;
      return fail(ErrorKind::Internal, fmt::format("cannot convert from {}", to_string(resolved)),
                  object, std::strerror(errno), "install the glibc gconv modules (libc6)");
    }
    return {};
  }

  // Decides the encoding from the first bytes of `buf`; returns how many BOM
  // bytes to skip, or nothing when more bytes are needed to decide.
  Result<std::optional<size_t>> sniff(std::string_view buf, bool at_end) {
    auto starts = [&](std::string_view bom) { return buf.substr(0, bom.size()) == bom; };
    // A strict prefix of a BOM might still become one: wait for more bytes.
    auto could_become = [&](std::string_view bom) {
      return !at_end && buf.size() < bom.size() && bom.substr(0, buf.size()) == buf;
    };
    using Opt = std::optional<size_t>;
    switch (configured) {
      case Encoding::Auto:
        if (could_become(kUtf8Bom) || could_become(kUtf16LeBom) || could_become(kUtf16BeBom))
          return Opt{};
        if (starts(kUtf8Bom)) return resolve(Encoding::Utf8, kUtf8Bom.size());
        if (starts(kUtf16LeBom)) return resolve(Encoding::Utf16Le, kUtf16LeBom.size());
        if (starts(kUtf16BeBom)) return resolve(Encoding::Utf16Be, kUtf16BeBom.size());
        return resolve(Encoding::Utf8, 0);
      case Encoding::Utf8:
        if (could_become(kUtf8Bom)) return Opt{};
        return resolve(Encoding::Utf8, starts(kUtf8Bom) ? kUtf8Bom.size() : 0);
      case Encoding::Utf16:
        if (could_become(kUtf16LeBom) || could_become(kUtf16BeBom)) return Opt{};
        if (starts(kUtf16LeBom)) return resolve(Encoding::Utf16Le, kUtf16LeBom.size());
        if (starts(kUtf16BeBom)) return resolve(Encoding::Utf16Be, kUtf16BeBom.size());
        if (buf.empty()) return resolve(Encoding::Utf16Le, 0);
        return error_at(fmt::format("cannot decode {} as UTF-16", object),
                        "the file has no byte order mark",
                        "set encoding: utf-16le or encoding: utf-16be");
      case Encoding::Utf16Le:
        if (could_become(kUtf16LeBom)) return Opt{};
        return resolve(Encoding::Utf16Le, starts(kUtf16LeBom) ? kUtf16LeBom.size() : 0);
      case Encoding::Utf16Be:
        if (could_become(kUtf16BeBom)) return Opt{};
        return resolve(Encoding::Utf16Be, starts(kUtf16BeBom) ? kUtf16BeBom.size() : 0);
      case Encoding::Windows1251:
      case Encoding::Koi8R:
      case Encoding::Iso8859_1:
      case Encoding::Windows1252:
        // A byte order mark means the configured single-byte encoding is
        // wrong; decoding anyway would turn the first header into garbage
        // and fail later with a far less helpful "key column not found".
        // Wait for a whole BOM of either kind, so the answer does not depend
        // on where the input is split ("\xff" then "\xfe" from a pipe).
        if (could_become(kUtf8Bom) || could_become(kUtf16LeBom) || could_become(kUtf16BeBom)) return Opt{};
        if (starts(kUtf8Bom))
          return error_at(fmt::format("cannot decode {} as {}", object, to_string(configured)),
                          "the file starts with a UTF-8 byte order mark",
                          "set encoding: utf-8 (or auto)");
        if (starts(kUtf16LeBom) || starts(kUtf16BeBom))
          return error_at(fmt::format("cannot decode {} as {}", object, to_string(configured)),
                          "the file starts with a UTF-16 byte order mark",
                          "set encoding: utf-16 (or auto)");
        return resolve(configured, 0);
    }
    return resolve(Encoding::Utf8, 0);
  }

  Result<std::optional<size_t>> resolve(Encoding e, size_t skip) {
    resolved = e;
    sniffed = true;
    if (auto st = open_iconv(); !st) return std::unexpected(st.error());
    return std::optional<size_t>{skip};
  }

  // Decodes `buf` (whose first byte is input offset `base`), appending to
  // `out`; keeps an incomplete trailing sequence in `carry`.
  Status decode(std::string_view buf, uint64_t base, std::string& out, bool at_end) {
    if (resolved == Encoding::Utf8) return decode_utf8(buf, base, out, at_end);
    return decode_iconv(buf, base, out, at_end);
  }

  Status decode_utf8(std::string_view buf, uint64_t base, std::string& out, bool at_end) {
    SequenceKind kind;
    size_t n = scan_utf8(buf, kind);
    const bool was_ascii = ascii_so_far;
    if (ascii_so_far && configured == Encoding::Auto)
      ascii_so_far = std::all_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (kind == SequenceKind::Invalid && was_ascii && ascii_so_far && configured == Encoding::Auto) {
      // Not UTF-8 and nothing but ASCII before: a Russian single-byte export?
      // The guess reads the first 4 KiB from the first byte that is not
      // UTF-8 (all of it, when the input ends sooner), never less: the same
      // sample however the input was split into reads, so the same answer
      // (the fuzz target `csv` found a split that guessed otherwise).
      constexpr std::size_t kSample = 4096;
      if (!at_end && buf.size() - n < kSample) {
        out.append(buf.data(), n);
        advance_position(pos, pending_cr, buf.substr(0, n));
        carry.assign(buf.substr(n));
        return {};
      }
      if (auto guess = guess_cyrillic(buf.substr(n, kSample))) {
        resolved = *guess;
        if (auto st = open_iconv(); !st) return st;
        return decode_iconv(buf, base, out, at_end);
      }
    }
    out.append(buf.data(), n);
    advance_position(pos, pending_cr, buf.substr(0, n));
    if (kind == SequenceKind::Valid) return {};
    if (kind == SequenceKind::Truncated && !at_end) {
      carry.assign(buf.substr(n));
      return {};
    }
    std::string detail =
        kind == SequenceKind::Truncated
            ? fmt::format("the input ends inside a multi-byte sequence ({}) at byte offset {}",
                          hex_bytes(buf.substr(n), 4), base + n)
            : fmt::format("invalid byte {} at byte offset {}", hex_bytes(buf.substr(n), 1),
                          base + n);
    std::string hint = configured == Encoding::Auto
                           ? "the file is not UTF-8; if it was exported on Windows, set "
                             "encoding: windows-1251 (or koi8-r, windows-1252)"
                           : "check the file's encoding and set encoding: accordingly";
    return error_at(fmt::format("cannot decode {} as UTF-8", object), std::move(detail),
                    std::move(hint));
  }

  Status decode_iconv(std::string_view buf, uint64_t base, std::string& out, bool at_end) {
    char* in = const_cast<char*>(buf.data());  // iconv's signature; it does not write input
    size_t in_left = buf.size();
    while (in_left > 0) {
      size_t start = out.size();
      // Every source encoding here needs at most 3 UTF-8 bytes per input byte.
      out.resize(start + in_left * 3 + 16);
      char* dst = out.data() + start;
      size_t dst_left = out.size() - start;
      size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
      int err = errno;
      size_t produced = static_cast<size_t>(dst - (out.data() + start));
      out.resize(start + produced);
      advance_position(pos, pending_cr, std::string_view(out).substr(start));
      if (rc != static_cast<size_t>(-1)) break;
      uint64_t offset = base + static_cast<uint64_t>(in - buf.data());
      if (err == E2BIG) continue;
      if (err == EINVAL && !at_end) {
        carry.assign(in, in_left);
        return {};
      }
      std::string detail =
          err == EINVAL
              ? fmt::format("the input ends inside a multi-byte sequence ({}) at byte offset {}",
                            hex_bytes(std::string_view(in, in_left), 4), offset)
              : fmt::format("invalid {} at byte offset {}",
                            is_single_byte(resolved)
                                ? "byte " + hex_bytes(std::string_view(in, in_left), 1)
                                : "sequence " + hex_bytes(std::string_view(in, in_left), 4),
                            offset);
      return error_at(fmt::format("cannot decode {} as {}", object, to_string(resolved)),
                      std::move(detail), "check the file's encoding and set encoding: accordingly");
    }
    return {};
  }

  Status push(std::string_view bytes, std::string& out, bool at_end) {
    if (failed)
      return fail(ErrorKind::Internal, "decoder used after an error", object);
    std::string_view buf = bytes;
    if (!carry.empty()) {
      work.assign(carry);
      work.append(bytes);
      carry.clear();
      buf = work;
    }
    uint64_t base = bytes_in - buf.size();
    if (!sniffed) {
      auto skip = sniff(buf, at_end);
      if (!skip) return std::unexpected(skip.error());
      if (!*skip) {
        carry.assign(buf);
        return {};
      }
      buf.remove_prefix(**skip);
      base += **skip;
    }
    if (buf.empty()) return {};
    return decode(buf, base, out, at_end);
  }
};

Utf8Decoder::Utf8Decoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
Utf8Decoder::Utf8Decoder(Utf8Decoder&&) noexcept = default;
Utf8Decoder& Utf8Decoder::operator=(Utf8Decoder&&) noexcept = default;
Utf8Decoder::~Utf8Decoder() = default;

Result<Utf8Decoder> Utf8Decoder::create(Encoding encoding, std::string object) {
  auto state = std::make_unique<State>();
  state->configured = encoding;
  state->resolved = encoding;
  state->object = std::move(object);
  return Utf8Decoder(std::move(state));
}

Status Utf8Decoder::feed(std::string_view bytes, std::string& out) {
  state_->bytes_in += bytes.size();
  return state_->push(bytes, out, false);
}

Status Utf8Decoder::finish(std::string& out) { return state_->push({}, out, true); }

Encoding Utf8Decoder::encoding() const noexcept { return state_->resolved; }
uint64_t Utf8Decoder::bytes_in() const noexcept { return state_->bytes_in; }
TextPosition Utf8Decoder::position() const noexcept { return state_->pos; }

Result<std::string> decode_to_utf8(std::string_view bytes, Encoding encoding,
                                   const std::string& object) {
  auto decoder = Utf8Decoder::create(encoding, object);
  if (!decoder) return std::unexpected(decoder.error());
  std::string out;
  out.reserve(bytes.size());
  if (auto st = decoder->feed(bytes, out); !st) return std::unexpected(st.error());
  if (auto st = decoder->finish(out); !st) return std::unexpected(st.error());
  return out;
}

}  // namespace daoctl::text
