// roster invitations list | export | mark-sent: the outbox of users created or
// re-enabled by imports, handed to whatever sends the mails.

#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.h"
#include "roster/csv_input.h"
#include "roster/text.h"
#include "util/atomic_file.h"

namespace roster {
namespace {

// The columns of `invitations export`; mark-sent --file reads Id back.
const TemplateColumns& export_columns() {
  static const TemplateColumns kColumns{
      {"Id"},
      {"Job", "Created", "Username", "E-mail", "Application", "Reason", "Sent", "Withdrawn"}};
  return kColumns;
}

bool is_id(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

ExitCode list(const CommandContext& ctx, const InvitationsCommand& c, Directory& d) {
  bool pending = c.pending;
  ctx.out << fmt::format("{:>6}  {:>5}  {:<20}  {:<24}  {:<32}  {:<10}  {:<7}  {}\n", "ID", "JOB",
                         "CREATED", "USERNAME", "E-MAIL", "APP", "REASON", "SENT");
  int64_t count = 0;
  Status st = d.for_each_invitation(pending, [&](const Invitation& i) {
    ctx.out << fmt::format("{:>6}  {:>5}  {:<20}  {:<24}  {:<32}  {:<10}  {:<7}  {}\n", i.id,
                           i.job_id, i.created_at, i.username, i.email, i.application, i.reason,
                           !i.sent_at.empty() ? i.sent_at
                           : i.withdrawn_by   ? fmt::format("withdrawn by job {}", i.withdrawn_by)
                                              : "pending");
    ++count;
    return Status::ok();
  });
  if (!st.is_ok()) return report_failure(ctx, st);
  if (!ctx.quiet) ctx.out << fmt::format("{} invitation{}\n", count, count == 1 ? "" : "s");
  return ExitCode::kOk;
}

ExitCode export_csv(const CommandContext& ctx, const InvitationsCommand& c, Directory& d) {
  const std::string& out = c.out;
  auto file = AtomicFile::create(out.empty() ? "-" : out, &ctx.out);
  if (!file.is_ok()) return report_failure(ctx, file.status());
  std::vector<std::string> header = export_columns().required;
  header.insert(header.end(), export_columns().optional.begin(), export_columns().optional.end());
  // Only --all lists withdrawn invitations, and so only it says which job withdrew each.
  if (!c.all) header.pop_back();
  (*file)->write(csv_line(header));
  Status st = d.for_each_invitation(!c.all, [&](const Invitation& i) {
    std::vector<std::string> cells = {std::to_string(i.id),
                                      std::to_string(i.job_id),
                                      i.created_at,
                                      i.username,
                                      i.email,
                                      i.application,
                                      i.reason,
                                      i.sent_at};
    if (c.all) cells.push_back(i.withdrawn_by ? std::to_string(i.withdrawn_by) : "");
    (*file)->write(csv_line(cells));
    return Status::ok();
  });
  if (st.is_ok()) st = (*file)->commit();
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

// The ids of an export file, each checked; the first bad cell refuses the file.
Result<std::vector<int64_t>> ids_of(const std::string& path) {
  auto input = CsvInput::open(path, export_columns());
  if (!input.is_ok()) return input.status();
  int at = (*input)->index_of("Id");
  std::vector<int64_t> ids;
  RawRow row;
  while ((*input)->next(row)) {
    const std::string cell =
        at < static_cast<int>(row.cells.size()) ? row.cells[static_cast<size_t>(at)] : "";
    if (row.malformed || !is_id(cell)) {
      return Status::file(Code::kRowMalformed,
                          fmt::format("line {}, column Id: \"{}\" is not an invitation id; "
                                      "mark-sent --file reads a file written by `roster "
                                      "invitations export`",
                                      row.line, cell));
    }
    ids.push_back(std::stoll(cell));
  }
  if (!(*input)->status().is_ok()) return (*input)->status();
  return ids;
}

ExitCode mark_sent(const CommandContext& ctx, const InvitationsCommand& c, Directory& d) {
  bool by_job = c.job.has_value(), by_file = c.file.has_value();
  if (by_job == by_file) {
    return report_failure(ctx, Status::usage("mark-sent takes --job ID or --file FILE (one)"));
  }
  int64_t job_id = 0;
  std::vector<int64_t> ids;
  if (by_job) {
    job_id = *c.job;
    if (job_id <= 0)
      return report_failure(ctx, Status::usage("--job takes a job id (roster jobs)"));
  } else {
    auto read = ids_of(*c.file);
    if (!read.is_ok()) return report_failure(ctx, read.status());
    ids = std::move(*read);
  }
  Status st = d.begin();
  if (!st.is_ok()) return report_failure(ctx, st);
  auto marked = d.mark_invitations_sent(job_id, ids, now_utc_iso8601());
  if (!marked.is_ok()) {
    d.rollback();
    return report_failure(ctx, marked.status());
  }
  st = d.commit();
  if (!st.is_ok()) return report_failure(ctx, st);
  if (!ctx.quiet) {
    ctx.out << fmt::format("marked {} invitation{} sent\n", *marked, *marked == 1 ? "" : "s");
  }
  return ExitCode::kOk;
}

}  // namespace

ExitCode cmd_invitations(const CommandContext& ctx, const InvitationsCommand& c) {
  auto dir = open_directory(ctx, false, c.lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  if (c.action == "list") return list(ctx, c, **dir);
  if (c.action == "export") return export_csv(ctx, c, **dir);
  return mark_sent(ctx, c, **dir);
}

}  // namespace roster
