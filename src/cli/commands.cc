#include "cli/commands.h"

#include <date/tz.h>
#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>
#include <sstream>
#include <thread>

#include "roster/csv_input.h"
#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/inbox.h"
#include "roster/init.h"
#include "roster/logins.h"
#include "roster/store.h"
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
  auto dir = Directory::open(ctx.db, options);
  // Reports, plans and exports follow the directory: its owner's only, or
  // also its group's to read when init --group shared it (SPEC §14).
  struct stat st {};
  if (dir.is_ok() && !is_postgres_address(ctx.db) && ::stat(ctx.db.c_str(), &st) == 0 &&
      (st.st_mode & S_IRGRP) != 0) {
    ::umask((::umask(0) & ~mode_t{070}) | 027);
  }
  return dir;
}

ExitCode write_output(const CommandContext& ctx, const std::string& path, const std::string& data) {
  Status st = write_file_atomically(path.empty() ? "-" : path, data, &ctx.out);
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

namespace {

// init --group: the directory file, read and written by its owner and that
// group (SQLite gives its WAL and shared-memory files the same mode).
Status share_with_group(const std::string& path, const std::string& group) {
  std::vector<char> buffer(16384);
  struct group entry {};
  struct group* found = nullptr;
  if (::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return Status::usage(fmt::format("--group: there is no group \"{}\"", group));
  }
  if (::chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0 ||
      ::chmod(path.c_str(), 0660) != 0) {
    return Status::database(
        fmt::format("cannot give \"{}\" to group {}: {}", path, group, std::strerror(errno)));
  }
  return Status::ok();
}

}  // namespace

ExitCode cmd_init(const CommandContext& ctx, const InitCommand& c) {
  const std::string &admin = c.admin, &email = c.email;
  Status st = check_first_admin(admin, email);
  if (!st.is_ok()) return report_failure(ctx, st);
  if (c.bind && admin.empty()) {
    return report_failure(ctx, Status::usage("--bind binds the login running init to --admin"));
  }
  if (!c.group.empty() && is_postgres_address(ctx.db)) {
    return report_failure(ctx, Status::usage("--group is for a SQLite directory; on PostgreSQL "
                                             "the server's grants decide (docs/operations.md)"));
  }
  auto dir = open_directory(ctx, true, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  if (!c.group.empty()) {
    if (Status shared = share_with_group(ctx.db, c.group); !shared.is_ok()) {
      return report_failure(ctx, shared);
    }
  }
  auto version = prepare_directory(**dir, permission_catalog());
  if (!version.is_ok()) return report_failure(ctx, version.status());
  if (!ctx.quiet) {
    ctx.out << fmt::format("directory \"{}\" ready (schema version {})\n", ctx.db, *version);
  }
  if (admin.empty()) return ExitCode::kOk;
  st = create_first_admin(**dir, admin, email);
  if (!st.is_ok()) return report_failure(ctx, st);
  if (!ctx.quiet) {
    ctx.out << fmt::format("administrator \"{}\" created with role \"Administrator\"\n", admin);
  }
  if (!c.bind) return ExitCode::kOk;
  auto login = (*dir)->current_login();
  if (!login.is_ok()) return report_failure(ctx, login.status());
  std::ostringstream quiet;
  return run_login_change(**dir, {true, admin, *login, admin}, ctx.quiet ? quiet : ctx.out,
                          ctx.err);
}

ExitCode cmd_template(const CommandContext& ctx, const TemplateCommand& c) {
  const std::string& which = c.which;
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
  if (c.example && which != "users") {
    return report_failure(
        ctx, Status::usage(fmt::format("--example exists for the users template only; \"roster "
                                       "{} export\" writes real rows to start from",
                                       which)));
  }
  std::string name = which + (c.example ? "-example.csv" : ".csv");
  return write_output(ctx, c.out, std::string(embedded_template(name)));
}

namespace {

std::string_view class_text(CodeClass cls) {
  switch (cls) {
    case CodeClass::kFile:
      return "the file is refused, exit 3";
    case CodeClass::kRun:
      return "the run is refused, exit 4";
    case CodeClass::kRow:
      return "the row is rejected";
    case CodeClass::kWarning:
      return "a warning; the row is applied";
  }
  return "";
}

}  // namespace

ExitCode cmd_explain(const CommandContext& ctx, const std::string& name) {
  if (name.empty()) {
    for (Code code : all_codes()) {
      ctx.out << fmt::format("{:<34} {}\n", code_name(code), code_help(code).meaning);
    }
    return ExitCode::kOk;
  }
  std::optional<Code> code;
  std::vector<std::string> names;
  for (Code c : all_codes()) {
    if (iequals(code_name(c), trim_spaces(name))) code = c;
    names.emplace_back(code_name(c));
  }
  if (!code) {
    std::optional<std::string> near = closest_match(name, names);
    return report_failure(
        ctx, Status::usage(fmt::format("\"{}\" is not a roster code{}; `roster explain` lists "
                                       "them all",
                                       name, near ? " (did you mean " + *near + "?)" : "")));
  }
  CodeHelp help = code_help(*code);
  ctx.out << fmt::format("{} ({})\n  {}\n  What to do: {}\n", code_name(*code),
                         class_text(code_class(*code)), help.meaning, help.fix);
  return ExitCode::kOk;
}

namespace {

// The import options as run_import takes them, or the usage error.
Result<ImportOptions> import_options(const CommandContext& ctx, const ImportCommand& c) {
  ImportOptions o;
  o.kind = c.kind;
  if (c.inbox.has_value() == c.file.has_value()) {
    return Status::usage(c.inbox ? "give FILE or --inbox DIR, not both"
                                 : "the file to import is missing (FILE, or --inbox DIR)");
  }
  if (c.file) o.file = *c.file;
  o.actor = c.actor;
  o.dry_run = c.validate || c.dry_run;
  if (c.on_error != "skip" && c.on_error != "abort") {
    return Status::usage("--on-error takes skip or abort, not \"" + c.on_error + "\"");
  }
  o.on_error = c.on_error == "abort" ? OnError::kAbort : OnError::kSkip;
  o.max_errors = c.max_errors;
  if (o.max_errors && *o.max_errors < 0) return Status::usage("--max-errors takes 0 or more");
  o.upsert = c.upsert;
  o.no_invite = c.no_invite;
  o.force = c.force;
  if (!c.feed.empty() && !is_valid_feed_name(c.feed)) {
    return Status::usage(
        fmt::format("--feed \"{}\" is not a feed name; use 1 to 64 letters, "
                    "digits and . _ - (hr-workday)",
                    c.feed));
  }
  if (c.sync && c.feed.empty()) {
    return Status::usage(
        "--sync needs --feed NAME: only a feed's own users can be missing "
        "from its snapshot");
  }
  o.feed = c.feed;
  o.sync = c.sync;
  o.max_disable_percent = c.max_disable;
  if (!(o.max_disable_percent >= 0 && o.max_disable_percent <= 100)) {
    return Status::usage("--max-disable takes a percentage from 0 to 100");
  }
  o.report_dir = c.report_dir;
  o.default_timezone = c.default_timezone;
  if (!o.default_timezone.empty() && !is_known_timezone(o.default_timezone)) {
    return Status::usage(fmt::format("--default-timezone \"{}\" is not in the system's tz database",
                                     o.default_timezone));
  }
  auto delimiter = parse_delimiter(c.delimiter);
  if (!delimiter) {
    return Status::usage(fmt::format("--delimiter takes , or ; or tab, not \"{}\"", c.delimiter));
  }
  o.read.delimiter = *delimiter;
  if (!is_known_encoding(c.encoding)) {
    return Status::usage(
        fmt::format("--encoding takes utf-8, windows-1252 or iso-8859-1, not \"{}\"", c.encoding));
  }
  o.read.encoding = c.encoding;
  if (c.lock_timeout < 0) return Status::usage("--lock-timeout takes 0 or more");
  o.quiet = ctx.quiet;
  o.errors = &ctx.err;
  // A progress line only for a person watching a terminal.
  if (!o.quiet && !c.no_progress && ::isatty(STDERR_FILENO)) o.progress = &ctx.err;
  return o;
}

}  // namespace

ExitCode cmd_import(const CommandContext& ctx, const ImportCommand& c) {
  auto o = import_options(ctx, c);
  if (!o.is_ok()) return report_failure(ctx, o.status());
  auto dir = open_directory(ctx, false, c.lock_timeout);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  if (!c.inbox) return run_import(**dir, *o, ctx.out);
  InboxOptions in;
  in.inbox = *c.inbox;
  in.archive = c.archive;
  in.failed = c.failed;
  in.min_age_seconds = c.min_age;
  in.lock_timeout_seconds = c.lock_timeout;
  in.import = *o;
  return run_inbox(**dir, in, ctx.out);
}

}  // namespace roster
