# daoctl_embed(TARGET NAME FILE) — generates a .cpp defining
#   extern const std::string_view NAME;   (in namespace daoctl::embedded)
# with FILE's bytes, and adds it to TARGET. Regenerated when FILE changes.
function(daoctl_embed target name file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${name}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNAME=${name}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    DEPENDS "${file}" ${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out}")
endfunction()
