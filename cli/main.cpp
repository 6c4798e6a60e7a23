#include "cli/commands/commands.hpp"

int main(int argc, char** argv) {
  return stratus::run_cli(argc, argv);
}
