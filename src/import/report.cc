#include "roster/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "roster/text.h"
#include "util/atomic_file.h"
#include "util/logging.h"

namespace roster {

ReportPaths report_paths(const std::string& input, const std::string& report_dir) {
  namespace fs = std::filesystem;
  fs::path in = input == "-" ? fs::path("stdin") : fs::path(input);
  std::string stem = in.stem().string();
  if (stem.empty()) stem = "import";
  fs::path dir = !report_dir.empty() ? fs::path(report_dir)
                 : input == "-"      ? fs::path(".")
                                     : in.parent_path();
  if (dir.empty()) dir = ".";
  return {(dir / (stem + ".rejected.csv")).string(), (dir / (stem + ".changes.csv")).string(),
          (dir / (stem + ".summary.json")).string()};
}

Status check_report_folder(const ReportPaths& paths) {
  std::string folder = std::filesystem::path(paths.summary).parent_path().string();
  if (folder.empty()) folder = ".";
  if (::access(folder.c_str(), W_OK | X_OK) == 0) return Status::ok();
  return Status::usage(
      fmt::format("cannot write the reports in \"{}\": {} (give --report-dir a "
                  "folder you may write)",
                  folder, std::strerror(errno)));
}

RejectedReport::RejectedReport(std::string path, std::vector<std::string> input_header)
    : path_(std::move(path)) {
  for (const std::string& name : input_header) {
    std::string_view trimmed = trim_spaces(name);
    bool old_report_column = iequals(trimmed, "Line") || iequals(trimmed, "Errors");
    keep_.push_back(!old_report_column);
    if (!old_report_column) header_.push_back(name);
  }
  width_ = header_.size();
  header_.push_back("Line");
  header_.push_back("Errors");
}

RejectedReport::~RejectedReport() = default;

Status RejectedReport::add(const RawRow& row, const std::vector<RowError>& errors) {
  if (!file_) {
    auto file = AtomicFile::create(path_);
    if (!file.is_ok()) return file.status();
    file_ = std::move(*file);
    file_->write(csv_line(header_));
  }
  std::vector<std::string> cells, extra;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    // Cells past the header (a malformed row) are kept too, after Errors:
    // nothing is lost, and Line and Errors stay under their names.
    if (i >= keep_.size()) {
      extra.push_back(row.cells[i]);
    } else if (keep_[i]) {
      cells.push_back(row.cells[i]);
    }
  }
  cells.resize(width_);  // a short (malformed) row: its missing cells empty
  std::vector<std::string> errors_text;
  for (const RowError& e : errors) errors_text.push_back(format_issue(e));
  cells.push_back(std::to_string(row.line));
  cells.push_back(join(errors_text, " | "));
  cells.insert(cells.end(), extra.begin(), extra.end());
  file_->write(csv_line(cells));
  ++count_;
  return Status::ok();
}

Status RejectedReport::sync() { return file_ ? file_->sync() : Status::ok(); }

Status RejectedReport::finish() {
  if (file_) return file_->commit();
  std::error_code ec;
  std::filesystem::remove(path_, ec);  // a report of an earlier run would mislead
  return Status::ok();
}

ChangesReport::ChangesReport(std::string path, std::string identity_column)
    : path_(std::move(path)), identity_column_(std::move(identity_column)) {}

ChangesReport::~ChangesReport() = default;

Status ChangesReport::open() {
  auto file = AtomicFile::create(path_);
  if (!file.is_ok()) return file.status();
  file_ = std::move(*file);
  file_->write(csv_line({"Line", identity_column_, "Outcome", "Field", "Before", "After"}));
  return Status::ok();
}

void ChangesReport::add(uint64_t line, const std::string& identity, const std::string& outcome,
                        const std::vector<FieldChange>& changes) {
  if (!file_) return;
  // One line per field: written into a reused buffer, a few at a time, because
  // a fresh import writes nine lines for every row. The row's first three
  // cells are the same on each of its lines: formatted once.
  prefix_ = line ? std::to_string(line) : std::string();
  prefix_ += ',';
  append_csv_cell(prefix_, identity);
  prefix_ += ',';
  append_csv_cell(prefix_, outcome);
  auto write_line = [&](std::string_view field, std::string_view before, std::string_view after) {
    buffer_ += prefix_;
    for (std::string_view cell : {field, before, after}) {
      buffer_ += ',';
      append_csv_cell(buffer_, cell);
    }
    buffer_ += '\n';
  };
  if (changes.empty()) write_line("", "", "");
  for (const FieldChange& c : changes) write_line(c.field, c.before, c.after);
  if (buffer_.size() > (64 << 10)) {
    file_->write(buffer_);
    buffer_.clear();
  }
}

