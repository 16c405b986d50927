// Images identified by their content, never by file name or declared type:
// the format from the magic bytes and the pixel size from the format's own
// header. Shared by daoctl (checks before upload) and daoctl-sim (checks on
// upload), so both name the same formats the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daoctl::policy {

enum class ImageFormat { Unknown, Png, Jpeg, Gif, Webp, Svg, Ico };

// "PNG", "JPEG", "GIF", "WebP", "SVG", "ICO", "unknown".
const char* to_string(ImageFormat format) noexcept;
// "image/png", ..., "image/x-icon"; "application/octet-stream" for Unknown.
const char* content_type_of(ImageFormat format) noexcept;
// The format a Content-Type names (parameters ignored; image/vnd.microsoft.icon
// and image/x-icon are both Ico); Unknown for anything else.
ImageFormat format_of_content_type(std::string_view content_type);

struct ImageInfo {
  ImageFormat format = ImageFormat::Unknown;
  // Pixel size from the header; absent for SVG (vector) and when the header is
  // truncated. For ICO, the largest entry (a width byte of 0 means 256).
  std::optional<int> width;
  std::optional<int> height;
};

// Identifies the format by magic bytes (SVG: an XML text whose first element
// is <svg>, after an optional BOM, XML declaration, comments and DOCTYPE) and
// reads the dimensions: PNG IHDR, JPEG SOFn, GIF logical screen, WebP
// VP8/VP8L/VP8X, ICO directory.
ImageInfo inspect_image(std::string_view bytes);

// Where an image goes and what that place accepts.
struct ImageSlot {
  std::string name;                  // "logo", "favicon"
  std::vector<ImageFormat> formats;  // accepted formats
  std::size_t max_bytes = 0;
  int max_width = 0;  // raster images only
  int max_height = 0;
};

// The platform's limits (schemas/openapi.yaml): logo PNG/SVG, at most 1 MiB
// and 2048x2048; favicon PNG/SVG/ICO, at most 256 KiB and 512x512.
const ImageSlot& logo_slot();
const ImageSlot& favicon_slot();

enum class ImageProblemKind { TooLarge, WrongFormat, TooManyPixels, Unreadable };

struct ImageProblem {
  ImageProblemKind kind;
  std::string message;  // names the slot, what was found and the limit
};

// Every reason `bytes` cannot be used in `slot`; empty when it can.
// `what` names the image in messages ("logo.png", "the upload").
std::vector<ImageProblem> check_image(std::string_view bytes, const ImageSlot& slot,
                                      std::string_view what);

}  // namespace daoctl::policy
