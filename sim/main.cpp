#include "sim/sim.hpp"

int main(int argc, char** argv) { return daoctl::sim::main(argc, argv); }
