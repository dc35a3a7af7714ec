#pragma once

// What the command table's files share: reading parsed options, and the
// options several commands take.

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_table.h"

namespace roster::cli_options {

namespace po = boost::program_options;

// Option values, for filling the commands' structs.
inline std::string text(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}
inline std::optional<std::string> maybe_text(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) return std::nullopt;
  return vm[name].as<std::string>();
}
inline bool flag(const po::variables_map& vm, const char* name) {
  return vm.count(name) > 0 && vm[name].as<bool>();
}
inline std::vector<std::string> list(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::vector<std::string>>() : std::vector<std::string>{};
}
template <class T>
std::optional<T> maybe(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) return std::nullopt;
  return vm[name].as<T>();
}

// --as on every command that acts (SPEC §14).
inline constexpr const char* kAsHelp =
    "the user running the command; required until a login is bound, then the user bound "
    "to yours (roster logins list)";

inline void lock_timeout_option(po::options_description& d, const char* help) {
  d.add_options()("lock-timeout", po::value<int>()->default_value(30), help);
}

}  // namespace roster::cli_options

namespace roster {
// The commands that are neither imports nor exports: invitations, feeds,
// lifecycle and logins (command_table_admin.cc).
void add_admin_commands(std::vector<CommandSpec>& t);
}  // namespace roster
