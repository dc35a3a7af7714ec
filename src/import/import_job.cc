#include "roster/import_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ostream>

#include "import/import_kinds.h"
#include "import/progress_line.h"
#include "import/row_reader.h"
#include "roster/text.h"
#include "util/atomic_file.h"

namespace roster {

namespace {

std::string_view outcome_word(RowOutcome::Kind kind) {
  switch (kind) {
    case RowOutcome::Kind::kCreated:
      return "created";
    case RowOutcome::Kind::kUpdated:
      return "updated";
    case RowOutcome::Kind::kUnchanged:
      return "unchanged";
    case RowOutcome::Kind::kRejected:
      return "rejected";
  }
  return "rejected";
}

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
    s_.started_at = now_utc_iso8601();
    validate_.default_timezone = options.default_timezone;
    validate_.upsert = options.upsert;
  }

  ExitCode run();
  const Summary& summary() const { return s_; }

 private:
  ExitCode stream_rows(RowHandler& handler, CsvInput& input);
  Status record_row(const RawRow& raw, const RowIssues& issues, const RowOutcome& outcome);
  ExitCode decide(CsvInput& input);
  std::optional<ExitCode> end_if_duplicate();
  ExitCode finish(ExitCode code, const std::string& outcome, std::string message);
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
};

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

ExitCode ImportRun::run() {
  auto actor = load_actor(dir_, options_.actor, required_permission(options_.kind));
  if (!actor.is_ok()) {
    // No job: nothing about the file was looked at.
    errors() << "roster: " << actor.status().message() << '\n';
    return actor.status().exit_code();
  }
  s_.actor = actor->username;

  auto input = CsvInput::open(options_.file, columns_under(columns_of(options_.kind), validate_));
  if (!input.is_ok() && input.status().code() == Code::kFileUnreadable) {
    // No job and no report either: there is no file to speak of.
    errors() << "roster: FILE_UNREADABLE: " << input.status().message() << '\n';
    return input.status().exit_code();
  }
  Job job;
  job.kind = s_.kind;
  job.file = s_.file;
  job.actor = s_.actor;
  job.mode = s_.mode;
  job.dry_run = s_.dry_run;
  job.started_at = s_.started_at;
  auto job_id = dir_.start_job(job);
  if (!job_id.is_ok()) return fail(job_id.status());
  s_.job_id = *job_id;
  if (!input.is_ok()) return fail(input.status());
  for (const RowError& w : (*input)->header_warnings()) {
    ++s_.warnings;
    ++s_.warnings_by_code[std::string(code_name(w.code))];
    spdlog::warn("{}", w.message);
  }

  Status st = dir_.begin();
  if (st.is_ok()) st = tracker_.reset();
  if (!st.is_ok()) return fail(st);
  // Counted inside the transaction: no other import can change it until commit.
  auto enabled = dir_.count_enabled_users();
  if (!enabled.is_ok()) return fail(enabled.status());
  enabled_before_ = *enabled;

  JobContext context;
  context.job_id = s_.job_id;
  context.now = s_.started_at;
  context.upsert = options_.upsert;
  context.invite = !options_.no_invite;
  context.validate = validate_;
  context.tracker = &tracker_;
  auto handler = make_handler(options_.kind, dir_, *actor, context);

  rejected_ = std::make_unique<RejectedReport>(paths_.rejected, (*input)->verbatim_header());
  changes_ = std::make_unique<ChangesReport>(paths_.changes, handler->identity_column());
  st = changes_->open();
  if (!st.is_ok()) return fail(st);

  ExitCode code = stream_rows(*handler, **input);
  if (code != ExitCode::kOk) return code;
  return decide(**input);
}

ExitCode ImportRun::stream_rows(RowHandler& handler, CsvInput& input) {
  RowOutcome outcome;
  ProgressLine progress(options_.progress, input);
  {
    // Reading and the checks that need no directory run on the reader's
    // thread; this one validates against the directory and applies. Where the
    // store offers a snapshot of the directory before the run, the reader also
    // looks rows up ahead in it. Both are gone before the transaction ends.
    // The look-ahead only saves time: a snapshot that cannot be opened (a
    // descriptor limit, say) leaves every lookup to this thread.
    std::unique_ptr<UserSnapshot> snapshot;
    if (ImportAccelerator* fast = dir_.accelerator(); fast && handler.prefetches()) {
      auto opened = fast->open_snapshot();
      if (opened.is_ok()) {
        snapshot = std::move(*opened);
      } else {
        spdlog::debug("no look-ahead: {}", opened.status().message());
      }
    }
    RowReader reader(input, handler, snapshot.get());
    std::vector<const ParsedRow*> ahead;
    while (RowReader::Row* row = reader.next()) {
      if (std::span<const RowReader::Row> batch = reader.batch_ahead(); !batch.empty()) {
        ahead.clear();
        for (const RowReader::Row& r : batch) {
          if (r.well_formed && r.parsed) ahead.push_back(r.parsed.get());
        }
        Status st = handler.look_ahead(ahead);
        if (!st.is_ok()) return fail(st);
      }
      ++s_.rows_read;
      progress.update(s_.rows_read, reader.bytes_consumed());
      outcome = RowOutcome{};
      if (row->well_formed) {
        Status st =
            handler.handle(RowView(row->raw, input), row->parsed.get(), row->issues, outcome);
        if (!st.is_ok()) return fail(st);
      }
      if (!row->issues.ok()) outcome.kind = RowOutcome::Kind::kRejected;
      // A rejected row that its report cannot keep would be lost: stop.
      if (Status st = record_row(row->raw, row->issues, outcome); !st.is_ok()) return fail(st);
      if (options_.max_errors && s_.rejected > *options_.max_errors) {
        stopped_early_ = true;
        break;
      }
    }
    if (snapshot) {
      spdlog::debug("{} of {} rows were looked up ahead on the reading thread",
                    reader.rows_prefetched(), s_.rows_read);
    }
    handler.log_stats();
  }
  // A run stopped early never looks at what the reader found past its stop.
  if (!stopped_early_ && !input.status().is_ok()) return fail(input.status());
  return ExitCode::kOk;
}

