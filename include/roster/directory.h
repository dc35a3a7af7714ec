#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "roster/access.h"
#include "roster/model.h"
#include "roster/result.h"
#include "roster/store.h"

namespace roster {

// The user directory: reference data held in memory (always in step with the
// open transaction), users, audit and jobs, over a Store (store.h) that keeps
// them in a database file or on a database server. The pipeline sees only this
// class; it holds no SQL. Every failure comes back as a database Status (exit 5)
// naming the file or the server.
class Directory : public RoleBook {
 public:
  struct Options {
    bool create = false;          // create the directory when there is none
    int busy_timeout_ms = 30000;  // how long to wait for another writer
    // The permission catalog, written into the directory when it is created or
    // migrated (and on `init`).
    const std::vector<Permission>* catalog = nullptr;
  };

  // Opens (or creates) the directory at `address` (a file path, or a
  // postgresql:// URI: see open_store), upgrading an older schema.
  static Result<std::unique_ptr<Directory>> open(const std::string& address,
                                                 const Options& options);
  // Opens `address` and migrates it only up to `version`; for migration tests.
  static Result<std::unique_ptr<Directory>> open_at_version(const std::string& address,
                                                            int version);
  explicit Directory(std::unique_ptr<Store> store);
  ~Directory() override;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  static int latest_schema_version();
  Result<int> schema_version();
  // The file's path, or the server and database without the password.
  const std::string& path() const { return store_->address(); }

  // One write transaction that excludes every other writer: waits up to the
  // busy timeout, then fails with a Status that names the job holding the lock.
  Status begin();
  Status commit();
  // Rolls back and reloads the in-memory reference data. Never fails loudly.
  void rollback();
  bool in_transaction() const { return store_->in_transaction(); }

  // Writes the permission catalog (insert or update; never deletes a key).
  Status sync_catalog(const std::vector<Permission>& catalog);

  // --- Reference data, from memory. Pointers stay valid until the next write
  // or rollback.
  const std::vector<Permission>& permissions() const { return permissions_; }
  bool permission_exists(const std::string& key) const;
  const Source* source_by_external_id(std::string_view external_id) const;
  const Source* source_by_id(int64_t id) const;
  const SalesChannel* channel_by_external_id(std::string_view external_id) const;
  const SalesChannel* channel_by_id(int64_t id) const;
  // Role by name, else by key, both case-insensitive.
  const Role* role_by_name_or_key(std::string_view name_or_key) const;
  const Role* role_by_name(std::string_view name) const;
  const Role* role_by_key(std::string_view key) const;
  const Role* role_by_id(int64_t id) const override;
  // Roles sorted by name (case-insensitive).
  std::vector<const Role*> roles() const;
  // The smallest hierarchy defined among the roles of the application, or
  // INT_MAX when it has no role.
  int top_hierarchy(int64_t application_id) const override;
  // Applications, by id (the back office first).
  const std::vector<Application>& applications() const { return applications_; }
  const Application* application_by_id(int64_t id) const;
  const Application* application_by_key(std::string_view key) const;  // case-insensitive
  // Whether any role belongs to the application.
  bool application_in_use(int64_t application_id) const;
  // Whether any role belongs to an application other than the back office:
  // exports then write the columns of applications.
  bool other_applications_in_use() const;
  Status save_application(Application& application);  // insert when id == 0
  std::vector<std::string> source_external_ids() const;
  std::vector<std::string> channel_external_ids() const;
  std::vector<const Source*> sources() const;         // by external ID
  std::vector<const SalesChannel*> channels() const;  // by external ID
  std::vector<std::string> role_names_and_keys() const;

  Status save_source(Source& source);  // insert when id == 0, else update
  Status save_channel(SalesChannel& channel);
  Status save_role(Role& role);

  // --- The store's scratch list of usernames for one run (RunTracker).
  Status clear_scratch_names() { return store_->clear_names(); }
  Result<bool> scratch_name_listed(std::string_view username) {
    return store_->name_listed(username);
  }
  Result<bool> list_scratch_name(std::string_view username) { return store_->list_name(username); }
  Result<int64_t> max_user_id() { return store_->max_user_id(); }

