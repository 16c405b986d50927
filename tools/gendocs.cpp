// daoctl-gendocs OUTDIR [DATE]: writes the man pages (OUTDIR/man/*.1) and the
// completion scripts (OUTDIR/completions/) generated from daoctl's command
// tree. The checked-in man/ and completions/ are its output; the docs test
// regenerates them and fails when they drift from the code.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <CLI/CLI.hpp>

#include "cli/app.hpp"
#include "cli/docs.hpp"
#include "commands/common/fake_io.hpp"
#include "commands/register_all.hpp"

namespace {
bool write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) std::cerr << "daoctl-gendocs: cannot write " << path << "\n";
  return static_cast<bool>(out);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: daoctl-gendocs OUTDIR [DATE]\n";
    return 2;
  }
  const std::filesystem::path out = argv[1];
  // A fixed date keeps the generated pages reproducible; the release sets it.
  const std::string date = argc == 3 ? argv[2] : "2026-11-26";
  daoctl::commands::FakeIo io;
  daoctl::commands::CommandContext ctx(io, {}, {});
  auto app = daoctl::cli::make_app(ctx, daoctl::commands::register_all_commands, DAOCTL_VERSION);
  std::filesystem::create_directories(out / "man");
  std::filesystem::create_directories(out / "completions");
  bool ok = true;
  for (const auto& [name, text] : daoctl::cli::man_pages(*app, DAOCTL_VERSION, date)) ok &= write(out / "man" / name, text);
  ok &= write(out / "completions" / "daoctl.bash", daoctl::cli::bash_completion(*app));
  ok &= write(out / "completions" / "_daoctl", daoctl::cli::zsh_completion(*app));
  ok &= write(out / "completions" / "daoctl.fish", daoctl::cli::fish_completion(*app));
  return ok ? 0 : 1;
}
