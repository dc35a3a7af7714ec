// The commands that read the directory: the users and reference-data
// exports, the job history and the audit trail.

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "roster/csv_input.h"
#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/text.h"
#include "roster/validate.h"
#include "util/atomic_file.h"
#include "util/batch_ring.h"

namespace roster {

namespace po = boost::program_options;

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
    if (!roles.empty() && std::none_of(roles.begin(), roles.end(), [&](int64_t r) {
          return r == u.role_id ||
                 std::find(u.app_roles.begin(), u.app_roles.end(), r) != u.app_roles.end();
        })) {
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
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  Directory& d = **dir;
  auto actor = load_actor(d, ctx.vm["as"].as<std::string>(), kUsersPermission);
  if (!actor.is_ok()) return report_failure(ctx, actor.status());
  auto filter = parse_filter(ctx.vm, d);
  if (!filter.is_ok()) return report_failure(ctx, filter.status());
  auto file = AtomicFile::create(
      option_text(ctx.vm, "out").empty() ? "-" : option_text(ctx.vm, "out"), &ctx.out);
  if (!file.is_ok()) return report_failure(ctx, file.status());

  // The applications' role columns only once a role of theirs exists, so that
  // a directory of the back office alone exports exactly as before them.
  bool app_columns = d.other_applications_in_use();
  std::vector<std::string> header = user_columns().required;
  header.emplace_back(col::kChannels);
  const Application* apps[kAppCount] = {};
  if (app_columns) {
    for (size_t i = 1; i < kAppCount; ++i) {
      header.emplace_back(kAppRoleColumns[i].column);
      apps[i] = d.application_by_key(kAppRoleColumns[i].application_key);
    }
  }
  (*file)->write(csv_line(header));
  // One line per user, appended into buffers that are reused: an export of a
  // million users allocates nothing per user here.
  std::string out, sources, channels;
  std::vector<std::string_view> names;
  Status st = for_each_user_ahead(d, [&](const User& u) {
    if (!may_see_user(*actor, u, d) || !filter->matches(u)) return true;
    const Role* role = d.role_by_id(u.role_id);
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
                                      role ? std::string_view(role->name) : "",
                                      sources,
                                      "Update",
                                      channels};
    for (size_t i = 0; i < std::size(cells); ++i) {
      if (i > 0) out += ',';
      append_csv_cell(out, cells[i]);
    }
    for (size_t i = 1; app_columns && i < kAppCount; ++i) {
      out += ',';
      for (int64_t id : u.app_roles) {
        const Role* r = d.role_by_id(id);
        if (r && apps[i] && r->application_id == apps[i]->id) append_csv_cell(out, r->name);
      }
    }
    out += '\n';
    if (out.size() > (64 << 10)) {
      (*file)->write(out);
      out.clear();
    }
    return true;
  });
  (*file)->write(out);
  if (!st.is_ok()) return report_failure(ctx, st);
  st = (*file)->commit();
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

ExitCode cmd_export_reference(const CommandContext& ctx, const std::string& kind) {
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
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
  } else if (kind == "applications") {
    header(application_columns());
    for (const Application& a : d.applications()) text += csv_line({a.key, a.name, "Update"});
  } else {
    // The Application column once a role of another application exists.
    bool app_column = d.other_applications_in_use();
    std::vector<std::string> cols = role_columns().required;
    if (app_column) cols.emplace_back(col::kApplication);
    text += csv_line(cols);
    for (const Role* r : d.roles()) {
      std::vector<std::string> cells = {r->name,
                                        r->key,
                                        std::to_string(r->hierarchy),
                                        join(r->permissions, ","),
                                        r->sources.all ? "1" : "0",
                                        scope_cell(d, r->sources.ids, false),
                                        r->channels.all ? "1" : "0",
                                        scope_cell(d, r->channels.ids, true),
                                        "Update"};
      if (app_column) {
        const Application* app = d.application_by_id(r->application_id);
        cells.push_back(app ? app->key : "");
      }
      text += csv_line(cells);
    }
  }
  return write_output(ctx, option_text(ctx.vm, "out"), text);
}

ExitCode cmd_jobs(const CommandContext& ctx, const std::vector<std::string>& args) {
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
        "unchanged, {} rejected\n  outcome: {}\n  exit code: {}\n",
        j.id, j.kind, j.file, j.sha256, j.actor, j.mode, j.dry_run ? " (dry run)" : "",
        j.started_at, j.finished_at, j.rows_read, j.created, j.updated, j.unchanged, j.rejected,
        j.outcome, j.exit_code);
    return ExitCode::kOk;
  }
  auto jobs = d.list_jobs(ctx.vm["limit"].as<int64_t>());
  if (!jobs.is_ok()) return report_failure(ctx, jobs.status());
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

ExitCode cmd_audit(const CommandContext& ctx) {
  AuditFilter filter;
  if (ctx.vm.count("job")) filter.job_id = ctx.vm["job"].as<int64_t>();
  filter.user = option_text(ctx.vm, "user");
  if (ctx.vm.count("since")) {
    auto t = normalize_utc_time(ctx.vm["since"].as<std::string>());
    if (!t) {
      return report_failure(ctx, Status::usage("--since takes an ISO 8601 UTC time such as "
                                               "2026-01-31T00:00:00Z"));
    }
    filter.since = *t;
  }
  auto dir = open_directory(ctx, false, 30);
  if (!dir.is_ok()) return report_failure(ctx, dir.status());
  auto file = AtomicFile::create(
      option_text(ctx.vm, "out").empty() ? "-" : option_text(ctx.vm, "out"), &ctx.out);
  if (!file.is_ok()) return report_failure(ctx, file.status());
  (*file)->write(
      csv_line({"Time", "Job", "Actor", "Type", "Target", "Action", "Field", "Before", "After"}));
  Status st = (*dir)->for_each_audit(filter, [&](const AuditEntry& e) {
    (*file)->write(csv_line({e.at, std::to_string(e.job_id), e.actor, e.target_type, e.target,
                             e.action, e.change.field, e.change.before, e.change.after}));
  });
  if (!st.is_ok()) return report_failure(ctx, st);
  st = (*file)->commit();
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

}  // namespace roster
