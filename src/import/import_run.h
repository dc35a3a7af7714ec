#pragma once

// One import run (run_import), shared by its two files: import_job.cc (actor,
// header, job, transaction, the streamed rows) and import_end.cc (after the
// last row: the duplicate check, the feed's missing users, the guard, the
// commit, the reports and the terminal).

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "roster/import_job.h"
#include "roster/text.h"

namespace roster {

// One import run: the state shared by its steps.
class ImportRun {
 public:
  ImportRun(Directory& dir, const ImportOptions& options, std::ostream& out)
      : dir_(dir),
        options_(options),
        out_(out),
        paths_(report_paths(options.file, options.report_dir)) {
    s_.kind = std::string(kind_name(options.kind));
    s_.file = options.file;
    s_.actor = options.actor;
    s_.mode = options.on_error == OnError::kAbort ? "abort" : "skip";
    s_.dry_run = options.dry_run;
    s_.upsert = options.upsert;
    s_.feed = options.feed;
    s_.sync = options.sync;
    s_.started_at = now_utc_iso8601();
    validate_.default_timezone = options.default_timezone;
    validate_.upsert = options.upsert;
    context_.now = s_.started_at;
    context_.upsert = options.upsert;
    context_.invite = !options.no_invite;
    context_.validate = validate_;
    context_.tracker = &tracker_;
    context_.feed = options.feed;
    context_.sync = options.sync;
  }

  ExitCode run();
  const Summary& summary() const { return s_; }

 private:
  ExitCode stream_rows(RowHandler& handler, CsvInput& input);
  Status record_row(const RawRow& raw, const RowIssues& issues, const RowOutcome& outcome);
  ExitCode decide(CsvInput& input);
  std::optional<ExitCode> sync_feed();
  std::optional<ExitCode> end_if_duplicate();
  ExitCode finish(ExitCode code, const std::string& outcome, std::string message);
  bool final_paths(ExitCode code, ReportPaths& shown);
  void tell(ExitCode code, const ReportPaths& shown, bool reports_kept, bool rejected_published);
  ExitCode fail(const Status& status);
  Job job_record(ExitCode code, const std::string& outcome) const;
  std::ostream& errors() { return options_.errors ? *options_.errors : out_; }
  void say(const std::string& line) {
    if (!options_.quiet) out_ << line << '\n';
  }

  Directory& dir_;
  const ImportOptions& options_;
  std::ostream& out_;
  ReportPaths paths_;
  Summary s_;
  std::unique_ptr<RejectedReport> rejected_;
  std::unique_ptr<ChangesReport> changes_;
  RunTracker tracker_{dir_};
  ValidateOptions validate_;  // the pure checks' options (--default-timezone, --upsert)
  int64_t enabled_before_ = 0;
  bool stopped_early_ = false;
  std::optional<Actor> actor_;
  JobContext context_;
  // The first row whose username cannot be trusted (ROW_MALFORMED, or a
  // Username cell that is blank, invalid or not text), as "line N could not
  // be ...": a --sync run then disables nobody. Empty: none.
  std::string untrusted_row_;
  std::string sync_note_;               // why the missing-user step was skipped
  std::vector<std::string> row_lines_;  // the first rejected rows' lines, for the terminal
};

}  // namespace roster
