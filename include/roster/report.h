#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/result.h"
#include "roster/row.h"

namespace roster {

class AtomicFile;

// Where the reports of an import of `input` go: <stem>.rejected.csv,
// <stem>.changes.csv and <stem>.summary.json in `report_dir`, or beside the
// input when it is empty (the current folder for standard input, stem "stdin").
struct ReportPaths {
  std::string rejected;
  std::string changes;
  std::string summary;
};
ReportPaths report_paths(const std::string& input, const std::string& report_dir);
// Whether the reports' folder exists and may be written: a usage Status (exit
// 2) naming the folder when not, so that a run refuses before it records a
// job or applies anything.
Status check_report_folder(const ReportPaths& paths);

// <stem>.rejected.csv: the input's header as written (CsvInput::verbatim_header)
// and the rejected rows' cells, then "Line" and "Errors", so that fixing the
// cells and importing the file again works (Line and Errors are then ignored
// as unknown columns; an input that is itself a rejected report has its old
// ones replaced). Rows are streamed to a temporary file; finish() publishes it
// only when a row was rejected, and otherwise removes a stale report of an
// earlier run.
class RejectedReport {
 public:
  RejectedReport(std::string path, std::vector<std::string> input_header);
  ~RejectedReport();
  Status add(const RawRow& row, const std::vector<RowError>& errors);
  // Puts what was added on disk (AtomicFile::sync), unpublished.
  Status sync();
  Status finish();
  uint64_t count() const { return count_; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::vector<bool> keep_;  // input columns copied (not an old Line / Errors)
  size_t width_ = 0;        // how many of them
  std::unique_ptr<AtomicFile> file_;
  uint64_t count_ = 0;
};

// <stem>.changes.csv, the plan: Line, <identity column>, Outcome, Field,
// Before, After; one line per changed field of created and updated rows, one
// line for each unchanged or rejected row, and one for each user a --sync run
// disabled (line 0, written empty: no row of the file asked for it).
class ChangesReport {
 public:
  ChangesReport(std::string path, std::string identity_column);
  ~ChangesReport();
  Status open();
  void add(uint64_t line, const std::string& identity, const std::string& outcome,
           const std::vector<FieldChange>& changes);
  // Puts what was added on disk (AtomicFile::sync), unpublished.
  Status sync();
  Status finish();

 private:
  std::string path_;
  std::string identity_column_;
  std::unique_ptr<AtomicFile> file_;
  std::string buffer_;  // lines not yet handed to file_
  std::string prefix_;  // the current row's first cells, reused
};

// Everything <stem>.summary.json says about one run.
struct Summary {
  int64_t job_id = 0;
  std::string kind;
  std::string file;
  std::string sha256;
  std::string actor;
  std::string login;           // who ran it, as the system authenticated it (SPEC §14)
  bool authenticated = false;  // a bound login vouched for the actor
  std::string mode;
  bool dry_run = false;
  bool upsert = false;
  std::string started_at, finished_at;
  int64_t rows_read = 0, created = 0, updated = 0, unchanged = 0, rejected = 0;
  int64_t disabled = 0;   // by rows
  int64_t enabled = 0;    // re-enabled by rows
  int64_t expired = 0;    // enabled users who lost access by an End date (SPEC §12)
  int64_t activated = 0;  // users whose Start date came (roster lifecycle run)
  // --feed and --sync, and the users the sync disabled because the snapshot
  // lacked them (or, in a dry run or a refused run, would have).
  std::string feed;
  bool sync = false;
  int64_t disabled_missing = 0;
  std::map<std::string, int64_t> errors_by_code;
  std::map<std::string, int64_t> warnings_by_code;
  int64_t warnings = 0;
  bool committed = false;
  std::string outcome;
  std::string message;  // why the run ended as it did, when not plainly
  std::optional<int64_t> duplicate_of_job;
  std::optional<std::string> file_error;  // the file-level code when refused
  int exit_code = 0;
};

std::string summary_json(const Summary& summary);

// The one line that says why a run exits with `code` (nothing for 0), for
// standard error, so that cron's mail is never empty (SPEC §15): the rejected
// rows (with `rejected_path` when the report was written), the refused file's
// code, the database, the actor or the guard.
void print_exit_reason(std::ostream& err, ExitCode code, const Summary& s,
                       const std::string& rejected_path);

// The run's one log line, its figures as fields (docs/operations.md §4).
void log_job(const Summary& s);

}  // namespace roster
