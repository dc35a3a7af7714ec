// roster: batch user access for order-management back offices. The binary only
// forwards to the library; see include/roster/cli.h.

#include <sys/stat.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "roster/cli.h"

int main(int argc, char** argv) {
  // Nothing roster creates is for the world to read: the directory holds
  // personal data, and so do reports, exports and invitation files (SPEC §14).
  // A group directory (init --group) widens its files' group bits itself.
  ::umask(::umask(0) | 077);
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return roster::run_cli(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Reaching this is a bug: every library error is a Status by now.
    std::cerr << "roster: error: " << e.what() << "\n";
    return 5;
  }
}