Status ChangesReport::sync() {
  if (!file_) return Status::ok();
  file_->write(buffer_);
  buffer_.clear();
  return file_->sync();
}

Status ChangesReport::finish() {
  Status st = sync();
  if (!file_) return st;
  return st.is_ok() ? file_->commit() : st;
}

std::string summary_json(const Summary& s) {
  nlohmann::ordered_json j;
  j["job_id"] = s.job_id;
  j["kind"] = s.kind;
  j["file"] = s.file;
  j["sha256"] = s.sha256;
  j["actor"] = s.actor;
  j["actors"] = s.authenticated ? "authenticated" : "unauthenticated";
  j["login"] = s.login;
  j["mode"] = s.mode;
  j["dry_run"] = s.dry_run;
  j["upsert"] = s.upsert;
  j["feed"] = s.feed.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.feed);
  j["sync"] = s.sync;
  j["started_at"] = s.started_at;
  j["finished_at"] = s.finished_at;
  j["rows"] = {{"read", s.rows_read},      {"created", s.created},   {"updated", s.updated},
               {"unchanged", s.unchanged}, {"rejected", s.rejected}, {"disabled", s.disabled},
               {"expired", s.expired},     {"enabled", s.enabled},   {"activated", s.activated}};
  j["disabled_missing"] = s.disabled_missing;
  j["errors_by_code"] = s.errors_by_code;
  j["warnings"] = s.warnings;
  j["warnings_by_code"] = s.warnings_by_code;
  j["committed"] = s.committed;
  j["outcome"] = s.outcome;
  j["message"] = s.message;
  j["duplicate_of_job"] = s.duplicate_of_job ? nlohmann::ordered_json(*s.duplicate_of_job)
                                             : nlohmann::ordered_json(nullptr);
  j["file_error"] =
      s.file_error ? nlohmann::ordered_json(*s.file_error) : nlohmann::ordered_json(nullptr);
  j["exit_code"] = s.exit_code;
  // Invalid UTF-8 cannot reach here (cells are checked), but a file name can hold
  // anything: replace rather than throw.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void print_exit_reason(std::ostream& err, ExitCode code, const Summary& s,
                       const std::string& rejected_path) {
  std::string file = s.file == "-" ? "standard input" : s.file;
  switch (code) {
    case ExitCode::kOk:
      return;
    case ExitCode::kFileRefused:
    case ExitCode::kDatabase:
      // (A run committed before its report failed has no message: the
      // report's error says why.)
      if (!s.message.empty()) {
        err << fmt::format("roster: {}{}\n", s.file_error ? *s.file_error + ": " : "", s.message);
      }
      return;
    case ExitCode::kRowsRejected:
      err << fmt::format(
          "roster: {}: {} row{} rejected; {}{}\n", file, s.rejected, s.rejected == 1 ? "" : "s",
          s.committed         ? fmt::format("{} applied", s.created + s.updated + s.unchanged)
          : s.message.empty() ? "nothing was applied"
                              : s.message,
          rejected_path.empty() ? "" : "; rejected rows: " + rejected_path);
      return;
    default:
      err << fmt::format("roster: {}: {}\n", file, s.message);
  }
}

// The run's one log line, its counts as fields (docs/operations.md §4).
void log_job(const Summary& s) {
  log_event(spdlog::level::info,
            fmt::format("job {}: {} import of {} {}", s.job_id, s.kind, s.file, s.outcome),
            {{"job_id", s.job_id},
             {"kind", s.kind},
             {"file", s.file},
             {"actor", s.actor},
             {"actors", s.authenticated ? "authenticated" : "unauthenticated"},
             {"login", s.login},
             {"feed", s.feed},
             {"sync", int64_t{s.sync}},
             {"read", s.rows_read},
             {"created", s.created},
             {"updated", s.updated},
             {"enabled", s.enabled},
             {"disabled", s.disabled},
             {"disabled_missing", s.disabled_missing},
             {"expired", s.expired},
             {"activated", s.activated},
             {"unchanged", s.unchanged},
             {"rejected", s.rejected},
             {"warnings", s.warnings},
             {"outcome", s.outcome},
             {"exit_code", int64_t{s.exit_code}},
             {"code", s.file_error.value_or("")},
             {"reason", s.message}});
}

}  // namespace roster
