# The libFuzzer build (DAOCTL_FUZZ=ON), included by the top CMakeLists.txt in
# place of the normal tree: only schemas/, core/, connectors/ and the fuzz
# targets are built, every object with clang's coverage instrumentation plus
# AddressSanitizer and UndefinedBehaviorSanitizer. tests/fuzz/run.sh
# configures it; see tests/fuzz/README.md.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR "DAOCTL_FUZZ needs clang >= 16 (Debian: clang-16 libclang-rt-16-dev), "
                      "got ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}: "
                      "configure with -DCMAKE_CXX_COMPILER=clang++-16")
endif()
# libstdc++ 12 guards <expected> with __cpp_concepts >= 202002L; clang 16
# implements what it needs (P0848, conditionally trivial special members) but
# still reports 201907L.
add_compile_options(-Wno-macro-redefined -Wno-unknown-warning-option -D__cpp_concepts=202002L)
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -O1 -gline-tables-only)
add_link_options(-fsanitize=address,undefined)

add_subdirectory(schemas)
add_subdirectory(core)
add_subdirectory(connectors)
add_subdirectory(tests/fuzz)
