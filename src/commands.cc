#include "commands.h"

#include <date/tz.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "atomic_file.h"
#include "batch_ring.h"
#include "roster/csv_input.h"
#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/inbox.h"
#include "roster/text.h"
#include "roster/validate.h"

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

namespace {

namespace po = boost::program_options;

std::string opt(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

ExitCode report(const CommandContext& ctx, const Status& st) {
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
  if (!st.is_ok()) return report(ctx, st);
  return ExitCode::kOk;
}

}  // namespace

ExitCode cmd_init(const CommandContext& ctx) {
  std::string admin = opt(ctx.vm, "admin"), email = opt(ctx.vm, "email");
  if (admin.empty() != email.empty()) {
    return report(ctx, Status::usage("--admin and --email go together"));
  }
  if (!admin.empty() && !is_valid_username(admin)) {
    return report(ctx, Status::usage(fmt::format(
                           "--admin \"{}\" is not a valid username; use 1 to 64 letters, "
                           "digits and . _ - @, with no spaces",
                           admin)));
  }
  if (!admin.empty() && !is_valid_email(email)) {
    return report(ctx, Status::usage(fmt::format("--email \"{}\" is not a valid e-mail "
                                                 "address",
                                                 email)));
  }
  auto dir = open_directory(ctx, true, 30);
  if (!dir.is_ok()) return report(ctx, dir.status());
  Directory& d = **dir;
  Status st = d.begin();
  if (st.is_ok()) st = d.sync_catalog(permission_catalog());
  if (st.is_ok()) st = d.commit();
  if (!st.is_ok()) return report(ctx, st);
  auto version = d.schema_version();
  if (!version.is_ok()) return report(ctx, version.status());
  if (!ctx.quiet) {
    ctx.out << fmt::format("directory \"{}\" ready (schema version {})\n", ctx.db, *version);
  }
  if (admin.empty()) return ExitCode::kOk;

  bool any_user = false;
  st = d.for_each_user([&](User&) {
    any_user = true;
    return false;
  });
  if (!st.is_ok()) return report(ctx, st);
  if (any_user || d.role_by_name("Administrator") != nullptr) {
    return report(ctx, Status::usage("--admin works only on an empty directory; this one "
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
  if (!job_id.is_ok()) return report(ctx, job_id.status());
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
  if (!st.is_ok()) return report(ctx, st);
  if (!finished.is_ok()) return report(ctx, finished);
  if (!ctx.quiet) {
    ctx.out << fmt::format("administrator \"{}\" created with role \"Administrator\"\n", admin);
  }
  return ExitCode::kOk;
}

ExitCode cmd_template(const CommandContext& ctx, const std::string& which) {
  static const char* const kNames[] = {"users", "roles", "sources", "sales-channels",
                                       "permissions"};
  if (std::find(std::begin(kNames), std::end(kNames), which) == std::end(kNames)) {
    return report(
        ctx, Status::usage(fmt::format("unknown template \"{}\"; choose users, roles, sources, "
                                       "sales-channels or permissions",
                                       which)));
  }
  return write_output(ctx, opt(ctx.vm, "out"), std::string(embedded_template(which + ".csv")));
}

ExitCode cmd_import(const CommandContext& ctx, const std::string& kind, bool validate) {
  ImportOptions o;
  o.kind = kind == "roles"            ? ImportKind::kRoles
           : kind == "sources"        ? ImportKind::kSources
           : kind == "sales-channels" ? ImportKind::kSalesChannels
                                      : ImportKind::kUsers;
  const po::variables_map& vm = ctx.vm;
  bool inbox = vm.count("inbox") > 0;
  if (inbox == (vm.count("file") > 0)) {
    return report(ctx,
                  Status::usage(inbox ? "give FILE or --inbox DIR, not both"
                                      : "the file to import is missing (FILE, or --inbox DIR)"));
  }
  if (!inbox) o.file = vm["file"].as<std::string>();
  o.actor = vm["as"].as<std::string>();
  o.dry_run = validate || (vm.count("dry-run") && vm["dry-run"].as<bool>());
  std::string on_error = vm["on-error"].as<std::string>();
  if (on_error != "skip" && on_error != "abort") {
    return report(ctx, Status::usage("--on-error takes skip or abort, not \"" + on_error + "\""));
  }
  o.on_error = on_error == "abort" ? OnError::kAbort : OnError::kSkip;
  if (vm.count("max-errors")) {
    o.max_errors = vm["max-errors"].as<int64_t>();
    if (*o.max_errors < 0) return report(ctx, Status::usage("--max-errors takes 0 or more"));
  }
  o.upsert = vm["upsert"].as<bool>();
  o.force = vm["force"].as<bool>();
  o.max_disable_percent = vm["max-disable"].as<double>();
  if (!(o.max_disable_percent >= 0 && o.max_disable_percent <= 100)) {
    return report(ctx, Status::usage("--max-disable takes a percentage from 0 to 100"));
  }
  o.report_dir = opt(vm, "report-dir");
  o.default_timezone = opt(vm, "default-timezone");
  if (!o.default_timezone.empty() && !is_known_timezone(o.default_timezone)) {
    return report(ctx, Status::usage(fmt::format(
                           "--default-timezone \"{}\" is not in the system's tz database",
                           o.default_timezone)));
  }
  int lock_timeout = vm["lock-timeout"].as<int>();
  if (lock_timeout < 0) return report(ctx, Status::usage("--lock-timeout takes 0 or more"));
  o.quiet = ctx.quiet;
  // A progress line only for a person watching a terminal.
  bool no_progress = vm.count("no-progress") && vm["no-progress"].as<bool>();
  if (!o.quiet && !no_progress && ::isatty(STDERR_FILENO)) o.progress = &ctx.err;
  auto dir = open_directory(ctx, false, lock_timeout);
  if (!dir.is_ok()) return report(ctx, dir.status());
  if (!inbox) return run_import(**dir, o, ctx.out);
  InboxOptions in;
  in.inbox = vm["inbox"].as<std::string>();
  in.archive = opt(vm, "archive");
  in.failed = opt(vm, "failed");
  in.min_age_seconds = vm["min-age"].as<int>();
  in.lock_timeout_seconds = lock_timeout;
  in.import = o;
  return run_inbox(**dir, in, ctx.out);
}

namespace {

// Appends the external IDs of sources (or sales channels) `ids` to `out`, sorted
// and comma-separated; `names` is scratch space, reused from call to call.
void append_scope(std::string& out, const Directory& d, const std::vector<int64_t>& ids,
                  bool channels, std::vector<std::string_view>& names) {
  names.clear();
  for (int64_t id : ids) {
    if (channels) {
      if (const SalesChannel* c = d.channel_by_id(id)) names.push_back(c->external_id);
    } else if (const Source* s = d.source_by_id(id)) {
      names.push_back(s->external_id);
    }
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
  }
}

std::string scope_cell(const Directory& d, const std::vector<int64_t>& ids, bool channels) {
  std::string out;
  std::vector<std::string_view> names;
  append_scope(out, d, ids, channels, names);
  return out;
}

// Users export filters; an empty list or nullopt means "any".
struct UserFilter {
  std::vector<int64_t> roles;
  std::vector<int64_t> sources;
  std::optional<bool> enabled;
  std::string changed_since;

  bool matches(const User& u) const {
    if (!roles.empty() && std::find(roles.begin(), roles.end(), u.role_id) == roles.end()) {
      return false;
    }
    if (!sources.empty() && !u.all_sources &&
        std::none_of(sources.begin(), sources.end(), [&](int64_t s) {
          return std::binary_search(u.sources.begin(), u.sources.end(), s);
        })) {
      return false;
    }
    if (enabled && u.enabled != *enabled) return false;
    return changed_since.empty() || u.updated_at >= changed_since;
  }
};

Result<UserFilter> parse_filter(const po::variables_map& vm, const Directory& d) {
  UserFilter f;
  if (vm.count("role")) {
    for (const std::string& r : vm["role"].as<std::vector<std::string>>()) {
      const Role* role = d.role_by_name_or_key(r);
      if (role == nullptr) {
        return Status::usage(fmt::format("--role \"{}\" is not a role name or key{}", r,
                                         hint_for(r, d.role_names_and_keys(), "")));
      }
      f.roles.push_back(role->id);
    }
  }
  if (vm.count("source")) {
    for (const std::string& s : vm["source"].as<std::vector<std::string>>()) {
      const Source* src = d.source_by_external_id(s);
      if (src == nullptr) {
        return Status::usage(fmt::format("--source \"{}\" is not a source external ID{}", s,
                                         hint_for(s, d.source_external_ids(), "")));
      }
      f.sources.push_back(src->id);
    }
  }
  if (vm.count("enabled")) {
    std::string e = vm["enabled"].as<std::string>();
    if (e != "0" && e != "1") return Status::usage("--enabled takes 0 or 1");
    f.enabled = e == "1";
  }
  if (vm.count("changed-since")) {
    auto t = normalize_utc_time(vm["changed-since"].as<std::string>());
    if (!t) {
      return Status::usage(
          "--changed-since takes an ISO 8601 UTC time such as "
          "2026-01-31T00:00:00Z");
    }
    f.changed_since = *t;
  }
  return f;
}

// Directory::for_each_user, with the directory read on a thread of its own, a
// batch of users ahead, while `fn` runs on this one: an export formats and
// writes one batch while the next is read. Nothing else may use `d` meanwhile
// but its reference data (roles, sources, channels), which stays constant.
Status for_each_user_ahead(Directory& d, const std::function<bool(const User&)>& fn) {
  BatchRing<User> ring(3, 256);
  Status scanned;
  std::thread reader([&] {
    try {
      BatchRing<User>::Batch* batch = ring.acquire();
      if (batch == nullptr) return;  // stopped before it started
      scanned = d.for_each_user([&](User& u) {
        // A swap, not a copy: the scan reads the next user into the memory of
        // the one this slot held before.
        std::swap(batch->items[batch->count++], u);
        if (batch->count < batch->items.size()) return true;
        ring.publish();
        batch = ring.acquire();
        return batch != nullptr;  // null: this thread stopped the scan
      });
      if (batch != nullptr) {
        batch->last = true;
        ring.publish();
      }
    } catch (...) {
      ring.fail(std::current_exception());
    }
  });
  // Stops and joins the reading thread on every way out, an exception included.
  struct Join {
    BatchRing<User>& ring;
    std::thread& thread;
    ~Join() {
      ring.stop();
      if (thread.joinable()) thread.join();
    }
  } join{ring, reader};
  while (const User* u = ring.next()) {
    if (!fn(*u)) break;
  }
  ring.stop();
  reader.join();
  return scanned;
}

}  // namespace

ExitCode cmd_export_users(const CommandContext& ctx) {
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report(ctx, dir.status());
  Directory& d = **dir;
  auto actor = load_actor(d, ctx.vm["as"].as<std::string>(), kUsersPermission);
  if (!actor.is_ok()) return report(ctx, actor.status());
  auto filter = parse_filter(ctx.vm, d);
  if (!filter.is_ok()) return report(ctx, filter.status());
  auto file = AtomicFile::create(opt(ctx.vm, "out").empty() ? "-" : opt(ctx.vm, "out"), &ctx.out);
  if (!file.is_ok()) return report(ctx, file.status());

  const TemplateColumns& cols = user_columns();
  std::vector<std::string> header = cols.required;
  header.insert(header.end(), cols.optional.begin(), cols.optional.end());
  (*file)->write(csv_line(header));
  int top = d.top_hierarchy();
  // One line per user, appended into buffers that are reused: an export of a
  // million users allocates nothing per user here.
  std::string out, sources, channels;
  std::vector<std::string_view> names;
  Status st = for_each_user_ahead(d, [&](const User& u) {
    const Role* role = d.role_by_id(u.role_id);
    if (role == nullptr) return true;
    bool visible = u.id == actor->user_id || may_assign(actor->hierarchy, role->hierarchy, top);
    if (!visible || !filter->matches(u)) return true;
    sources.clear();
    append_scope(sources, d, u.sources, false, names);
    channels.clear();
    append_scope(channels, d, u.channels, true, names);
    const std::string_view cells[] = {u.username,
                                      u.email,
                                      u.enabled ? "1" : "0",
                                      u.all_channels ? "1" : "0",
                                      u.all_sources ? "1" : "0",
                                      u.timezone,
                                      role->name,
                                      sources,
                                      "Update",
                                      channels};
    for (size_t i = 0; i < std::size(cells); ++i) {
      if (i > 0) out += ',';
      append_csv_cell(out, cells[i]);
    }
    out += '\n';
    if (out.size() > (64 << 10)) {
      (*file)->write(out);
      out.clear();
    }
    return true;
  });
  (*file)->write(out);
  if (!st.is_ok()) return report(ctx, st);
  st = (*file)->commit();
  if (!st.is_ok()) return report(ctx, st);
  return ExitCode::kOk;
}

ExitCode cmd_export_reference(const CommandContext& ctx, const std::string& kind) {
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report(ctx, dir.status());
  const Directory& d = **dir;
  std::string text;
  auto header = [&](const TemplateColumns& cols) { text += csv_line(cols.required); };
  if (kind == "sources") {
    header(source_columns());
    for (const Source* s : d.sources()) {
      text += csv_line({s->external_id, s->name, s->type, s->enabled ? "1" : "0", "Update"});
    }
  } else if (kind == "sales-channels") {
    header(channel_columns());
    for (const SalesChannel* c : d.channels()) {
      text += csv_line({c->external_id, c->name, "Update"});
    }
  } else {
    header(role_columns());
    for (const Role* r : d.roles()) {
      text +=
          csv_line({r->name, r->key, std::to_string(r->hierarchy), join(r->permissions, ","),
                    r->sources.all ? "1" : "0", scope_cell(d, r->sources.ids, false),
                    r->channels.all ? "1" : "0", scope_cell(d, r->channels.ids, true), "Update"});
    }
  }
  return write_output(ctx, opt(ctx.vm, "out"), text);
}

ExitCode cmd_jobs(const CommandContext& ctx, const std::vector<std::string>& args) {
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report(ctx, dir.status());
  Directory& d = **dir;
  if (!args.empty()) {
    int64_t id = 0;
    if (args.size() != 2 || args[0] != "show" ||
        !std::all_of(args[1].begin(), args[1].end(), ::isdigit) || args[1].empty() ||
        args[1].size() > 18) {
      return report(ctx, Status::usage("usage: roster jobs [--limit N] | roster jobs show ID"));
    }
    id = std::stoll(args[1]);
    auto job = d.find_job(id);
    if (!job.is_ok()) return report(ctx, job.status());
    if (!job->has_value()) {
      return report(ctx, Status::usage(fmt::format("there is no job {}", id)));
    }
    const Job& j = **job;
    ctx.out << fmt::format(
        "job {}\n  kind: {}\n  file: {}\n  sha256: {}\n  actor: {}\n  mode: {}{}\n"
        "  started: {}\n  finished: {}\n  rows: {} read, {} created, {} updated, {} "
        "unchanged, {} rejected\n  outcome: {}\n  exit code: {}\n",
        j.id, j.kind, j.file, j.sha256, j.actor, j.mode, j.dry_run ? " (dry run)" : "",
        j.started_at, j.finished_at, j.rows_read, j.created, j.updated, j.unchanged, j.rejected,
        j.outcome, j.exit_code);
    return ExitCode::kOk;
  }
  auto jobs = d.list_jobs(ctx.vm["limit"].as<int64_t>());
  if (!jobs.is_ok()) return report(ctx, jobs.status());
  ctx.out << fmt::format("{:>5}  {:<20}  {:<14}  {:<12}  {:>7} {:>7} {:>7} {:>7}  {:<11}  {}\n",
                         "JOB", "STARTED", "KIND", "ACTOR", "READ", "CREATED", "UPDATED", "REJECT",
                         "OUTCOME", "FILE");
  for (const Job& j : *jobs) {
    ctx.out << fmt::format("{:>5}  {:<20}  {:<14}  {:<12}  {:>7} {:>7} {:>7} {:>7}  {:<11}  {}\n",
                           j.id, j.started_at, j.kind, j.actor, j.rows_read, j.created, j.updated,
                           j.rejected, j.outcome, j.file);
  }
  return ExitCode::kOk;
}

}  // namespace roster

namespace roster {

ExitCode cmd_audit(const CommandContext& ctx) {
  AuditFilter filter;
  if (ctx.vm.count("job")) filter.job_id = ctx.vm["job"].as<int64_t>();
  filter.user = opt(ctx.vm, "user");
  if (ctx.vm.count("since")) {
    auto t = normalize_utc_time(ctx.vm["since"].as<std::string>());
    if (!t) {
      return report(ctx, Status::usage("--since takes an ISO 8601 UTC time such as "
                                       "2026-01-31T00:00:00Z"));
    }
    filter.since = *t;
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report(ctx, dir.status());
  auto file = AtomicFile::create(opt(ctx.vm, "out").empty() ? "-" : opt(ctx.vm, "out"), &ctx.out);
  if (!file.is_ok()) return report(ctx, file.status());
  (*file)->write(
      csv_line({"Time", "Job", "Actor", "Type", "Target", "Action", "Field", "Before", "After"}));
  Status st = (*dir)->for_each_audit(filter, [&](const AuditEntry& e) {
    (*file)->write(csv_line({e.at, std::to_string(e.job_id), e.actor, e.target_type, e.target,
                             e.action, e.change.field, e.change.before, e.change.after}));
  });
  if (!st.is_ok()) return report(ctx, st);
  st = (*file)->commit();
  if (!st.is_ok()) return report(ctx, st);
  return ExitCode::kOk;
}

}  // namespace roster
