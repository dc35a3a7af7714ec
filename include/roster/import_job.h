#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "roster/access.h"
#include "roster/csv_input.h"
#include "roster/directory.h"
#include "roster/report.h"
#include "roster/result.h"
#include "roster/run_tracker.h"
#include "roster/validate.h"

namespace roster {

// The four templates share the reader, the job, the transaction and the
// reports; each brings only a RowHandler: its columns, its checks against the
// directory and its apply step.

enum class ImportKind { kUsers, kRoles, kSources, kSalesChannels, kApplications };
std::string_view kind_name(ImportKind kind);  // users, roles, sources, sales-channels

// The templates roster knows, in the order help and messages list them: each
// one's name (`roster template NAME`, `roster NAME import|export`) and, when
// files of it can be imported, its kind. The one list of template kinds.
struct TemplateKind {
  std::string_view name;
  std::optional<ImportKind> import;  // none for the permission catalog
};
const std::vector<TemplateKind>& template_kinds();
// The kind whose template is named `name`, if any.
std::optional<ImportKind> import_kind(std::string_view name);

// What a handler knows of the run it is part of.
struct JobContext {
  int64_t job_id = 0;
  std::string now;  // the time stamped on every change of the run
  bool upsert = false;
  bool invite = true;  // record invitations for users created or re-enabled
  ValidateOptions validate;
  RunTracker* tracker = nullptr;  // the usernames met so far in the file
  std::string feed;               // --feed: the feed the file comes from; empty for none
  bool sync = false;              // --sync: the file is the feed's whole snapshot
};

// What one row did.
struct RowOutcome {
  enum class Kind { kCreated, kUpdated, kUnchanged, kRejected };
  Kind kind = Kind::kRejected;
  std::string identity;  // username, role name or external ID, as far as known
  std::vector<FieldChange> changes;
  bool disabled_user = false;  // an enabled user was disabled
  bool enabled_user = false;   // a disabled user was enabled
  bool expired_user = false;   // an enabled user lost access by its End date (SPEC §12)
};

// What a handler's checks that need no directory made of one row; each handler
// that has such checks defines its own.
struct ParsedRow {
  virtual ~ParsedRow() = default;
};

class RowHandler {
 public:
  virtual ~RowHandler() = default;
  virtual const TemplateColumns& columns() const = 0;
  // The column that names a row's target, for the changes report.
  virtual std::string identity_column() const = 0;
  // A handler whose rows have checks that need no directory returns scratch for
  // them here. The run then calls parse() for each well-formed row on its
  // reading thread, ahead of handle(), into one scratch per row slot, reused.
  // parse() may read only its arguments and what stays constant during the run.
  virtual std::unique_ptr<ParsedRow> make_parsed() const { return nullptr; }
  virtual void parse(const RowView& /*row*/, ParsedRow& /*out*/, RowIssues& /*issues*/) const {}
  // Called before the rows of each batch are handled, with what parse() made of
  // the batch's well-formed rows, in file order: a hint, so that the handler
  // may fetch in one go what those rows will look up. What handle() then sees
  // must be exactly what it would have seen without the hint.
  virtual Status look_ahead(const std::vector<const ParsedRow*>& /*rows*/) { return Status::ok(); }
  // Whether prefetch() does anything: only then does the run open a snapshot.
  virtual bool prefetches() const { return false; }
  // On the reading thread, for some of the rows that parse() made: looks up in
  // `snapshot` (the directory before the run) what handle() will read for the
  // row, into `out`. True when what it found spares handle() work (a stored
  // user, or for a row that creates one, that nobody had the name); false when
  // not, or on an error (handle() then looks up for itself). What handle()
  // then does must be exactly what it would have done without it.
  virtual bool prefetch(UserSnapshot& /*snapshot*/, ParsedRow& /*out*/) const { return false; }
  // After the last row: logs, at debug level, what the handler's shortcuts did.
  virtual void log_stats() const {}
  // Validates `row` against the directory as already changed by the earlier rows
  // and, when it is valid, applies it and writes its audit entries. `parsed` is
  // what parse() made of the row (null when make_parsed() gives none); `issues`
  // already holds parse()'s. Row problems go to `issues`; a non-ok Status (the
  // database failed) stops the run.
  virtual Status handle(const RowView& row, const ParsedRow* parsed, RowIssues& issues,
                        RowOutcome& outcome) = 0;
};

std::unique_ptr<RowHandler> make_user_handler(Directory& dir, const Actor& actor,
                                              const JobContext& context);
std::unique_ptr<RowHandler> make_role_handler(Directory& dir, const Actor& actor,
                                              const JobContext& context);
std::unique_ptr<RowHandler> make_source_handler(Directory& dir, const Actor& actor,
                                                const JobContext& context);
std::unique_ptr<RowHandler> make_application_handler(Directory& dir, const Actor& actor,
                                                     const JobContext& context);
std::unique_ptr<RowHandler> make_channel_handler(Directory& dir, const Actor& actor,
                                                 const JobContext& context);

// The permission each command needs (SPEC §1).
std::string_view required_permission(ImportKind kind);
inline constexpr std::string_view kUsersPermission = "configuration.users";

// Loads the actor: the user --as names (`as`), or the one bound to the login
// running roster, as access.h's who_acts decides (SPEC §14); checks that it
// is enabled and holds `permission`. Fails with an actor Status (exit 4)
// otherwise (ACTOR_NOT_BOUND when the login may not act as it).
Result<Actor> load_actor(Directory& dir, std::string_view as, std::string_view permission);

enum class OnError { kSkip, kAbort };

struct ImportOptions {
  ImportKind kind = ImportKind::kUsers;
  std::string file;  // "-" for standard input
  std::string actor;
  bool dry_run = false;
  OnError on_error = OnError::kSkip;
  std::optional<int64_t> max_errors;
  bool upsert = false;
  bool no_invite = false;
  bool force = false;
  // --feed NAME and --sync (SPEC §11); sync only with a feed.
  std::string feed;
  bool sync = false;
  double max_disable_percent = 10;
  std::string report_dir;
  std::string default_timezone;
  ReadOptions read;  // --delimiter, --encoding
  bool quiet = false;
  size_t terminal_limit = 20;  // rejected rows printed on the terminal
  // Where the reason for a non-zero exit goes (standard error), whatever
  // `quiet` says; null: with the rest, to the run's output.
  std::ostream* errors = nullptr;
  // Inbox mode: the folder that the file and its reports end up in, given the
  // run's exit code (the archive, or the folder of refused files), or nullopt
  // when the file goes back into the inbox as `inbox_file` and its reports
  // away. The run then records and prints those final paths, not where it
  // reads and writes (SPEC §15). Unset: the paths are where they are.
  std::function<std::optional<std::string>(ExitCode)> final_folder;
  std::string inbox_file;
  // Where to draw the live progress line (a terminal), or null for none. It is
  // drawn only for files of more than kProgressMinBytes.
  std::ostream* progress = nullptr;
};
inline constexpr uint64_t kProgressMinBytes = 1 << 20;

// Runs one import from start to finish: actor check, header, one transaction
// over the streamed rows, reports, job record. Prints the rejected rows (up to
// the limit) and a summary to `out`. Returns the process exit code; `summary`,
// when given, receives what the summary file says.
ExitCode run_import(Directory& dir, const ImportOptions& options, std::ostream& out,
                    Summary* summary = nullptr);

// Shared by the handlers: the cell (column, value) a refused grant is reported
// at; for a role, the Role column and the role's name.
std::pair<std::string_view, std::string> grant_cell(const GrantDenial& grant, const Directory& dir);

// Shared by the handlers: "did you mean" text for an unknown value.
std::string hint_for(std::string_view value, const std::vector<std::string>& candidates,
                     std::string_view fallback);

}  // namespace roster
