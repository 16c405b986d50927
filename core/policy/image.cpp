#include "core/policy/image.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace daoctl::policy {

namespace {

std::uint32_t byte_at(std::string_view b, std::size_t i) { return static_cast<std::uint8_t>(b[i]); }
std::uint32_t be16(std::string_view b, std::size_t i) {
  return byte_at(b, i) << 8 | byte_at(b, i + 1);
}
std::uint32_t le16(std::string_view b, std::size_t i) {
  return byte_at(b, i) | byte_at(b, i + 1) << 8;
}
std::uint32_t le24(std::string_view b, std::size_t i) {
  return le16(b, i) | byte_at(b, i + 2) << 16;
}
std::uint32_t be32(std::string_view b, std::size_t i) { return be16(b, i) << 16 | be16(b, i + 2); }
std::uint32_t le32(std::string_view b, std::size_t i) { return le16(b, i) | le16(b, i + 2) << 16; }

void set_size(ImageInfo& info, std::uint32_t w, std::uint32_t h) {
  // Dimensions beyond int are corrupt headers; report them as unreadable.
  if (w == 0 || h == 0 || w > 1u << 30 || h > 1u << 30) return;
  info.width = static_cast<int>(w);
  info.height = static_cast<int>(h);
}

void read_jpeg(std::string_view b, ImageInfo& info) {
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (byte_at(b, i) != 0xFF) return;  // not at a marker: corrupt
    std::uint32_t marker = byte_at(b, i + 1);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) {  // no length
      i += 2;
      continue;
    }
    std::uint32_t length = be16(b, i + 2);
    bool is_sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_sof) {
      if (i + 9 > b.size()) return;
      set_size(info, be16(b, i + 7), be16(b, i + 5));
      return;
    }
    if (length < 2) return;
    i += 2 + length;
  }
}

void read_webp(std::string_view b, ImageInfo& info) {
  if (b.size() < 30) return;
  auto chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    set_size(info, le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
  } else if (chunk == "VP8L") {
    std::uint32_t bits = le32(b, 21);
    set_size(info, 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
  } else if (chunk == "VP8X") {
    set_size(info, 1 + le24(b, 24), 1 + le24(b, 27));
  }
}

// An ICO directory: 6-byte header, then 16-byte entries whose first two
// bytes are width and height (0 = 256). All entries must be present.
bool read_ico(std::string_view b, ImageInfo& info) {
  if (b.size() < 6) return false;
  std::uint32_t count = le16(b, 4);
  if (count == 0 || b.size() < 6 + 16 * static_cast<std::size_t>(count)) return false;
  std::uint32_t w = 0, h = 0;
  for (std::uint32_t k = 0; k < count; ++k) {
    std::size_t e = 6 + 16 * static_cast<std::size_t>(k);
    std::uint32_t ew = byte_at(b, e) == 0 ? 256 : byte_at(b, e);
    std::uint32_t eh = byte_at(b, e + 1) == 0 ? 256 : byte_at(b, e + 1);
    w = std::max(w, ew);
    h = std::max(h, eh);
  }
  set_size(info, w, h);
  return true;
}

bool starts_with_at(std::string_view b, std::size_t i, std::string_view prefix) {
  return b.size() >= i + prefix.size() && b.substr(i, prefix.size()) == prefix;
}

bool is_svg(std::string_view b) {
  std::size_t i = starts_with_at(b, 0, "\xEF\xBB\xBF") ? 3 : 0;
  // Look only at the prologue: an SVG names its root element early.
  const std::size_t limit = std::min<std::size_t>(b.size(), 64 * 1024);
  while (i < limit) {
    char c = b[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (c != '<') return false;
    std::string_view end;
    if (starts_with_at(b, i, "<?"))
      end = "?>";
    else if (starts_with_at(b, i, "<!--"))
      end = "-->";
    else if (starts_with_at(b, i, "<!"))
      end = ">";
    if (end.empty()) {
      if (!starts_with_at(b, i, "<svg") || i + 4 >= b.size()) return false;
      char next = b[i + 4];
      return next == ' ' || next == '>' || next == '\t' || next == '\r' || next == '\n' ||
             next == '/';
    }
    auto close = b.find(end, i + 2);
    if (close == std::string_view::npos) return false;
    i = close + end.size();
  }
  return false;
}

}  // namespace

const char* to_string(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::Png:
      return "PNG";
    case ImageFormat::Jpeg:
      return "JPEG";
    case ImageFormat::Gif:
      return "GIF";
    case ImageFormat::Webp:
      return "WebP";
    case ImageFormat::Svg:
      return "SVG";
    case ImageFormat::Ico:
      return "ICO";
    case ImageFormat::Unknown:
      break;
  }
  return "unknown";
}

