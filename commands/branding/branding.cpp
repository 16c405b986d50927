#include "commands/branding/branding.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/policy/settings_api.hpp"
#include "core/policy/image.hpp"

namespace daoctl::commands {

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

const SettingSpec& branding_spec() {
  static const SettingSpec spec = [] {
    SettingSpec s;
    s.command = "branding";
    s.title = "branding";
    s.api_name = "branding";
    s.kind = "branding";
    s.summary_get = "Show the colours, custom CSS and image URLs";
    s.summary_set = "Change colours or custom CSS (checked for format and WCAG AA contrast)";
    s.summary_diff = "Show what set would change (exit 8 when something would)";
    s.example_set = "daoctl branding set --primary-color '#0B5FFF' --background-color '#FFFFFF'";
    s.flags = {
        {"--primary-color", "primary_color", FlagType::Text, "#rgb or #rrggbb"},
        {"--accent-color", "accent_color", FlagType::Text, "#rgb or #rrggbb"},
        {"--background-color", "background_color", FlagType::Text, "#rgb or #rrggbb"},
        {"--css-file", "css", FlagType::Text, "File whose content becomes the custom CSS"},
    };
    // Errors from the input; the contrast advice comes from the document that
    // would be stored, so a new accent colour is judged against the current background.
    s.check = [](const json& input) {
      policy::Findings errors;
      for (auto& f : policy::check_branding(input))
        if (f.severity == policy::Severity::Error) errors.push_back(std::move(f));
      return errors;
    };
    s.advise = [](const json& desired) {
      json colours = json::object();
      for (const char* key : {"primary_color", "accent_color", "background_color"})
        if (desired.contains(key)) colours[key] = desired[key];
      return policy::check_branding(colours);
    };
    s.input_from_flags = [](const SettingInputOptions& opts) {
      json input = json::object();
      for (const char* key : {"primary_color", "accent_color", "background_color"})
        if (auto it = opts.values.find(key); it != opts.values.end()) input[key] = it->second;
      if (auto it = opts.values.find("css"); it != opts.values.end()) {
        auto css = read_file(it->second);
        if (!css)
          throw CommandError(ErrorKind::Io, fmt::format("cannot read the CSS file {}", it->second),
                             it->second, std::strerror(errno));
        input["css"] = *css;
      }
      return input;
    };
    s.input_from_file = [](const json& doc) {
      for (const char* slot : {"logo", "favicon"})
        if (doc.is_object() && doc.contains(slot))
          throw CommandError(
              ErrorKind::Usage,
              fmt::format("branding set does not upload images (the file names a {})", slot), slot,
              "",
              fmt::format(
                  "upload it with `daoctl branding {} PATH`, or use `daoctl apply -f env.yaml`",
                  slot));
      return doc;
    };
    s.normalise = [](const json& current) {
      json out = current;
      out.erase("logo_url");
      out.erase("favicon_url");
      return out;
    };
    // Images are uploaded with `branding logo|favicon`, not through the document.
    s.desired = [](const json& current, const json& input) {
      json out = current;
      // A colour equal to the stored one in another spelling (#FFF, #ffffff)
      // is no change; a different one is sent as the administrator wrote it.
      const json wanted_canonical = policy::canonical_branding(input),
                 stored_canonical = policy::canonical_branding(current);
      for (const auto& [k, v] : input.items()) {
        if (k == "logo" || k == "favicon") continue;
        const bool same = stored_canonical.contains(k) && wanted_canonical[k] == stored_canonical[k];
        if (!same) out[k] = v;
      }
      return out;
    };
    s.columns = {{"PRIMARY", "/primary_color", {}},
                 {"ACCENT", "/accent_color", {}},
                 {"BACKGROUND", "/background_color", {}},
                 {"LOGO", "/logo_url", {}},
                 {"FAVICON", "/favicon_url", {}}};
    return s;
  }();
  return spec;
}

std::string read_checked_image(const std::string& path, const std::string& slot,
                               const std::string& shown_as) {
  auto bytes = read_file(path);
  if (!bytes)
    throw CommandError(ErrorKind::Io, fmt::format("cannot read the {} image", slot), path,
                       std::strerror(errno));
  const auto& image_slot = slot == "logo" ? policy::logo_slot() : policy::favicon_slot();
  std::vector<std::string> problems;
  for (const auto& p : policy::check_image(*bytes, image_slot, shown_as))
    problems.push_back(p.message);
  if (!problems.empty())
    throw CommandError(ErrorKind::Validation,
                       fmt::format("{} cannot be used as the {}", shown_as, slot), path,
                       fmt::format("{}", fmt::join(problems, "\n")), "nothing was uploaded");
  return *bytes;
}

int run_branding_image(const BrandingImageOptions& opts, CommandContext& ctx) {
  const std::string bytes = read_checked_image(opts.path, opts.slot, opts.path);
  const auto info = policy::inspect_image(bytes);
  if (opts.dry_run) {
    // The platform is read (as the real run reaches it) to say what would be replaced.
    const auto current = get_setting(ctx, "branding");
    const json* stored = current.body.is_object() && current.body.contains(opts.slot + "_url")
                             ? &current.body[opts.slot + "_url"]
                             : nullptr;
    const std::string now_url = stored && stored->is_string() ? stored->get<std::string>() : "";
    return report_dry_run(
        ctx,
        fmt::format("upload {} as the {} ({}, {} bytes){}", opts.path, opts.slot, policy::to_string(info.format),
                    bytes.size(), now_url.empty() ? "" : ", replacing " + now_url),
        {{"request", [&] {
            json d = platform::SettingsApi::put_image_request(opts.slot).describe();
            d["content_type"] = policy::content_type_of(info.format);
            d["size"] = bytes.size();
            return d;
          }()},
         {"replaces", now_url.empty() ? json(nullptr) : json(now_url)}});
  }
  json stored = put_branding_image(ctx, opts.slot, bytes, policy::content_type_of(info.format));
  ctx.info(fmt::format("uploaded {} as the {} ({}, {} bytes)", opts.path, opts.slot,
                       policy::to_string(info.format), bytes.size()));
  ctx.print_item(stored, {{"URL", "/url", {}},
                          {"TYPE", "/content_type", {}},
                          {"SIZE", "/size", {}},
                          {"WIDTH", "/width", {}},
                          {"HEIGHT", "/height", {}},
                          {"SHA256", "/sha256", {}}});
  return exit_code::ok;
}

void register_branding(CLI::App& root, CommandContext& ctx) {
  auto& group = add_command(
      root, {"branding", "Corporate colours, custom CSS, logo and favicon", "daoctl branding get"});
  group.require_subcommand(1);
  register_setting_verbs(group, ctx, branding_spec(), "daoctl branding");
  for (const char* slot : {"logo", "favicon"}) {
    auto opts = std::make_shared<BrandingImageOptions>();
    opts->slot = slot;
    const bool is_logo = std::string_view(slot) == "logo";
    auto& cmd = add_command(
        group, {slot,
                is_logo ? "Upload the logo (PNG or SVG, at most 1 MiB and 2048x2048)"
                        : "Upload the favicon (PNG, SVG or ICO, at most 256 KiB and 512x512)",
                is_logo ? "daoctl branding logo ./branding/logo.svg"
                        : "daoctl branding favicon ./branding/favicon.ico"});
    cmd.add_option("PATH", opts->path,
                   "The image file (its content decides the format, not its name)")
        ->required();
    cmd.add_flag("--dry-run", opts->dry_run, "Only check the image and say what would be uploaded");
    cmd.callback([&ctx, opts] { ctx.exit_status = run_branding_image(*opts, ctx); });
  }
}

}  // namespace daoctl::commands