  // --- Users. A user with access to all sources has an empty `sources` list,
  // and likewise for sales channels (SPEC: the list is then ignored, not
  // stored); callers keep to that, and reads rely on it.
  // The store's speed-ups for an import (Store::accelerator), or null.
  ImportAccelerator* accelerator() { return store_->accelerator(); }
  Result<std::optional<User>> find_user(std::string_view username);
  // The same into `user`, whose memory is reused; false when there is none.
  Result<bool> find_user(std::string_view username, User& user);
  // The username that holds `email` (case-insensitive), if any.
  Result<std::optional<std::string>> email_owner(std::string_view email);
  Status insert_user(User& user);  // sets user.id
  // Writes the fields of `after` that differ from `before` (same id).
  Status update_user(const User& before, const User& after);
  Result<int64_t> count_enabled_users();
  // Store::any_user_dates and users_due (SPEC §12).
  Result<bool> any_user_dates() { return store_->any_user_dates(); }
  Result<std::vector<User>> users_due(std::string_view now) { return store_->users_due(now); }
  // Whether the directory holds any user at all, enabled or not.
  Result<bool> has_users();
  // A user of `role_id` whose sources or channels fall outside the given scopes,
  // described as "username (what)", or nullopt.
  Result<std::optional<std::string>> user_outside_scope(int64_t role_id, const Scope& sources,
                                                        const Scope& channels);
  // Every user, sorted by username (ASCII case-insensitive). Stops at the first
  // callback that returns false, but may have read and sorted every user first. The callback may
  // take the user's contents (swap them out); the next user is read into whatever it leaves.
  Status for_each_user(const std::function<bool(User&)>& fn);
  // Store::for_each_feed_user, list_feeds and feed_jobs.
  Status for_each_feed_user(std::string_view feed, bool enabled_only,
                            const std::function<bool(int64_t, const std::string&)>& fn) {
    return store_->for_each_feed_user(feed, enabled_only, fn);
  }
  Result<std::vector<FeedInfo>> list_feeds() { return store_->list_feeds(); }
  Result<std::vector<Job>> feed_jobs(std::string_view feed, int64_t limit) {
    return store_->feed_jobs(feed, limit);
  }

  // --- Logins: Store::current_login and the rest.
  Result<std::string> current_login() { return store_->current_login(); }
  Result<std::vector<LoginBinding>> list_logins() { return store_->list_logins(); }
  Status bind_login(std::string_view login, int64_t user_id) {
    return store_->bind_login(login, user_id);
  }
  Result<bool> unbind_login(std::string_view login, int64_t user_id) {
    return store_->unbind_login(login, user_id);
  }

  // --- The invitations outbox (Store::add_invitation and the rest).
  Status add_invitation(const Invitation& invitation);
  Status for_each_invitation(bool pending_only, const std::function<Status(const Invitation&)>& fn);
  // Withdraws the user's pending invitations, as done by job `job_id`.
  Result<int64_t> withdraw_invitations(int64_t user_id, int64_t job_id) {
    return store_->withdraw_invitations(user_id, job_id);
  }
  Result<int64_t> mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                        std::string_view sent_at);

  // --- Audit and jobs.
  // One audit entry for one changed record, with its fields before and after
  // (after only, for a create). `action` is create, update, enable, disable,
  // claim or release; the entry's time and actor are the job's. `reason` says
  // why when no row asked for the change (a sync's disable, a claim).
  Status add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                   std::string_view action, const std::vector<FieldChange>& changes,
                   std::string_view reason = {});
  // Audit entries matching `filter`, oldest first, one call per changed field
  // (the field's action: create, update, enable or disable).
  Status for_each_audit(const AuditFilter& filter,
                        const std::function<void(const AuditEntry&)>& fn);
  // Records a job outside any transaction, so that it survives a rollback.
  Result<int64_t> start_job(const Job& job);
  Status finish_job(const Job& job);
  Result<std::optional<Job>> find_job(int64_t id);
  // Jobs, newest first.
  Result<std::vector<Job>> list_jobs(int64_t limit);
  // The newest job still marked running, other than `except_id`.
  Result<std::optional<Job>> running_job(int64_t except_id);
  // The newest job of `kind` that committed rows from a file with this SHA-256.
  Result<std::optional<Job>> committed_job_with_sha(std::string_view kind, std::string_view sha256);

 private:
  Status load_reference_data();

  std::unique_ptr<Store> store_;
  std::string audit_buffer_;  // reused by add_audit

  std::vector<Permission> permissions_;
  std::vector<Application> applications_;        // by id; a handful
  std::unordered_map<int64_t, Source> sources_;  // by id, looked up per cell
  // Looked up by string_view without building a string (C++20 heterogeneous lookup).
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameMap = std::unordered_map<std::string, int64_t, NameHash, std::equal_to<>>;
  NameMap source_ids_;
  std::unordered_map<int64_t, SalesChannel> channels_;
  NameMap channel_ids_;
  std::map<int64_t, Role> roles_;
  NameMap role_names_;  // lower-case
  NameMap role_keys_;   // lower-case
};

}  // namespace roster
