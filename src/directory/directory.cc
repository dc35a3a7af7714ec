#include "roster/directory.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "roster/audit_codec.h"
#include "roster/open_store.h"
#include "roster/text.h"

namespace roster {

Result<std::unique_ptr<Directory>> Directory::open(const std::string& address,
                                                   const Options& options) {
  StoreOptions so;
  so.create = options.create;
  so.lock_timeout_ms = options.busy_timeout_ms;
  auto store = open_current_store(address, so, options.catalog);
  if (!store.is_ok()) return store.status();
  auto dir = std::make_unique<Directory>(std::move(*store));
  Status s = dir->load_reference_data();
  if (!s.is_ok()) return s;
  return dir;
}

Result<std::unique_ptr<Directory>> Directory::open_at_version(const std::string& address,
                                                              int version) {
  StoreOptions so;
  so.create = true;
  so.lock_timeout_ms = 1000;
  auto store = open_store(address, so);
  if (!store.is_ok()) return store.status();
  Status s = (*store)->migrate(version, nullptr);
  if (!s.is_ok()) return s;
  return std::make_unique<Directory>(std::move(*store));
}

Directory::Directory(std::unique_ptr<Store> store) : store_(std::move(store)) {}

Directory::~Directory() = default;

int Directory::latest_schema_version() { return kSchemaVersion; }

Result<int> Directory::schema_version() { return store_->schema_version(); }

Status Directory::begin() { return store_->begin(); }

Status Directory::commit() {
  Status st = store_->commit();
  // A failed commit rolled back: the reference data in memory must follow.
  // The commit's own failure is the one to report; a reload that fails too
  // would fail the same way on the next call.
  if (!st.is_ok()) static_cast<void>(load_reference_data());
  return st;
}

void Directory::rollback() {
  store_->rollback();
  // Never fails loudly (see the header); a store that cannot reload fails the
  // next call that reads it.
  static_cast<void>(load_reference_data());
}

Status Directory::sync_catalog(const std::vector<Permission>& catalog) {
  for (const Permission& p : catalog) {
    Status st = store_->upsert_permission(p);
    if (!st.is_ok()) return st;
  }
  return load_reference_data();
}

Status Directory::load_reference_data() {
  ReferenceData data;
  Status st = store_->load_reference(data);
  permissions_ = std::move(data.permissions);
  sources_.clear();
  source_ids_.clear();
  channels_.clear();
  channel_ids_.clear();
  roles_.clear();
  role_names_.clear();
  role_keys_.clear();
  applications_ = std::move(data.applications);
  for (Source& src : data.sources) {
    source_ids_[src.external_id] = src.id;
    sources_[src.id] = std::move(src);
  }
  for (SalesChannel& c : data.channels) {
    channel_ids_[c.external_id] = c.id;
    channels_[c.id] = std::move(c);
  }
  for (Role& r : data.roles) {
    role_names_[to_lower_ascii(r.name)] = r.id;
    if (!r.key.empty()) role_keys_[to_lower_ascii(r.key)] = r.id;
    roles_[r.id] = std::move(r);
  }
  return st;
}

bool Directory::permission_exists(const std::string& key) const {
  return std::ranges::binary_search(permissions_, key, {}, &Permission::key);
}

const Source* Directory::source_by_external_id(std::string_view external_id) const {
  auto it = source_ids_.find(external_id);
  return it == source_ids_.end() ? nullptr : &sources_.at(it->second);
}

const Source* Directory::source_by_id(int64_t id) const {
  auto it = sources_.find(id);
  return it == sources_.end() ? nullptr : &it->second;
}

const SalesChannel* Directory::channel_by_external_id(std::string_view external_id) const {
  auto it = channel_ids_.find(external_id);
  return it == channel_ids_.end() ? nullptr : &channels_.at(it->second);
}

const SalesChannel* Directory::channel_by_id(int64_t id) const {
  auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : &it->second;
}

const Role* Directory::role_by_name(std::string_view name) const {
  auto it = role_names_.find(to_lower_ascii(name));
  return it == role_names_.end() ? nullptr : &roles_.at(it->second);
}

const Role* Directory::role_by_key(std::string_view key) const {
  auto it = role_keys_.find(to_lower_ascii(key));
  return it == role_keys_.end() ? nullptr : &roles_.at(it->second);
}

const Role* Directory::role_by_name_or_key(std::string_view name_or_key) const {
  const Role* r = role_by_name(name_or_key);
  return r != nullptr ? r : role_by_key(name_or_key);
}

const Role* Directory::role_by_id(int64_t id) const {
  auto it = roles_.find(id);
  return it == roles_.end() ? nullptr : &it->second;
}

std::vector<const Role*> Directory::roles() const {
  std::vector<const Role*> out;
  for (const auto& [id, r] : roles_) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const Role* a, const Role* b) {
    return to_lower_ascii(a->name) < to_lower_ascii(b->name);
  });
  return out;
}

