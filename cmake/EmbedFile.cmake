# Script mode: IN, OUT, NAME. Writes a raw-string-free hex array so any byte is safe.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR n "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}" "#include <string_view>\nnamespace daoctl::embedded {\nstatic const char ${NAME}_data[] = {${body} 0};\nextern const std::string_view ${NAME}(${NAME}_data, ${n});\n}\n")
