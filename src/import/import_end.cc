// After the last row of an import: whether and how the run ends, its
// reports, its job record and what the terminal says.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "import/feed_sync.h"
#include "import/import_run.h"
#include "roster/text.h"
#include "util/atomic_file.h"

namespace roster {
ExitCode ImportRun::fail(const Status& status) {
  if (dir_.in_transaction()) dir_.rollback();
  // A refused or failed run publishes no row reports: they would describe a part
  // of a file that was not applied.
  rejected_.reset();
  changes_.reset();
  if (status.code()) s_.file_error = std::string(code_name(*status.code()));
  return finish(status.exit_code(),
                status.exit_code() == ExitCode::kFileRefused ? "refused" : "failed",
                status.message());
}

// After the last row: decides whether the transaction commits.
// A file that an earlier job committed is not applied again (unless --force):
// the run ends as a duplicate. nullopt when the run goes on.
// A --sync snapshot is never a duplicate: applying it again only says again
// who is there (docs/decisions.md).
std::optional<ExitCode> ImportRun::end_if_duplicate() {
  if (options_.dry_run || options_.force || options_.sync) return std::nullopt;
  auto earlier = dir_.committed_job_with_sha(s_.kind, s_.sha256);
  if (!earlier.is_ok()) return fail(earlier.status());
  if (!earlier->has_value()) return std::nullopt;
  dir_.rollback();
  rejected_.reset();
  changes_.reset();
  s_.duplicate_of_job = (*earlier)->id;
  s_.created = s_.updated = s_.unchanged = s_.rejected = s_.disabled = 0;
  s_.errors_by_code.clear();
  return finish(ExitCode::kOk, "duplicate",
                fmt::format("this file was already imported by job {} on {}; nothing "
                            "was applied (use --force to apply it again)",
                            (*earlier)->id, (*earlier)->started_at));
}

ExitCode ImportRun::decide(CsvInput& input) {
  s_.sha256 = input.sha256_hex();
  if (std::optional<ExitCode> duplicate = end_if_duplicate()) return *duplicate;
  if (std::optional<ExitCode> refused = sync_feed()) return *refused;
  double limit = options_.max_disable_percent;
  int64_t disabling = s_.disabled + s_.disabled_missing + s_.expired;
  if (limit < 100 && disabling > 10 &&
      static_cast<double>(disabling) > static_cast<double>(enabled_before_) * limit / 100.0) {
    dir_.rollback();
    return finish(
        ExitCode::kGuard, "refused",
        fmt::format("the file would disable {} of the {} enabled users{}, more than "
                    "--max-disable {}%; nothing was applied (check the feed, or "
                    "run with --max-disable 100 if this is intended)",
                    disabling, enabled_before_,
                    s_.disabled_missing
                        ? fmt::format(" ({} missing from feed {})", s_.disabled_missing, s_.feed)
                    : s_.expired ? fmt::format(" ({} by an End date already past)", s_.expired)
                                 : "",
                    limit));
  }
  ExitCode code = s_.rejected > 0 ? ExitCode::kRowsRejected : ExitCode::kOk;
  if (stopped_early_) {
    dir_.rollback();
    return finish(code, "rolled-back",
                  fmt::format("stopped after {} rejected rows (--max-errors {}); nothing was "
                              "applied",
                              s_.rejected, *options_.max_errors));
  }
  if (options_.dry_run) {
    dir_.rollback();
    return finish(code, "dry-run", "dry run: nothing was applied");
  }
  if (options_.on_error == OnError::kAbort && s_.rejected > 0) {
    dir_.rollback();
    return finish(code, "rolled-back",
                  "--on-error abort: a row was rejected, so nothing "
                  "was applied");
  }
  // The reports go to disk first: a directory changed by a file whose
  // rejected rows or plan could not be kept would lose them.
  Status st = rejected_->sync();
  if (st.is_ok()) st = changes_->sync();
  if (!st.is_ok()) return fail(st);
  // The job's outcome is written inside the transaction, so that it commits
  // with the rows: a run killed right after COMMIT still shows as committed.
  s_.committed = true;
  st = dir_.finish_job(job_record(code, "committed"));
  if (st.is_ok()) st = dir_.commit();
  if (!st.is_ok()) {
    s_.committed = false;
    return fail(st);
  }
  return finish(code, "committed", "");
}

// The missing-user step of a --sync run, after the rows: nullopt when the run
// goes on (the users disabled, or the step skipped with SYNC_SKIPPED).
std::optional<ExitCode> ImportRun::sync_feed() {
  if (!options_.sync) return std::nullopt;
  if (s_.rows_read == 0) {
    return fail(Status::file(Code::kFeedEmpty,
                             fmt::format("{}: the snapshot of feed {} has a header and no rows; "
                                         "nobody was disabled (an empty HR export is refused "
                                         "whole)",
                                         s_.file, s_.feed)));
  }
  if (stopped_early_ || !untrusted_row_.empty()) {
    ++s_.warnings;
    ++s_.warnings_by_code[std::string(code_name(Code::kSyncSkipped))];
    sync_note_ =
        fmt::format("SYNC_SKIPPED: {}; nobody missing from feed {} was disabled",
                    stopped_early_ ? "the run stopped on --max-errors" : untrusted_row_, s_.feed);
    return std::nullopt;
  }
  SyncCounts counts;
  Status st = disable_missing(dir_, *actor_, context_, tracker_, *changes_, counts);
  if (!st.is_ok()) return fail(st);
  s_.disabled_missing = counts.disabled;
  if (counts.not_allowed > 0) {
    s_.warnings += counts.not_allowed;
    s_.warnings_by_code[std::string(code_name(Code::kSyncNotAllowed))] += counts.not_allowed;
  }
  return std::nullopt;
}

Job ImportRun::job_record(ExitCode code, const std::string& outcome) const {
  Job job;
  job.id = s_.job_id;
  job.file = s_.file;
  job.sha256 = s_.sha256;
  job.finished_at = s_.finished_at.empty() ? now_utc_iso8601() : s_.finished_at;
  job.rows_read = s_.rows_read;
  job.created = s_.created;
  job.updated = s_.updated;
  job.unchanged = s_.unchanged;
  job.rejected = s_.rejected;
  job.enabled = s_.enabled;
  job.disabled = s_.disabled;
  job.disabled_missing = s_.disabled_missing;
  job.outcome = outcome;
  job.exit_code = static_cast<int>(code);
  return job;
}

ExitCode ImportRun::finish(ExitCode code, const std::string& outcome, std::string message) {
  s_.finished_at = now_utc_iso8601();
  s_.outcome = outcome;
  s_.message = std::move(message);

  std::vector<std::string> report_errors;
  auto keep = [&](const Status& st) {
    if (!st.is_ok()) report_errors.push_back(st.message());
  };
  if (rejected_) keep(rejected_->finish());
  bool rejected_published = rejected_ && report_errors.empty();
  if (changes_) keep(changes_->finish());
  // A row report that did not appear makes the run fail, even a dry run's or
  // one committed just before (its reports were already synced, so only the
  // rename can have failed): cron must not read success.
  if (!report_errors.empty() && (code == ExitCode::kOk || code == ExitCode::kRowsRejected)) {
    code = ExitCode::kDatabase;
  }
  s_.exit_code = static_cast<int>(code);
  ReportPaths shown = paths_;
  bool reports_kept = final_paths(code, shown);

  if (s_.job_id != 0) keep(dir_.finish_job(job_record(code, outcome)));
  // A file already imported writes no report: its reports, beside the file,
  // are the earlier job's, and stay so (`roster jobs` records this run).
  if (!s_.duplicate_of_job) keep(write_file_atomically(paths_.summary, summary_json(s_)));

  tell(code, shown, reports_kept, rejected_published);
  // The reasons reach standard error whatever -q says (SPEC §15).
  for (const std::string& e : report_errors) errors() << "roster: error: " << e << '\n';
  print_exit_reason(errors(), code, s_, rejected_published && reports_kept ? shown.rejected : "");
  if (!sync_note_.empty()) errors() << "roster: " << sync_note_ << '\n';
  log_job(s_);
  return code;
}

// Inbox mode: the paths where the file and its reports end up, into `shown`
// and the job's file. False when the file goes back into the inbox and its
// reports away.
bool ImportRun::final_paths(ExitCode code, ReportPaths& shown) {
  if (!options_.final_folder) return true;
  std::optional<std::string> folder = options_.final_folder(code);
  if (!folder) {
    s_.file = options_.inbox_file;
    return false;
  }
  auto in_folder = [&](const std::string& path) {
    return (std::filesystem::path(*folder) / std::filesystem::path(path).filename()).string();
  };
  s_.file = in_folder(options_.file);
  shown = {in_folder(paths_.rejected), in_folder(paths_.changes), in_folder(paths_.summary)};
  // A refusal's message names the file where it was read.
  for (size_t at = s_.message.find(options_.file); at != std::string::npos;
       at = s_.message.find(options_.file, at + s_.file.size())) {
    s_.message.replace(at, options_.file.size(), s_.file);
  }
  return true;
}

// The run's lines on the terminal (standard output; nothing with -q).
void ImportRun::tell(ExitCode code, const ReportPaths& shown, bool reports_kept,
                     bool rejected_published) {
  const bool duplicate = s_.duplicate_of_job.has_value();
  if (!duplicate) {
    for (const std::string& line : row_lines_) say(line);
  }
  if (static_cast<size_t>(s_.rejected) > options_.terminal_limit) {
    say(fmt::format("... and {} more rejected rows",
                    static_cast<size_t>(s_.rejected) - options_.terminal_limit));
  }
  // Access granted back or taken away shows on its own (SPEC §15).
  std::string access = s_.enabled + s_.disabled > 0
                           ? fmt::format("{} enabled, {} disabled; ", s_.enabled, s_.disabled)
                           : "";
  say(fmt::format(
      "{} import of {}: {} rows read, {} created, {} updated, {} unchanged, {} "
      "rejected; {}{}{}",
      s_.kind, s_.file == "-" ? "standard input" : s_.file, s_.rows_read, s_.created, s_.updated,
      s_.unchanged, s_.rejected, access, s_.committed ? "committed" : "nothing committed",
      s_.job_id ? fmt::format(" (job {})", s_.job_id) : ""));
  bool failed = code == ExitCode::kFileRefused || code == ExitCode::kDatabase;
  if (s_.sync && sync_note_.empty() && !failed) {
    auto left = s_.warnings_by_code.find(std::string(code_name(Code::kSyncNotAllowed)));
    say(fmt::format("{} user{} missing from feed {} {}{}", s_.disabled_missing,
                    s_.disabled_missing == 1 ? "" : "s", s_.feed,
                    s_.committed ? "disabled" : "would be disabled (nothing committed)",
                    left == s_.warnings_by_code.end()
                        ? ""
                        : fmt::format("; {} more left alone, the actor may not change them "
                                      "(SYNC_NOT_ALLOWED)",
                                      left->second)));
  }
  if (!s_.message.empty() && !failed) say(s_.message);
  if (!reports_kept || duplicate) return;
  if (rejected_published && s_.rejected > 0) say(fmt::format("rejected rows: {}", shown.rejected));
  say(changes_ ? fmt::format("plan: {}  summary: {}", shown.changes, shown.summary)
               : fmt::format("summary: {}", shown.summary));
}

}  // namespace roster
