// Uploaded images (logos, favicons) identified by content (core/policy
// inspect_image, check_image): PNG, JPEG, GIF, WebP, SVG, ICO headers.
#include "common.hpp"
#include "core/policy/image.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = fuzz::as_text(data, size);
  auto info = policy::inspect_image(bytes);
  if (info.width) FUZZ_CHECK(*info.width >= 0);
  if (info.height) FUZZ_CHECK(*info.height >= 0);
  (void)policy::check_image(bytes, policy::logo_slot(), "logo");
  (void)policy::check_image(bytes, policy::favicon_slot(), "favicon");
  (void)policy::format_of_content_type(bytes.substr(0, 100));
  return 0;
}
