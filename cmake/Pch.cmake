# Precompiled headers (issue 18; ARCHITECTURE.md, "Build time").
#
#   daoctl_pch(<target> base|cli)
#
# Two precompiled headers per build tree, each compiled once and reused by
# every target of its kind (REUSE_FROM): "base" (the standard headers most
# TUs include, fmt and nlohmann/json) is built by daoctl_core and reused by
# the connectors, the simulator and the unit tests; "cli" (base + CLI11) is
# built by daoctl_commands and reused by daoctl_cli, daoctl, daoctl-gendocs
# and the cli/commands unit tests. Every target of this project compiles with
# the same options (daoctl_options), so one PCH is valid for all of them; a
# target that differs only by -D macros the headers do not use (DAOCTL_VERSION,
# DAOCTL_SOURCE_DIR) still uses it (GCC's rule), and -Winvalid-pch would say
# if one did not.
#
# The libFuzzer tree (clang, tests/fuzz/fuzz.cmake) builds without: its
# objects are few, and it keeps one build that compiles core/ and connectors/
# with nothing included for them, so a missing #include still fails there.
# -DDAOCTL_PCH=OFF turns them off everywhere.
#
# ccache: objects compiled with a PCH are cached when ccache's sloppiness
# includes pch_defines,time_macros (the presets' launcher sets it, see
# CMakePresets.json); CMake includes the header with -include, which is the
# form ccache's direct mode supports for GCC.
option(DAOCTL_PCH "Precompile the heavy third-party headers (nlohmann/json, CLI11, fmt, std)" OFF)

set(DAOCTL_PCH_BASE_HEADERS
  <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <optional> <set>
  <string> <string_view> <vector>
  <fmt/format.h> <nlohmann/json.hpp>)

function(daoctl_pch target kind)
  if(NOT DAOCTL_PCH OR DAOCTL_FUZZ)
    return()
  endif()
  if(kind STREQUAL "base")
    set(owner daoctl_core)
    set(headers ${DAOCTL_PCH_BASE_HEADERS})
  elseif(kind STREQUAL "cli")
    set(owner daoctl_commands)
    set(headers ${DAOCTL_PCH_BASE_HEADERS} <CLI/CLI.hpp>)
  else()
    message(FATAL_ERROR "daoctl_pch: kind is base or cli, got ${kind}")
  endif()
  if(target STREQUAL owner)
    target_precompile_headers(${target} PRIVATE ${headers})
  else()
    target_precompile_headers(${target} REUSE_FROM ${owner})
  endif()
endfunction()