int Directory::top_hierarchy(int64_t application_id) const {
  int top = INT_MAX;
  for (const auto& [id, r] : roles_) {
    if (r.application_id == application_id) top = std::min(top, r.hierarchy);
  }
  return top;
}

const Application* Directory::application_by_id(int64_t id) const {
  for (const Application& a : applications_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const Application* Directory::application_by_key(std::string_view key) const {
  for (const Application& a : applications_) {
    if (iequals(a.key, key)) return &a;
  }
  return nullptr;
}

bool Directory::application_in_use(int64_t application_id) const {
  for (const auto& [id, r] : roles_) {
    if (r.application_id == application_id) return true;
  }
  return false;
}

bool Directory::other_applications_in_use() const {
  for (const auto& [id, r] : roles_) {
    if (r.application_id != kBackOfficeApplicationId) return true;
  }
  return false;
}

Status Directory::save_application(Application& application) {
  Status st = store_->save_application(application);
  if (!st.is_ok()) return st;
  for (Application& a : applications_) {
    if (a.id == application.id) {
      a = application;
      return Status::ok();
    }
  }
  applications_.push_back(application);
  return Status::ok();
}

std::vector<const Source*> Directory::sources() const {
  std::vector<const Source*> out;
  for (const auto& [id, s] : sources_) out.push_back(&s);
  std::sort(out.begin(), out.end(),
            [](const Source* a, const Source* b) { return a->external_id < b->external_id; });
  return out;
}

std::vector<const SalesChannel*> Directory::channels() const {
  std::vector<const SalesChannel*> out;
  for (const auto& [id, c] : channels_) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const SalesChannel* a, const SalesChannel* b) {
    return a->external_id < b->external_id;
  });
  return out;
}

namespace {

// External IDs in id order (the order they were created in).
template <typename Map>
std::vector<std::string> external_ids_by_id(const Map& by_id) {
  std::vector<std::pair<int64_t, const std::string*>> ids;
  for (const auto& [id, item] : by_id) ids.emplace_back(id, &item.external_id);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> out;
  for (const auto& [id, name] : ids) out.push_back(*name);
  return out;
}

}  // namespace

std::vector<std::string> Directory::source_external_ids() const {
  return external_ids_by_id(sources_);
}

std::vector<std::string> Directory::channel_external_ids() const {
  return external_ids_by_id(channels_);
}

std::vector<std::string> Directory::role_names_and_keys() const {
  std::vector<std::string> out;
  for (const auto& [id, r] : roles_) {
    out.push_back(r.name);
    if (!r.key.empty()) out.push_back(r.key);
  }
  return out;
}

Status Directory::save_source(Source& source) {
  Status st = store_->save_source(source);
  if (!st.is_ok()) return st;
  source_ids_[source.external_id] = source.id;
  sources_[source.id] = source;
  return Status::ok();
}

Status Directory::save_channel(SalesChannel& channel) {
  Status st = store_->save_channel(channel);
  if (!st.is_ok()) return st;
  channel_ids_[channel.external_id] = channel.id;
  channels_[channel.id] = channel;
  return Status::ok();
}

