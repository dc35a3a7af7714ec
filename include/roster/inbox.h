#pragma once

#include <iosfwd>
#include <string>

#include "roster/directory.h"
#include "roster/import_job.h"

namespace roster {

// Inbox mode for schedulers: every *.csv in a folder, in name order, each as
// its own import job with its own reports.
struct InboxOptions {
  std::string inbox;
  std::string archive;  // default: <inbox>/archive
  std::string failed;   // default: <inbox>/failed
  int min_age_seconds = 60;
  int lock_timeout_seconds = 30;
  ImportOptions import;  // file and report_dir are set per file
};

// Processes the inbox. Every *.csv (any case) is a users file unless its
// header names another template (a sources file, say): it is then imported as
// that, in the same name order. A file is claimed by renaming it into
// <inbox>/.processing (atomic, so two runs never take the same file), imported,
// then moved with its reports to the archive, or to `failed` when the file was
// refused (exit 3 or 6); the job and the terminal give those final paths. When
// the actor is refused or the database fails, the
// file goes back to the inbox and the run stops. Files ending in .part, hidden
// files and files modified less than min_age_seconds ago are left alone, each
// named with why (on the terminal, and in the log at info). Only
// one run works on an inbox at a time (an flock on <inbox>/.roster-inbox.lock,
// waited for up to lock_timeout_seconds, then exit 5). Returns the highest exit
// code of the files (0 when there was nothing to do).
ExitCode run_inbox(Directory& dir, const InboxOptions& options, std::ostream& out);

}  // namespace roster
