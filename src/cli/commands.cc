#include "cli/commands.h"

#include <date/tz.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "roster/csv_input.h"
#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/inbox.h"
#include "roster/text.h"
#include "roster/validate.h"
#include "util/atomic_file.h"
#include "util/batch_ring.h"

namespace roster {

std::string_view embedded_template(std::string_view name);  // generated at build time

std::vector<Permission> permission_catalog() {
  std::vector<Permission> out;
  std::string_view text = embedded_template("permissions.csv");
  std::vector<std::string> cells;
  bool header = true;
  while (!text.empty()) {
    size_t nl = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(std::min(nl + 1, text.size()));
    if (trim_spaces(line).empty()) continue;
    split_csv_line(line, cells);
    if (header) {
      header = false;
      continue;
    }
    if (cells.size() >= 3) out.push_back({cells[0], cells[1], cells[2]});
  }
  std::sort(out.begin(), out.end(),
            [](const Permission& a, const Permission& b) { return a.key < b.key; });
  return out;
}

namespace po = boost::program_options;

std::string option_text(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

ExitCode report_failure(const CommandContext& ctx, const Status& st) {
  ctx.err << "roster: error: " << st.message() << "\n";
  return st.exit_code();
}

Result<std::unique_ptr<Directory>> open_directory(const CommandContext& ctx, bool create,
                                                  int lock_timeout_s) {
  static const std::vector<Permission> catalog = permission_catalog();
  Directory::Options options;
  options.create = create;
  options.busy_timeout_ms = lock_timeout_s * 1000;
  options.catalog = &catalog;
  return Directory::open(ctx.db, options);
}

ExitCode write_output(const CommandContext& ctx, const std::string& path, const std::string& data) {
  Status st = write_file_atomically(path.empty() ? "-" : path, data, &ctx.out);
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

ExitCode cmd_init(const CommandContext& ctx) {
  std::string admin = option_text(ctx.vm, "admin"), email = option_text(ctx.vm, "email");
  if (admin.empty() != email.empty()) {
    return report_failure(ctx, Status::usage("--admin and --email go together"));
  }
  if (!admin.empty() && !is_valid_username(admin)) {
    return report_failure(ctx, Status::usage(fmt::format(
                                   "--admin \"{}\" is not a valid username; use 1 to 64 letters, "
                                   "digits and . _ - @, with no spaces",
                                   admin)));
  }
  if (!admin.empty() && !is_valid_email(email)) {
    return report_failure(ctx, Status::usage(fmt::format("--email \"{}\" is not a valid e-mail "
                                                         "address",
                                                         email)));
  }
  auto dir = open_directory(ctx, true, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  Directory& d = **dir;
  Status st = d.begin();
  if (st.is_ok()) st = d.sync_catalog(permission_catalog());
  if (st.is_ok()) st = d.commit();
  if (!st.is_ok()) return report_failure(ctx, st);
  auto version = d.schema_version();
  if (!version.is_ok()) return report_failure(ctx, version.status());
  if (!ctx.quiet) {
    ctx.out << fmt::format("directory \"{}\" ready (schema version {})\n", ctx.db, *version);
  }
  if (admin.empty()) return ExitCode::kOk;

  auto any_user = d.has_users();
  if (!any_user.is_ok()) return report_failure(ctx, any_user.status());
  if (*any_user || d.role_by_name("Administrator") != nullptr) {
    return report_failure(ctx, Status::usage("--admin works only on an empty directory; this one "
                                             "already has users or an Administrator role"));
  }
  std::string now = now_utc_iso8601();
  Job job;
  job.kind = "init";
  job.file = "";
  job.actor = admin;
  job.mode = "init";
  job.started_at = now;
  auto job_id = d.start_job(job);
  if (!job_id.is_ok()) return report_failure(ctx, job_id.status());
  Role role;
  role.name = "Administrator";
  role.key = "administrator";
  role.hierarchy = 0;
  for (const Permission& p : d.permissions()) role.permissions.push_back(p.key);
  role.sources.all = true;
  role.channels.all = true;
  User user;
  user.username = admin;
  user.email = email;
  user.enabled = user.all_channels = user.all_sources = true;
  user.timezone = "UTC";
  user.created_at = user.updated_at = now;
  user.created_by = user.updated_by = admin;
  st = d.begin();
  if (st.is_ok()) st = d.save_role(role);
  if (st.is_ok()) {
    user.role_id = role.id;
    st = d.insert_user(user);
  }
  if (st.is_ok()) {
    st = d.add_audit(*job_id, "role", role.name, "create",
                     {{"Name", "", role.name},
                      {"Key", "", role.key},
                      {"Hierarchy", "", "0"},
                      {"Permissions", "", "*"},
                      {"Access all sources", "", "1"},
                      {"Access all sales channels", "", "1"}});
  }
  if (st.is_ok()) {
    st = d.add_audit(*job_id, "user", admin, "create",
                     {{"Username", "", admin},
                      {"E-mail", "", email},
                      {"Enabled", "", "1"},
                      {"Access all sales channels", "", "1"},
                      {"Access all sources", "", "1"},
                      {"Timezone", "", "UTC"},
                      {"Role", "", role.name}});
  }
  if (st.is_ok()) st = d.commit();
  job.id = *job_id;
  job.finished_at = now_utc_iso8601();
  job.created = st.is_ok() ? 1 : 0;
  job.outcome = st.is_ok() ? "committed" : "failed";
  job.exit_code = static_cast<int>(st.exit_code());
  Status finished = d.finish_job(job);
  if (!st.is_ok()) return report_failure(ctx, st);
  if (!finished.is_ok()) return report_failure(ctx, finished);
  if (!ctx.quiet) {
    ctx.out << fmt::format("administrator \"{}\" created with role \"Administrator\"\n", admin);
  }
  return ExitCode::kOk;
}

ExitCode cmd_template(const CommandContext& ctx, const std::string& which) {
  const std::vector<TemplateKind>& kinds = template_kinds();
  if (std::none_of(kinds.begin(), kinds.end(),
                   [&](const TemplateKind& k) { return k.name == which; })) {
    std::string names;
    for (size_t i = 0; i < kinds.size(); ++i) {
      names += i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ";
      names += kinds[i].name;
    }
    return report_failure(
        ctx, Status::usage(fmt::format("unknown template \"{}\"; choose {}", which, names)));
  }
  return write_output(ctx, option_text(ctx.vm, "out"),
                      std::string(embedded_template(which + ".csv")));
}

ExitCode cmd_import(const CommandContext& ctx, ImportKind kind, bool validate) {
  ImportOptions o;
  o.kind = kind;
  const po::variables_map& vm = ctx.vm;
  bool inbox = vm.count("inbox") > 0;
  if (inbox == (vm.count("file") > 0)) {
    return report_failure(
        ctx, Status::usage(inbox ? "give FILE or --inbox DIR, not both"
                                 : "the file to import is missing (FILE, or --inbox DIR)"));
  }
  if (!inbox) o.file = vm["file"].as<std::string>();
  o.actor = vm["as"].as<std::string>();
  o.dry_run = validate || (vm.count("dry-run") && vm["dry-run"].as<bool>());
  std::string on_error = vm["on-error"].as<std::string>();
  if (on_error != "skip" && on_error != "abort") {
    return report_failure(
        ctx, Status::usage("--on-error takes skip or abort, not \"" + on_error + "\""));
  }
  o.on_error = on_error == "abort" ? OnError::kAbort : OnError::kSkip;
  if (vm.count("max-errors")) {
    o.max_errors = vm["max-errors"].as<int64_t>();
    if (*o.max_errors < 0)
      return report_failure(ctx, Status::usage("--max-errors takes 0 or more"));
  }
  o.upsert = vm["upsert"].as<bool>();
  o.no_invite = vm.count("no-invite") && vm["no-invite"].as<bool>();
  o.force = vm["force"].as<bool>();
  o.max_disable_percent = vm["max-disable"].as<double>();
  if (!(o.max_disable_percent >= 0 && o.max_disable_percent <= 100)) {
    return report_failure(ctx, Status::usage("--max-disable takes a percentage from 0 to 100"));
  }
  o.report_dir = option_text(vm, "report-dir");
  o.default_timezone = option_text(vm, "default-timezone");
  if (!o.default_timezone.empty() && !is_known_timezone(o.default_timezone)) {
    return report_failure(ctx, Status::usage(fmt::format(
                                   "--default-timezone \"{}\" is not in the system's tz database",
                                   o.default_timezone)));
  }
  int lock_timeout = vm["lock-timeout"].as<int>();
  if (lock_timeout < 0) return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  o.quiet = ctx.quiet;
  // A progress line only for a person watching a terminal.
  bool no_progress = vm.count("no-progress") && vm["no-progress"].as<bool>();
  if (!o.quiet && !no_progress && ::isatty(STDERR_FILENO)) o.progress = &ctx.err;
  auto dir = open_directory(ctx, false, lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  if (!inbox) return run_import(**dir, o, ctx.out);
  InboxOptions in;
  in.inbox = vm["inbox"].as<std::string>();
  in.archive = option_text(vm, "archive");
  in.failed = option_text(vm, "failed");
  in.min_age_seconds = vm["min-age"].as<int>();
  in.lock_timeout_seconds = lock_timeout;
  in.import = o;
  return run_inbox(**dir, in, ctx.out);
}

}  // namespace roster