Status ImportRun::record_row(const RawRow& raw, const RowIssues& issues,
                             const RowOutcome& outcome) {
  for (const RowError& w : issues.warnings) {
    ++s_.warnings;
    ++s_.warnings_by_code[std::string(code_name(w.code))];
  }
  switch (outcome.kind) {
    case RowOutcome::Kind::kCreated:
      ++s_.created;
      break;
    case RowOutcome::Kind::kUpdated:
      ++s_.updated;
      break;
    case RowOutcome::Kind::kUnchanged:
      ++s_.unchanged;
      break;
    case RowOutcome::Kind::kRejected:
      ++s_.rejected;
      break;
  }
  if (outcome.disabled_user) ++s_.disabled;
  changes_->add(raw.line, outcome.identity, std::string(outcome_word(outcome.kind)),
                outcome.changes);
  if (outcome.kind != RowOutcome::Kind::kRejected) return Status::ok();
  for (const RowError& e : issues.errors) ++s_.errors_by_code[std::string(code_name(e.code))];
  if (static_cast<size_t>(s_.rejected) <= options_.terminal_limit) {
    for (const RowError& e : issues.errors) {
      say(fmt::format("line {}: {}", raw.line, format_issue(e)));
    }
  }
  return rejected_->add(raw, issues.errors);
}

// After the last row: decides whether the transaction commits.
// A file that an earlier job committed is not applied again (unless --force):
// the run ends as a duplicate. nullopt when the run goes on.
std::optional<ExitCode> ImportRun::end_if_duplicate() {
  if (options_.dry_run || options_.force) return std::nullopt;
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
  double limit = options_.max_disable_percent;
  if (limit < 100 && s_.disabled > 10 &&
      static_cast<double>(s_.disabled) > static_cast<double>(enabled_before_) * limit / 100.0) {
    dir_.rollback();
    return finish(ExitCode::kGuard, "refused",
                  fmt::format("the file would disable {} of the {} enabled users, more than "
                              "--max-disable {}%; nothing was applied (check the feed, or "
                              "run with --max-disable 100 if this is intended)",
                              s_.disabled, enabled_before_, limit));
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

Job ImportRun::job_record(ExitCode code, const std::string& outcome) const {
  Job job;
  job.id = s_.job_id;
  job.sha256 = s_.sha256;
  job.finished_at = s_.finished_at.empty() ? now_utc_iso8601() : s_.finished_at;
  job.rows_read = s_.rows_read;
  job.created = s_.created;
  job.updated = s_.updated;
  job.unchanged = s_.unchanged;
  job.rejected = s_.rejected;
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

  if (s_.job_id != 0) keep(dir_.finish_job(job_record(code, outcome)));
  keep(write_file_atomically(paths_.summary, summary_json(s_)));

  if (static_cast<size_t>(s_.rejected) > options_.terminal_limit) {
    say(fmt::format("... and {} more rejected rows",
                    static_cast<size_t>(s_.rejected) - options_.terminal_limit));
  }
  say(fmt::format(
      "{} import of {}: {} rows read, {} created, {} updated, {} unchanged, {} "
      "rejected; {}{}",
      s_.kind, s_.file == "-" ? "standard input" : s_.file, s_.rows_read, s_.created, s_.updated,
      s_.unchanged, s_.rejected, s_.committed ? "committed" : "nothing committed",
      s_.job_id ? fmt::format(" (job {})", s_.job_id) : ""));
  if (!s_.message.empty() && code != ExitCode::kFileRefused && code != ExitCode::kDatabase) {
    say(s_.message);
  }
  if (rejected_published && s_.rejected > 0) {
    say(fmt::format("rejected rows: {}", paths_.rejected));
  }
  say(changes_ ? fmt::format("plan: {}  summary: {}", paths_.changes, paths_.summary)
               : fmt::format("summary: {}", paths_.summary));
  // The reasons reach standard error whatever -q says (SPEC §15).
  for (const std::string& e : report_errors) errors() << "roster: error: " << e << '\n';
  print_exit_reason(errors(), code, s_, rejected_published ? paths_.rejected : "");
  spdlog::info(
      "job {} {} file={} actor={} read={} created={} updated={} unchanged={} "
      "rejected={} outcome={} exit={}",
      s_.job_id, s_.kind, s_.file, s_.actor, s_.rows_read, s_.created, s_.updated, s_.unchanged,
      s_.rejected, outcome, s_.exit_code);
  return code;
}

}  // namespace

ExitCode run_import(Directory& dir, const ImportOptions& options, std::ostream& out,
                    Summary* summary) {
  ImportRun run(dir, options, out);
  ExitCode code = run.run();
  if (summary != nullptr) *summary = run.summary();
  return code;
}

}  // namespace roster
