#include "roster/store.h"

#include <fmt/format.h>

#include "pg_store.h"
#include "sqlite_store.h"

namespace roster {

Status refuse_newer_schema(const std::string& address, int version) {
  if (version <= kSchemaVersion) return Status::ok();
  return Status::database(
      fmt::format("database \"{}\" has schema version {}, made by a newer roster (this one knows "
                  "up to {}); upgrade roster",
                  address, version, kSchemaVersion));
}

Result<bool> Store::insert_user_if_free(User& user) {
  User other;
  auto named = find_user(user.username, other);
  if (!named.is_ok()) return named.status();
  if (*named) return false;
  if (!user.email.empty()) {
    auto owner = email_owner(user.email);
    if (!owner.is_ok()) return owner.status();
    if (owner->has_value()) return false;
  }
  Status st = insert_user(user);
  if (!st.is_ok()) return st;
  return true;
}

bool is_postgres_address(std::string_view address) {
  return address.starts_with("postgresql://") || address.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> open_store(const std::string& address, const StoreOptions& options) {
  if (is_postgres_address(address)) {
    auto pg = PgStore::open(address, options);
    if (!pg.is_ok()) return pg.status();
    return std::unique_ptr<Store>(std::move(*pg));
  }
  auto sqlite = SqliteStore::open(address, options);
  if (!sqlite.is_ok()) return sqlite.status();
  return std::unique_ptr<Store>(std::move(*sqlite));
}

Result<std::unique_ptr<Store>> open_current_store(const std::string& address,
                                                  const StoreOptions& options,
                                                  const std::vector<Permission>* catalog) {
  auto store = open_store(address, options);
  if (!store.is_ok()) return store.status();
  Status s = (*store)->migrate(kSchemaVersion, catalog);
  if (!s.is_ok()) return s;
  return store;
}

}  // namespace roster
