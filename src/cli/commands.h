#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "roster/cli.h"
#include "roster/directory.h"
#include "roster/error_code.h"
#include "roster/export.h"
#include "roster/import_job.h"

namespace roster {

// The bodies of the commands, called by cli.cc once it has parsed the options
// into the command's typed struct below. Each returns the exit code; none
// throws. Option values arrive as given; each body checks what it needs.

struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  std::string db;  // resolved --db
  bool quiet = false;
};

// Shared by the command bodies.
// Prints "roster: error: ..." and returns the status's exit code.
ExitCode report_failure(const CommandContext& ctx, const Status& st);
// Opens ctx.db, upgrading it, with the permission catalog.
Result<std::unique_ptr<Directory>> open_directory(const CommandContext& ctx, bool create,
                                                  int lock_timeout_s);
// Writes `data` to `path` atomically ("" or "-": standard output).
ExitCode write_output(const CommandContext& ctx, const std::string& path, const std::string& data);

struct InitCommand {
  std::string admin, email;
  bool bind = false;  // bind the login running init to the new administrator
  std::string group;  // a SQLite directory shared with this group (0660)
};
ExitCode cmd_init(const CommandContext& ctx, const InitCommand& c);

struct TemplateCommand {
  std::string which, out;
  bool example = false;  // every column, optional ones too, and two example rows
};
ExitCode cmd_template(const CommandContext& ctx, const TemplateCommand& c);

// `roster explain [CODE]`: what a code means and what to do; without CODE,
// every code with its meaning.
ExitCode cmd_explain(const CommandContext& ctx, const std::string& code);

struct ImportCommand {
  ImportKind kind = ImportKind::kUsers;
  bool validate = false;  // roster validate: a dry run whatever else is given
  std::optional<std::string> file, inbox;
  std::string actor;
  bool dry_run = false, upsert = false, no_invite = false, force = false, no_progress = false;
  std::string on_error = "skip";
  std::optional<int64_t> max_errors;
  double max_disable = 10;
  std::string report_dir, default_timezone;
  std::string delimiter = ",", encoding = "utf-8";
  std::string archive, failed;  // with --inbox
  std::string feed;             // --feed, with --sync
  bool sync = false;
  int min_age = 60;
  int lock_timeout = 30;
};
ExitCode cmd_import(const CommandContext& ctx, const ImportCommand& c);

struct UserExportCommand {
  UserExportOptions options;
  std::optional<std::string> enabled;  // "0" or "1" as given
  std::optional<std::string> active;   // likewise
};
ExitCode cmd_export_users(const CommandContext& ctx, const UserExportCommand& c);

struct ReferenceExportCommand {
  ImportKind kind = ImportKind::kSources;
  std::string out;
};
ExitCode cmd_export_reference(const CommandContext& ctx, const ReferenceExportCommand& c);

struct JobsCommand {
  int64_t limit = 20;
  std::vector<std::string> args;  // empty, or "show" ID
};
ExitCode cmd_jobs(const CommandContext& ctx, const JobsCommand& c);
// The jobs as `roster jobs` lists them, with a header line.
void print_jobs(std::ostream& out, const std::vector<Job>& jobs);

struct FeedsCommand {
  std::vector<std::string> args;  // empty, "list", or "show" NAME
};
ExitCode cmd_feeds(const CommandContext& ctx, const FeedsCommand& c);

struct FeedReleaseCommand {
  std::string feed, actor;
  std::vector<std::string> users;
  int lock_timeout = 30;
};
ExitCode cmd_feeds_release(const CommandContext& ctx, const FeedReleaseCommand& c);

// roster lifecycle run (SPEC §12).
struct LifecycleCommand {
  std::string actor, report_dir;
  bool dry_run = false, no_invite = false;
  double max_disable = 10;
  int lock_timeout = 30;
};
ExitCode cmd_lifecycle(const CommandContext& ctx, const LifecycleCommand& c);

// roster logins list|bind|unbind (SPEC §14).
struct LoginsCommand {
  std::string action;  // list, bind or unbind
  std::string username, login, actor;
  int lock_timeout = 30;
};
ExitCode cmd_logins(const CommandContext& ctx, const LoginsCommand& c);

struct AuditCommand {
  std::optional<int64_t> job;
  std::string user;
  std::optional<std::string> since;
  std::string out;
  bool reverse = false;  // with job and actor: a users file that undoes the job
  std::string actor;
};
ExitCode cmd_audit(const CommandContext& ctx, const AuditCommand& c);

struct InvitationsCommand {
  std::string action;  // list, export or mark-sent
  bool pending = false, all = false;
  std::string out;
  std::optional<int64_t> job;
  std::optional<std::string> file;
  int lock_timeout = 30;
};
ExitCode cmd_invitations(const CommandContext& ctx, const InvitationsCommand& c);

// Copies a whole directory into an empty one, from any store to any other.
struct MigrateCommand {
  std::string from, to;
  int lock_timeout = 30;
};
ExitCode cmd_migrate(const CommandContext& ctx, const MigrateCommand& c);

}  // namespace roster
