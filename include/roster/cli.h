#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "roster/model.h"

namespace roster {

// The permission catalog shipped in templates/permissions.csv (built into the
// binary), sorted by key.
std::vector<Permission> permission_catalog();

// Runs roster with `args` (argv without the program name): parses the global
// options and the command's own (command line, then ROSTER_DB, then the
// --config file, then defaults), sets up logging and runs the command. Product
// output (exports to "-", summaries) goes to `out`, diagnostics to `err`.
// Returns the process exit code of SPEC §7. A usage error returns 2.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace roster
