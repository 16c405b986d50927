#include "cli/app.hpp"

int main(int argc, char** argv) { return daoctl::cli::main(argc, argv); }
