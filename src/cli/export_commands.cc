// The commands that read the directory: the exports (the export library's
// calls), the job history and the audit trail.

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <tuple>

#include "cli/commands.h"
#include "roster/directory.h"
#include "roster/export.h"
#include "roster/text.h"
#include "roster/validate.h"

namespace roster {

ExitCode cmd_export_users(const CommandContext& ctx, const UserExportCommand& c) {
  UserExportOptions o = c.options;
  for (auto [given, flag, name] : {std::tuple{&c.enabled, &o.enabled, "--enabled"},
                                   std::tuple{&c.active, &o.active, "--active"}}) {
    if (!*given) continue;
    if (**given != "0" && **given != "1") {
      return report_failure(ctx, Status::usage(fmt::format("{} takes 0 or 1", name)));
    }
    *flag = **given == "1";
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  Status st = export_users(**dir, o, ctx.out);
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

ExitCode cmd_export_reference(const CommandContext& ctx, const ReferenceExportCommand& c) {
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  return write_output(ctx, c.out, export_reference(**dir, c.kind));
}

void print_jobs(std::ostream& out, const std::vector<Job>& jobs) {
  // DISABLED counts the users a --sync disabled with those rows disabled.
  const char* line =
      "{:>5}  {:<20}  {:<14}  {:<12}  {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7}  {:<11}  {}\n";
  out << fmt::format(fmt::runtime(line), "JOB", "STARTED", "KIND", "ACTOR", "READ", "CREATED",
                     "UPDATED", "UNCHNGD", "ENABLED", "DISABLED", "REJECT", "OUTCOME", "FILE");
  for (const Job& j : jobs) {
    out << fmt::format(fmt::runtime(line), j.id, j.started_at, j.kind, j.actor, j.rows_read,
                       j.created, j.updated, j.unchanged, j.enabled,
                       j.disabled + j.disabled_missing, j.rejected, j.outcome, j.file);
  }
}

ExitCode cmd_jobs(const CommandContext& ctx, const JobsCommand& c) {
  const std::vector<std::string>& args = c.args;
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  Directory& d = **dir;
  if (!args.empty()) {
    int64_t id = 0;
    if (args.size() != 2 || args[0] != "show" ||
        !std::all_of(args[1].begin(), args[1].end(), ::isdigit) || args[1].empty() ||
        args[1].size() > 18) {
      return report_failure(ctx,
                            Status::usage("usage: roster jobs [--limit N] | roster jobs show ID"));
    }
    id = std::stoll(args[1]);
    auto job = d.find_job(id);
    if (!job.is_ok()) return report_failure(ctx, job.status());
    if (!job->has_value()) {
      return report_failure(ctx, Status::usage(fmt::format("there is no job {}", id)));
    }
    const Job& j = **job;
    ctx.out << fmt::format(
        "job {}\n  kind: {}\n  file: {}\n  sha256: {}\n  actor: {}\n  mode: {}{}\n"
        "  started: {}\n  finished: {}\n  rows: {} read, {} created, {} updated, {} "
        "unchanged, {} rejected\n  users: {} enabled, {} disabled by rows{}\n",
        j.id, j.kind, j.file, j.sha256, j.actor, j.mode, j.dry_run ? " (dry run)" : "",
        j.started_at, j.finished_at, j.rows_read, j.created, j.updated, j.unchanged, j.rejected,
        j.enabled, j.disabled,
        j.sync ? fmt::format(", {} missing from the snapshot disabled", j.disabled_missing) : "");
    if (!j.feed.empty()) {
      ctx.out << fmt::format("  feed: {}{}\n", j.feed, j.sync ? " (--sync)" : "");
    }
    ctx.out << fmt::format("  outcome: {}\n  exit code: {}\n", j.outcome, j.exit_code);
    return ExitCode::kOk;
  }
  auto jobs = d.list_jobs(c.limit);
  if (!jobs.is_ok()) return report_failure(ctx, jobs.status());
  print_jobs(ctx.out, *jobs);
  return ExitCode::kOk;
}

namespace {

ExitCode reverse_job(const CommandContext& ctx, const AuditCommand& c) {
  if (!c.job || c.actor.empty() || !c.user.empty() || c.since) {
    return report_failure(ctx, Status::usage("usage: roster audit --job ID --reverse --out FILE "
                                             "--as ACTOR (one job, no other filter)"));
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  auto r = export_reverse(**dir, *c.job, c.actor, c.out, ctx.out);
  if (!r.is_ok()) return report_failure(ctx, r.status());
  // Standard error when the file itself goes to standard output.
  std::ostream& tell = c.out.empty() || c.out == "-" ? ctx.err : ctx.out;
  if (!ctx.quiet) {
    const Job& j = r->job;
    tell << fmt::format(
        "job {} ({} import of {} by {}, {}) reversed into {}: {} user{}{}{}; review it, then "
        "import it like any file\n",
        j.id, j.kind, j.file, j.actor, j.started_at,
        c.out.empty() || c.out == "-" ? "standard output" : c.out, r->users,
        r->users == 1 ? "" : "s",
        r->created ? fmt::format(" ({} created by the job, back with Enabled 0)", r->created) : "",
        r->hidden ? fmt::format("; {} you may not see left out", r->hidden) : "");
  }
  return ExitCode::kOk;
}

}  // namespace

ExitCode cmd_audit(const CommandContext& ctx, const AuditCommand& c) {
  if (c.reverse) return reverse_job(ctx, c);
  AuditFilter filter;
  if (c.job) filter.job_id = *c.job;
  filter.user = c.user;
  if (c.since) {
    auto t = normalize_utc_time(*c.since);
    if (!t) {
      return report_failure(ctx, Status::usage("--since takes an ISO 8601 UTC time such as "
                                               "2026-01-31T00:00:00Z"));
    }
    filter.since = *t;
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  Status st = export_audit(**dir, filter, c.out, ctx.out);
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

}  // namespace roster
