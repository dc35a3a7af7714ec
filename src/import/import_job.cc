#include "roster/import_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ostream>

#include "import/import_kinds.h"
#include "import/import_run.h"
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

}  // namespace

ExitCode ImportRun::run() {
  auto actor = load_actor(dir_, options_.actor, required_permission(options_.kind));
  if (!actor.is_ok()) {
    // No job: nothing about the file was looked at.
    errors() << "roster: " << actor.status().message() << '\n';
    return actor.status().exit_code();
  }
  s_.actor = actor->username;
  s_.login = actor->login;
  s_.authenticated = actor->authenticated;
  actor_ = std::move(*actor);

  auto input = CsvInput::open(options_.file, columns_under(columns_of(options_.kind), validate_),
                              options_.read);
  if (!input.is_ok() && input.status().code() == Code::kFileUnreadable) {
    // No job and no report either: there is no file to speak of.
    errors() << "roster: FILE_UNREADABLE: " << input.status().message() << '\n';
    return input.status().exit_code();
  }
  if (Status folder = check_report_folder(paths_); !folder.is_ok()) {
    errors() << "roster: " << folder.message() << '\n';  // no job: nothing was looked at
    return folder.exit_code();
  }
  Job job;
  job.kind = s_.kind;
  job.file = s_.file;
  job.actor = s_.actor;
  job.mode = s_.mode;
  job.dry_run = s_.dry_run;
  job.started_at = s_.started_at;
  job.feed = s_.feed;
  job.sync = s_.sync;
  auto job_id = dir_.start_job(job);
  if (!job_id.is_ok()) return fail(job_id.status());
  s_.job_id = *job_id;
  if (!input.is_ok()) return fail(input.status());
  for (const RowError& w : (*input)->header_warnings()) {
    ++s_.warnings;
    ++s_.warnings_by_code[std::string(code_name(w.code))];
    // In the style of the errors (SPEC §15, issue 31 item 12); the log keeps it.
    if (!options_.quiet) errors() << "roster: warning: " << w.message << '\n';
    spdlog::info("job {}: warning: {}", s_.job_id, w.message);
  }

  Status st = dir_.begin();
  if (st.is_ok()) st = tracker_.reset();
  if (!st.is_ok()) return fail(st);
  // Counted inside the transaction: no other import can change it until commit.
  auto enabled = dir_.count_enabled_users();
  if (!enabled.is_ok()) return fail(enabled.status());
  enabled_before_ = *enabled;

  context_.job_id = s_.job_id;
  auto handler = make_handler(options_.kind, dir_, *actor_, context_);

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
  if (outcome.expired_user) ++s_.expired;
  if (outcome.enabled_user) ++s_.enabled;
  changes_->add(raw.line, outcome.identity, std::string(outcome_word(outcome.kind)),
                outcome.changes);
  if (outcome.kind != RowOutcome::Kind::kRejected) return Status::ok();
  for (const RowError& e : issues.errors) {
    ++s_.errors_by_code[std::string(code_name(e.code))];
    bool names_user = e.column == col::kUsername &&
                      (e.code == Code::kUsernameRequired || e.code == Code::kUsernameInvalid ||
                       e.code == Code::kTextInvalid);
    if ((e.code == Code::kRowMalformed || names_user) && untrusted_row_.empty()) {
      untrusted_row_ = fmt::format("line {} could not be {} ({})", raw.line,
                                   names_user ? "told from its username" : "split into cells",
                                   code_name(e.code));
    }
  }
  // Held until the run ends: a file already imported prints none (SPEC §15).
  if (!options_.quiet && static_cast<size_t>(s_.rejected) <= options_.terminal_limit) {
    for (const RowError& e : issues.errors) {
      row_lines_.push_back(fmt::format("line {}: {}", raw.line, format_issue(e)));
    }
  }
  return rejected_->add(raw, issues.errors);
}

ExitCode run_import(Directory& dir, const ImportOptions& options, std::ostream& out,
                    Summary* summary) {
  ImportRun run(dir, options, out);
  ExitCode code = run.run();
  if (summary != nullptr) *summary = run.summary();
  return code;
}

}  // namespace roster
