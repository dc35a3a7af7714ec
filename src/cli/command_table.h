#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace roster {

// Every command roster has: its name, synopsis and example for help, its own
// options, and how it turns them into its typed struct and runs.
struct CommandSpec {
  std::string name;  // "import", "sources import", ...
  std::string synopsis;
  std::string example;
  std::function<void(boost::program_options::options_description&,
                     boost::program_options::positional_options_description&)>
      options;
  // Turns the parsed options into the command's typed struct and runs it.
  std::function<ExitCode(const boost::program_options::variables_map&, const CommandContext&)> run;
};

// The commands, in the order help lists them.
std::vector<CommandSpec> command_table();

}  // namespace roster
