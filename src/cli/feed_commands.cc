// roster feeds: the feeds that manage users (SPEC §11), and handing users
// back to manual management; roster logins: who may act as whom (SPEC §14).

#include <fmt/format.h>

#include <ostream>

#include "cli/commands.h"
#include "roster/feeds.h"
#include "roster/lifecycle.h"
#include "roster/logins.h"
#include "roster/report.h"
#include "roster/validate.h"

namespace roster {
namespace {

void print_feed_header(std::ostream& out) {
  out << fmt::format("{:<24} {:>8} {:>8}  {:>8}  {:<20} {:>9}\n", "FEED", "ENABLED", "DISABLED",
                     "LAST JOB", "LAST SYNC", "SYNC ROWS");
}

void print_feed(std::ostream& out, const FeedInfo& f) {
  out << fmt::format("{:<24} {:>8} {:>8}  {:>8}  {:<20} {:>9}\n", f.name, f.enabled_users,
                     f.disabled_users, f.last_job ? std::to_string(f.last_job) : "-",
                     f.last_sync_job ? f.last_sync_at : "never",
                     f.last_sync_job ? std::to_string(f.last_sync_rows) : "-");
}

}  // namespace

ExitCode cmd_feeds(const CommandContext& ctx, const FeedsCommand& c) {
  const std::vector<std::string>& args = c.args;
  bool list = args.empty() || (args.size() == 1 && args[0] == "list");
  bool show = args.size() == 2 && args[0] == "show";
  if (!list && !show) {
    return report_failure(ctx, Status::usage("usage: roster feeds [list] | roster feeds show NAME "
                                             "| roster feeds release NAME --as ACTOR"));
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  auto feeds = (*dir)->list_feeds();
  if (!feeds.is_ok()) return report_failure(ctx, feeds.status());
  if (list) {
    if (feeds->empty()) {
      ctx.out << "no feeds yet: an import with --feed NAME starts one\n";
      return ExitCode::kOk;
    }
    print_feed_header(ctx.out);
    for (const FeedInfo& f : *feeds) print_feed(ctx.out, f);
    return ExitCode::kOk;
  }
  const std::string& name = args[1];
  auto it =
      std::find_if(feeds->begin(), feeds->end(), [&](const FeedInfo& f) { return f.name == name; });
  if (it == feeds->end()) {
    std::vector<std::string> names;
    for (const FeedInfo& f : *feeds) names.push_back(f.name);
    return report_failure(
        ctx, Status::usage(fmt::format("there is no feed \"{}\"{}", name,
                                       hint_for(name, names, " (roster feeds lists them)"))));
  }
  print_feed_header(ctx.out);
  print_feed(ctx.out, *it);
  auto jobs = (*dir)->feed_jobs(name, 10);
  if (!jobs.is_ok()) return report_failure(ctx, jobs.status());
  ctx.out << "\nlast jobs:\n";
  print_jobs(ctx.out, *jobs);
  return ExitCode::kOk;
}

ExitCode cmd_feeds_release(const CommandContext& ctx, const FeedReleaseCommand& c) {
  if (!is_valid_feed_name(c.feed)) {
    return report_failure(ctx, Status::usage(fmt::format("\"{}\" is not a feed name", c.feed)));
  }
  if (c.lock_timeout < 0)
    return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  auto dir = open_directory(ctx, false, c.lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  return run_feed_release(**dir, {c.feed, c.users, c.actor}, ctx.out, ctx.err);
}

ExitCode cmd_lifecycle(const CommandContext& ctx, const LifecycleCommand& c) {
  if (c.lock_timeout < 0)
    return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  if (c.max_disable < 0 || c.max_disable > 100) {
    return report_failure(ctx, Status::usage("--max-disable takes a percent from 0 to 100"));
  }
  std::string folder = c.report_dir.empty() ? "." : c.report_dir;
  // Before any job is recorded, as for an import.
  if (Status st = check_report_folder(report_paths("lifecycle", folder)); !st.is_ok()) {
    return report_failure(ctx, st);
  }
  auto dir = open_directory(ctx, false, c.lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  LifecycleOptions o;
  o.actor = c.actor;
  o.dry_run = c.dry_run;
  o.max_disable_percent = c.max_disable;
  o.report_dir = folder;
  o.invite = !c.no_invite;
  o.quiet = ctx.quiet;
  return run_lifecycle(**dir, o, ctx.out, ctx.err);
}

ExitCode cmd_logins(const CommandContext& ctx, const LoginsCommand& c) {
  if (c.lock_timeout < 0)
    return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  auto dir = open_directory(ctx, false, c.lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  if (c.action == "list") return list_logins(**dir, ctx.out, ctx.err);
  return run_login_change(**dir, {c.action == "bind", c.username, c.login, c.actor}, ctx.out,
                          ctx.err);
}

}  // namespace roster
