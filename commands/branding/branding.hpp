// daoctl branding: corporate colours and custom CSS (get/set/diff, colours
// and contrast checked first) and the logo and favicon uploads (images checked
// by content: format, size, pixel dimensions).
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <string>

#include "commands/common/context.hpp"
#include "commands/policy/setting_command.hpp"

namespace daoctl::commands {

const SettingSpec& branding_spec();

struct BrandingImageOptions {
  std::string slot;  // "logo" or "favicon"
  std::string path;
  bool dry_run = false;  // check the image and say what would be uploaded, upload nothing
};
// Reads the file, refuses it with every reason when it does not fit the
// slot (Validation, nothing sent), uploads it with the content type its
// content shows and prints the stored image.
int run_branding_image(const BrandingImageOptions& opts, CommandContext& ctx);

// Reads an image file and checks it for `slot`; throws CommandError (Io when
// unreadable, Validation listing every problem). Returns the bytes.
std::string read_checked_image(const std::string& path, const std::string& slot,
                               const std::string& shown_as);

void register_branding(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