const char* content_type_of(ImageFormat format) noexcept {
  switch (format) {
    case ImageFormat::Png:
      return "image/png";
    case ImageFormat::Jpeg:
      return "image/jpeg";
    case ImageFormat::Gif:
      return "image/gif";
    case ImageFormat::Webp:
      return "image/webp";
    case ImageFormat::Svg:
      return "image/svg+xml";
    case ImageFormat::Ico:
      return "image/x-icon";
    case ImageFormat::Unknown:
      break;
  }
  return "application/octet-stream";
}

ImageFormat format_of_content_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  auto type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const std::string lower = text::lower_ascii(type);
  if (lower == "image/png") return ImageFormat::Png;
  if (lower == "image/jpeg") return ImageFormat::Jpeg;
  if (lower == "image/gif") return ImageFormat::Gif;
  if (lower == "image/webp") return ImageFormat::Webp;
  if (lower == "image/svg+xml") return ImageFormat::Svg;
  if (lower == "image/x-icon" || lower == "image/vnd.microsoft.icon") return ImageFormat::Ico;
  return ImageFormat::Unknown;
}

ImageInfo inspect_image(std::string_view b) {
  ImageInfo info;
  if (starts_with_at(b, 0, "\x89PNG\r\n\x1A\n")) {
    info.format = ImageFormat::Png;
    if (b.size() >= 24 && b.substr(12, 4) == "IHDR") set_size(info, be32(b, 16), be32(b, 20));
  } else if (b.size() >= 3 && byte_at(b, 0) == 0xFF && byte_at(b, 1) == 0xD8 &&
             byte_at(b, 2) == 0xFF) {
    info.format = ImageFormat::Jpeg;
    read_jpeg(b, info);
  } else if (starts_with_at(b, 0, "GIF87a") || starts_with_at(b, 0, "GIF89a")) {
    info.format = ImageFormat::Gif;
    if (b.size() >= 10) set_size(info, le16(b, 6), le16(b, 8));
  } else if (starts_with_at(b, 0, "RIFF") && starts_with_at(b, 8, "WEBP")) {
    info.format = ImageFormat::Webp;
    read_webp(b, info);
  } else if (starts_with_at(b, 0, std::string_view("\0\0\1\0", 4))) {
    ImageInfo ico;
    ico.format = ImageFormat::Ico;
    if (read_ico(b, ico)) info = ico;
  } else if (is_svg(b)) {
    info.format = ImageFormat::Svg;
  }
  return info;
}

const ImageSlot& logo_slot() {
  static const ImageSlot slot{"logo", {ImageFormat::Png, ImageFormat::Svg}, 1u << 20, 2048, 2048};
  return slot;
}

const ImageSlot& favicon_slot() {
  static const ImageSlot slot{
      "favicon", {ImageFormat::Png, ImageFormat::Svg, ImageFormat::Ico}, 256u << 10, 512, 512};
  return slot;
}

namespace {
std::string human_size(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1u << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1u << 20));
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}
}  // namespace

std::vector<ImageProblem> check_image(std::string_view bytes, const ImageSlot& slot,
                                      std::string_view what) {
  std::vector<ImageProblem> problems;
  if (bytes.size() > slot.max_bytes)
    problems.push_back(
        {ImageProblemKind::TooLarge,
         fmt::format("{} is {} ({} bytes); a {} may be at most {}", what, human_size(bytes.size()),
                     bytes.size(), slot.name, human_size(slot.max_bytes))});
  const ImageInfo info = inspect_image(bytes);
  std::vector<std::string> accepted;
  for (auto f : slot.formats) accepted.emplace_back(to_string(f));
  if (std::find(slot.formats.begin(), slot.formats.end(), info.format) == slot.formats.end()) {
    problems.push_back(
        {ImageProblemKind::WrongFormat,
         info.format == ImageFormat::Unknown
             ? fmt::format("{} is not an image daoctl recognises by its content; a {} must be {}",
                           what, slot.name, fmt::join(accepted, ", "))
             : fmt::format(
                   "{} is a {} image (judged by its content, not its name); a {} must be {}", what,
                   to_string(info.format), slot.name, fmt::join(accepted, ", "))});
    return problems;
  }
  if (info.format == ImageFormat::Svg) return problems;
  if (!info.width || !info.height) {
    problems.push_back({ImageProblemKind::Unreadable,
                        fmt::format("{} looks like {} but its header is truncated or corrupt (no "
                                    "readable pixel size)",
                                    what, to_string(info.format))});
  } else if (*info.width > slot.max_width || *info.height > slot.max_height) {
    problems.push_back(
        {ImageProblemKind::TooManyPixels,
         fmt::format("{} is {}x{} pixels; a {} may be at most {}x{}", what, *info.width,
                     *info.height, slot.name, slot.max_width, slot.max_height)});
  }
  return problems;
}

}  // namespace daoctl::policy
