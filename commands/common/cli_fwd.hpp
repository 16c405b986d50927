#pragma once
// CLI11's App, declared without CLI11: a header that only names CLI::App& in a
// register_* declaration includes this, and only the .cpp files that build the
// command tree include <CLI/CLI.hpp>. A TU with CLI11 took about twice as long
// to compile as one without (ARCHITECTURE.md, "Build time").
namespace CLI {
class App;
}  // namespace CLI
