// Where a directory's address leads: the one place that knows both backends.

#include "roster/open_store.h"

#include "store/postgres/pg_open.h"
#include "store/sqlite/sqlite_open.h"

namespace roster {

Result<std::unique_ptr<Store>> open_store(const std::string& address, const StoreOptions& options) {
  if (is_postgres_address(address)) return open_pg_store(address, options);
  return open_sqlite_store(address, options);
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