Status Directory::save_role(Role& role) {
  bool inserting = role.id == 0;
  Status st = store_->save_role(role);
  if (!st.is_ok()) return st;
  if (!inserting) {
    const Role& old = roles_.at(role.id);
    role_names_.erase(to_lower_ascii(old.name));
    if (!old.key.empty()) role_keys_.erase(to_lower_ascii(old.key));
  }
  role_names_[to_lower_ascii(role.name)] = role.id;
  if (!role.key.empty()) role_keys_[to_lower_ascii(role.key)] = role.id;
  roles_[role.id] = role;
  return Status::ok();
}

Result<std::optional<User>> Directory::find_user(std::string_view username) {
  std::optional<User> found(std::in_place);
  auto lookup = find_user(username, *found);
  if (!lookup.is_ok()) return lookup.status();
  if (!*lookup) found.reset();
  return found;
}

Result<bool> Directory::find_user(std::string_view username, User& user) {
  return store_->find_user(username, user);
}

Result<std::optional<std::string>> Directory::email_owner(std::string_view email) {
  return store_->email_owner(email);
}

Status Directory::insert_user(User& user) { return store_->insert_user(user); }

Status Directory::update_user(const User& before, const User& after) {
  return store_->update_user(before, after);
}

Result<int64_t> Directory::count_enabled_users() { return store_->count_enabled_users(); }

Result<bool> Directory::has_users() {
  auto max_id = store_->max_user_id();  // ids start at 1
  if (!max_id.is_ok()) return max_id.status();
  return *max_id > 0;
}

Result<std::optional<std::string>> Directory::user_outside_scope(int64_t role_id,
                                                                 const Scope& sources,
                                                                 const Scope& channels) {
  std::optional<std::string> found;
  Status st = store_->for_each_user(role_id, [&](User& u) {
    if (u.all_sources && !sources.all) {
      found = u.username + " (has all sources)";
    } else if (u.all_channels && !channels.all) {
      found = u.username + " (has all sales channels)";
    }
    for (size_t i = 0; !found && i < u.sources.size(); ++i) {
      if (!sources.contains(u.sources[i])) {
        const Source* src = source_by_id(u.sources[i]);
        found = fmt::format("{} (has source {})", u.username, src ? src->external_id : "?");
      }
    }
    for (size_t i = 0; !found && i < u.channels.size(); ++i) {
      if (!channels.contains(u.channels[i])) {
        const SalesChannel* c = channel_by_id(u.channels[i]);
        found = fmt::format("{} (has sales channel {})", u.username, c ? c->external_id : "?");
      }
    }
    return !found;
  });
  if (!st.is_ok()) return st;
  return found;
}

Status Directory::for_each_user(const std::function<bool(User&)>& fn) {
  return store_->for_each_user(0, fn);
}

Status Directory::add_invitation(const Invitation& invitation) {
  return store_->add_invitation(invitation);
}

Status Directory::for_each_invitation(bool pending_only,
                                      const std::function<Status(const Invitation&)>& fn) {
  return store_->for_each_invitation(pending_only, fn);
}

Result<int64_t> Directory::mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                                 std::string_view sent_at) {
  return store_->mark_invitations_sent(job_id, ids, sent_at);
}

Status Directory::add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                            std::string_view action, const std::vector<FieldChange>& changes,
                            std::string_view reason) {
  encode_audit_changes(action, changes, audit_buffer_);
  return store_->add_audit(job_id, target_type, target, action, audit_buffer_, reason);
}

Status Directory::for_each_audit(const AuditFilter& filter,
                                 const std::function<void(const AuditEntry&)>& fn) {
  AuditEntry e;
  return store_->for_each_audit(
      filter, [&](const StoredAudit& stored) { return decode_audit(stored, e, fn); });
}

Result<int64_t> Directory::start_job(const Job& job) { return store_->start_job(job); }

Status Directory::finish_job(const Job& job) { return store_->finish_job(job); }

Result<std::optional<Job>> Directory::find_job(int64_t id) { return store_->find_job(id); }

Result<std::vector<Job>> Directory::list_jobs(int64_t limit) { return store_->list_jobs(limit); }

Result<std::optional<Job>> Directory::running_job(int64_t except_id) {
  return store_->running_job(except_id);
}

Result<std::optional<Job>> Directory::committed_job_with_sha(std::string_view kind,
                                                             std::string_view sha256) {
  return store_->committed_job_with_sha(kind, sha256);
}

}  // namespace roster
