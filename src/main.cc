// roster: batch user access for order-management back offices. The binary only
// forwards to the library; see include/roster/cli.h.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "roster/cli.h"

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return roster::run_cli(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Reaching this is a bug: every library error is a Status by now.
    std::cerr << "roster: error: " << e.what() << "\n";
    return 5;
  }
}
