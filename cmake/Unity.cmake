# Unity builds by folder (issue 18; ARCHITECTURE.md, "Build time").
#
#   daoctl_unity_by_folder(<target> <source-root> <sources...>
#                          [BATCH <n>] [SPLIT_BEFORE <file>...])
#
# Compiles the sources of each folder below <source-root> as one translation
# unit (a generated build/<dir>/unity/<target>_<folder>.cpp that includes
# them; files directly in <source-root> form a group of their own). Most of a
# TU's time is code generation for the nlohmann/json (and CLI11) templates
# it instantiates; a folder compiled as one TU instantiates them once.
# Measured (CPU s, ci flags, 2026-12-06): commands/backup/ 9 files 77.1 s
# alone, 27.6 s as one TU; commands/env/ 7 files 79.8 -> 23.7 s.
# Used by every library: daoctl_core, daoctl_connectors, daoctl_commands,
# daoctl_cli and daoctl_sim_lib.
#
# Touching one file recompiles its group, so a big folder in one TU makes
# every edit there slow; two ways to split one (<target>_<folder>_<k>.cpp):
# - BATCH <n>: a folder of more than n files becomes the fewest groups of at
#   most n files, in sorted file-name order and of near-equal size (the flat
#   sim/, 45 files, BATCH 8: six groups). Sorted order keeps files of one
#   prefix together (sim's store_*, scim*, backup_*), and adding a file moves
#   at most that folder's boundaries, never another folder's. The sim's
#   sources are kept free of clashes as a whole folder, so a moved boundary
#   does not break the build.
# - SPLIT_BEFORE <file>...: a group starts at each named file (paths from the
#   project root), a boundary that stays where it is when files grow:
#   commands/sync/ splits before incremental.cpp (apply, conditional, engine
#   / the other eight; sorted halves had left the three biggest together).
#   It wins over BATCH for the folders it names.
# Measured idle, ccache off: touching commands/sync/apply.cpp and rebuilding
# daoctl 38.0 -> 21.1 s.
#
# Grouping by folder, not in CMake's batches of N over the globbed list,
# keeps a folder (one command group, one area of core) together: names in
# anonymous namespaces only meet the other files of their own folder, which
# already share a topic (two helpers with one name in one folder should be
# one helper anyway). A clash is a compile error naming both definitions;
# merge the helpers (core/text/ for string helpers) or rename one to say
# what it does. A `using namespace` or a #define at namespace scope in a
# .cpp reaches the files after it in the group.
# With it on, -DDAOCTL_UNITY=OFF compiles every file on its own again (to
# find which file a warning belongs to, or to bisect).
#
# On by default (and in the presets, so a build folder configured before
# switches on its next configure). The sanitized tree builds with it too;
# the libFuzzer tree never uses it.
option(DAOCTL_UNITY "Compile the sources of a folder as one translation unit" ON)

function(daoctl_unity_by_folder target root)
  if(NOT DAOCTL_UNITY OR DAOCTL_FUZZ)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "BATCH" "SPLIT_BEFORE")
  set(splits "")
  foreach(s ${arg_SPLIT_BEFORE})
    list(APPEND splits ${PROJECT_SOURCE_DIR}/${s})
  endforeach()
  set(sources ${arg_UNPARSED_ARGUMENTS})
  list(SORT sources)
  # The group files are written here rather than by CMake's UNITY_BUILD,
  # whose files #include each source by its absolute path: that text is part
  # of what ccache hashes, so no other clone or worktree would hit. These
  # include "commands/backup/create.cpp" through the project's include
  # directory (daoctl_options), the same in every checkout.
  file(RELATIVE_PATH root_rel ${PROJECT_SOURCE_DIR} ${root})
  set(folders "")
  foreach(src ${sources})
    file(RELATIVE_PATH rel ${root} ${src})
    get_filename_component(dir ${rel} DIRECTORY)
    if(dir STREQUAL "")
      set(dir "top")
    endif()
    string(MAKE_C_IDENTIFIER "${dir}" folder)
    if(NOT folder IN_LIST folders)
      list(APPEND folders ${folder})
      set(dir_${folder} ${dir})
      set(files_${folder} "")
    endif()
    list(APPEND files_${folder} ${src})
  endforeach()
  set(unity_sources "")
  foreach(folder ${folders})
    # SPLIT_BEFORE file...: a new group of the folder starts at each of these
    # (project-relative paths). Otherwise BATCH n: a folder of more than n
    # files is split, in sorted order, into the fewest groups of at most n
    # files, of near-equal size (45 files with BATCH 8: 6 groups of 7-8).
    list(LENGTH files_${folder} count)
    set(ngroups 1)
    set(by_split OFF)
    list(GET files_${folder} 0 first)
    foreach(src ${files_${folder}})
      if(src IN_LIST splits AND NOT src STREQUAL first)
        math(EXPR ngroups "${ngroups} + 1")
        set(by_split ON)
      endif()
    endforeach()
    if(NOT by_split AND arg_BATCH AND count GREATER arg_BATCH)
      math(EXPR ngroups "(${count} + ${arg_BATCH} - 1) / ${arg_BATCH}")
    endif()
    set(index 0)
    set(g 0)
    foreach(src ${files_${folder}})
      if(by_split)
        if(src IN_LIST splits AND index GREATER 0)
          math(EXPR g "${g} + 1")
        endif()
      else()
        math(EXPR g "${index} * ${ngroups} / ${count}")
      endif()
      if(ngroups GREATER 1)
        math(EXPR g1 "${g} + 1")
        set(group ${folder}_${g1})
      else()
        set(group ${folder})
      endif()
      if(NOT DEFINED text_${group})
        list(APPEND groups_${folder} ${group})
        set(text_${group} "// Generated by cmake/Unity.cmake: the ${root_rel}/${dir_${folder}} sources of ${target} as one TU")
        if(ngroups GREATER 1)
          string(APPEND text_${group} " (part ${g1} of ${ngroups})")
        endif()
        string(APPEND text_${group} ".\n")
      endif()
      file(RELATIVE_PATH inc ${PROJECT_SOURCE_DIR} ${src})
      string(APPEND text_${group} "#include \"${inc}\"\n")
      math(EXPR index "${index} + 1")
    endforeach()
    foreach(group ${groups_${folder}})
      set(out ${CMAKE_CURRENT_BINARY_DIR}/unity/${target}_${group}.cpp)
      file(CONFIGURE OUTPUT ${out} CONTENT "${text_${group}}" @ONLY)
      list(APPEND unity_sources ${out})
    endforeach()
  endforeach()
  # Group files an earlier configure wrote and this one did not (a folder now
  # split, or gone) are removed: they would only confuse a reader of build/.
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/unity/${target}.groups)
  if(EXISTS ${list_file})
    file(STRINGS ${list_file} written)
    foreach(old ${written})
      if(NOT old IN_LIST unity_sources)
        file(REMOVE ${old})
      endif()
    endforeach()
  endif()
  list(JOIN unity_sources "\n" listed)
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${listed}\n" @ONLY)
  # The originals stay in the target (editors, `ninja -t targets`) but are
  # not compiled on their own.
  set_source_files_properties(${sources} PROPERTIES HEADER_FILE_ONLY ON)
  target_sources(${target} PRIVATE ${unity_sources})
endfunction()
