// Where a directory's address leads: the one place that knows both backends.

#include "roster/open_store.h"

#include "pg_store.h"
#include "sqlite_store.h"

namespace roster {

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
