// roster export: the users an actor may see, as the users template.

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "export/scope_text.h"
#include "roster/csv_input.h"
#include "roster/export.h"
#include "roster/text.h"
#include "roster/validate.h"
#include "util/atomic_file.h"
#include "util/batch_ring.h"

namespace roster {
namespace {

// Users export filters; an empty list or nullopt means "any".
struct UserFilter {
  std::vector<int64_t> roles;
  std::vector<int64_t> sources;
  std::optional<bool> enabled;
  std::optional<bool> active;
  std::string changed_since;
  std::string feed;

  bool matches(const User& u) const {
    if (!feed.empty() && u.feed != feed) return false;
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
    if (active && u.active != *active) return false;
    return changed_since.empty() || u.updated_at >= changed_since;
  }
};

Result<UserFilter> make_filter(const UserExportOptions& o, const Directory& d) {
  UserFilter f;
  for (const std::string& r : o.roles) {
    const Role* role = d.role_by_name_or_key(r);
    if (role == nullptr) {
      return Status::usage(fmt::format("--role \"{}\" is not a role name or key{}", r,
                                       hint_for(r, d.role_names_and_keys(), "")));
    }
    f.roles.push_back(role->id);
  }
  for (const std::string& s : o.sources) {
    const Source* src = d.source_by_external_id(s);
    if (src == nullptr) {
      return Status::usage(fmt::format("--source \"{}\" is not a source external ID{}", s,
                                       hint_for(s, d.source_external_ids(), "")));
    }
    f.sources.push_back(src->id);
  }
  f.enabled = o.enabled;
  f.active = o.active;
  f.feed = o.feed;
  if (!o.changed_since.empty()) {
    auto t = normalize_utc_time(o.changed_since);
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

// The users export's lines, written as the users are read.
Status write_users(Directory& d, const Actor& actor, const UserFilter& filter, AtomicFile& file) {
  auto dates = d.any_user_dates();
  if (!dates.is_ok()) return dates.status();
  UserRowWriter writer(d, *dates);
  file.write(csv_line(writer.header()));
  // One line per user, appended into buffers that are reused: an export of a
  // million users allocates nothing per user once they have grown.
  std::string out;
  Status st = for_each_user_ahead(d, [&](const User& u) {
    if (!may_see_user(actor, u, d) || !filter.matches(u)) return true;
    writer.cells(u);
    writer.append_line(out);
    if (out.size() > (64 << 10)) {
      file.write(out);
      out.clear();
    }
    return true;
  });
  file.write(out);
  return st;
}

}  // namespace

UserRowWriter::UserRowWriter(const Directory& d, bool date_columns)
    : d_(d), date_columns_(date_columns) {
  // The applications' role columns only once a role of theirs exists, so that
  // a directory of the back office alone exports exactly as before them.
  app_columns_ = d.other_applications_in_use();
  header_ = user_columns().required;
  header_.emplace_back(col::kChannels);
  if (app_columns_) {
    for (size_t i = 1; i < kAppCount; ++i) {
      header_.emplace_back(kAppRoleColumns[i].column);
      apps_[i] = d.application_by_key(kAppRoleColumns[i].application_key);
    }
  }
  // The dates last, and only once some user has one (SPEC §12).
  if (date_columns_) {
    header_.emplace_back(col::kStartDate);
    header_.emplace_back(col::kEndDate);
  }
  cells_.resize(header_.size());
}

std::vector<std::string>& UserRowWriter::cells(const User& u) {
  const Role* role = d_.role_by_id(u.role_id);
  size_t i = 0;
  cells_[i++] = u.username;
  cells_[i++] = u.email;
  cells_[i++] = u.enabled ? "1" : "0";
  cells_[i++] = u.all_channels ? "1" : "0";
  cells_[i++] = u.all_sources ? "1" : "0";
  cells_[i++] = u.timezone;
  cells_[i++] = role ? std::string_view(role->name) : "";
  cells_[i].clear();
  append_scope(cells_[i++], d_, u.sources, false, names_);
  cells_[i++] = "Update";
  cells_[i].clear();
  append_scope(cells_[i++], d_, u.channels, true, names_);
  for (size_t a = 1; app_columns_ && a < kAppCount; ++a) {
    std::string& cell = cells_[i++];
    cell.clear();
    for (int64_t id : u.app_roles) {
      const Role* r = d_.role_by_id(id);
      if (r && apps_[a] && r->application_id == apps_[a]->id) cell = r->name;
    }
  }
  if (date_columns_) {
    cells_[i++] = u.start_date;
    cells_[i++] = u.end_date;
  }
  return cells_;
}

void UserRowWriter::append_line(std::string& out) const {
  for (size_t i = 0; i < cells_.size(); ++i) {
    if (i > 0) out += ',';
    append_csv_cell(out, cells_[i]);
  }
  out += '\n';
}

Status export_users(Directory& dir, const UserExportOptions& options,
                    std::ostream& standard_output) {
  auto actor = load_actor(dir, options.actor, kUsersPermission);
  if (!actor.is_ok()) return actor.status();
  auto filter = make_filter(options, dir);
  if (!filter.is_ok()) return filter.status();
  if (!options.feed.empty()) {
    auto feeds = dir.list_feeds();
    if (!feeds.is_ok()) return feeds.status();
    std::vector<std::string> names;
    for (const FeedInfo& f : *feeds) names.push_back(f.name);
    if (std::find(names.begin(), names.end(), options.feed) == names.end()) {
      return Status::usage(
          fmt::format("--feed \"{}\" is no feed of this directory{}", options.feed,
                      hint_for(options.feed, names, " (roster feeds lists them)")));
    }
  }
  auto file = AtomicFile::create(options.out.empty() ? "-" : options.out, &standard_output);
  if (!file.is_ok()) return file.status();
  Status st = write_users(dir, *actor, *filter, **file);
  if (!st.is_ok()) return st;
  return (*file)->commit();
}

}  // namespace roster
