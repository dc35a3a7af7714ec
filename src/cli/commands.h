#pragma once

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/error_code.h"
#include "roster/import_job.h"

namespace roster {

// The bodies of the commands, called by cli.cc once the options are parsed.
// Each returns the exit code; none throws.

// The permission catalog shipped in templates/permissions.csv, sorted by key.
std::vector<Permission> permission_catalog();

struct CommandContext {
  const boost::program_options::variables_map& vm;
  std::ostream& out;
  std::ostream& err;
  std::string db;  // resolved --db
  bool quiet = false;
};

// Shared by the command bodies.
// The value of a string option, or "" when it was not given.
std::string option_text(const boost::program_options::variables_map& vm, const char* name);
// Prints "roster: error: ..." and returns the status's exit code.
ExitCode report_failure(const CommandContext& ctx, const Status& st);
// Opens ctx.db, upgrading it, with the permission catalog.
Result<std::unique_ptr<Directory>> open_directory(const CommandContext& ctx, bool create,
                                                  int lock_timeout_s);
// Writes `data` to `path` atomically ("" or "-": standard output).
ExitCode write_output(const CommandContext& ctx, const std::string& path, const std::string& data);

ExitCode cmd_init(const CommandContext& ctx);
ExitCode cmd_template(const CommandContext& ctx, const std::string& which);
// `validate` forces a dry run.
ExitCode cmd_import(const CommandContext& ctx, ImportKind kind, bool validate);
ExitCode cmd_export_users(const CommandContext& ctx);
ExitCode cmd_export_reference(const CommandContext& ctx, ImportKind kind);
ExitCode cmd_jobs(const CommandContext& ctx, const std::vector<std::string>& args);
ExitCode cmd_audit(const CommandContext& ctx);
// `action` is list, export or mark-sent.
ExitCode cmd_invitations(const CommandContext& ctx, const std::string& action);
// Copies a whole directory into an empty one, from any store to any other.
ExitCode cmd_migrate(const CommandContext& ctx);

}  // namespace roster
