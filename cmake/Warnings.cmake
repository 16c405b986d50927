# Warnings and sanitizers as INTERFACE targets that every project target links.
add_library(daoctl_warnings INTERFACE)
target_compile_options(daoctl_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${DAOCTL_WERROR}>:-Werror>)

add_library(daoctl_sanitizers INTERFACE)
if(DAOCTL_SANITIZE)
  target_compile_options(daoctl_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(daoctl_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(daoctl_options INTERFACE)
target_link_libraries(daoctl_options INTERFACE daoctl_warnings daoctl_sanitizers)
target_include_directories(daoctl_options INTERFACE ${PROJECT_SOURCE_DIR})
