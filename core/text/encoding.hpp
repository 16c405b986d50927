// Conversion of input text in the encodings real exports use into UTF-8.
//
// Utf8Decoder is a push converter: feed() takes chunks of raw bytes of any
// size and appends the UTF-8 text they complete, keeping a partial multi-byte
// sequence split across chunks until the next call, so a file of any size is
// converted in constant memory. It also tracks line:column of the decoded text
// so that every error names the position a human sees in an editor.
//
// Lines are counted at LF, at CR not followed by LF, and once at CRLF; columns
// count Unicode code points from 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::text {

enum class Encoding {
  Auto,         // BOM sniffing, then UTF-8; text that is not UTF-8 after ASCII only is
                // guessed as Windows-1251 or KOI8-R (Russian letter frequencies)
  Utf8,         // a UTF-8 BOM, if any, is dropped
  Utf16,        // byte order from the BOM, which is required
  Utf16Le,      // a matching BOM, if any, is dropped
  Utf16Be,
  Windows1251,
  Koi8R,
  Iso8859_1,
  Windows1252,
};

// Accepts the usual spellings, case-insensitively: "utf-8"/"utf8",
// "utf-16", "utf-16le", "utf-16be", "windows-1251"/"cp1251", "koi8-r",
// "iso-8859-1"/"latin1", "windows-1252"/"cp1252", "auto".
Result<Encoding> parse_encoding(std::string_view name);
// The canonical spelling accepted by parse_encoding ("windows-1251").
const char* to_string(Encoding encoding) noexcept;

// A position in decoded text: 1-based line and column (code points).
struct TextPosition {
  uint64_t line = 1;
  uint64_t column = 1;
};

class Utf8Decoder {
 public:
  // `object` names the input in errors ("employees.csv"); errors read
  // "object:line:column". Fails for an encoding iconv cannot open.
  static Result<Utf8Decoder> create(Encoding encoding, std::string object);

  Utf8Decoder(Utf8Decoder&&) noexcept;
  Utf8Decoder& operator=(Utf8Decoder&&) noexcept;
  ~Utf8Decoder();

  // Appends the UTF-8 text completed by `bytes` to `out`. Errors (ErrorKind::Parse)
  // on bytes invalid in the encoding, naming the byte offset in the input and
  // the line:column where they occur; the decoder is unusable afterwards.
  Status feed(std::string_view bytes, std::string& out);
  // Ends the input: decodes what was held back for BOM sniffing and errors if
  // the input ends inside a multi-byte sequence. An empty input is valid.
  Status finish(std::string& out);

  // The encoding in effect (Auto/Utf16 are resolved once the BOM is sniffed).
  Encoding encoding() const noexcept;
  // Bytes of input consumed so far, BOM included.
  uint64_t bytes_in() const noexcept;
  // Position just after the text decoded so far.
  TextPosition position() const noexcept;

 private:
  struct State;
  explicit Utf8Decoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Converts a whole buffer (convenience for small inputs and tests).
Result<std::string> decode_to_utf8(std::string_view bytes, Encoding encoding,
                                   const std::string& object);

// Length of the longest prefix of `bytes` that is valid UTF-8 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF). A truncated sequence at
// the very end counts as invalid here.
size_t valid_utf8_prefix(std::string_view bytes) noexcept;

// Advances `pos` over UTF-8 `text` (see the line/column rules above);
// `pending_cr` carries "the previous byte was CR" across calls.
void advance_position(TextPosition& pos, bool& pending_cr, std::string_view text) noexcept;

}  // namespace daoctl::text
