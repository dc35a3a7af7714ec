#pragma once

#include <memory>
#include <string>
#include <vector>

#include "roster/model.h"
#include "roster/result.h"
#include "roster/store.h"

namespace roster {

// Opens the store that `address` names: a PostgreSQL URI, else a SQLite file.
// Does not migrate.
Result<std::unique_ptr<Store>> open_store(const std::string& address, const StoreOptions& options);

// Opens the store and brings its schema up to kSchemaVersion, writing
// `catalog` when given (Store::migrate).
Result<std::unique_ptr<Store>> open_current_store(const std::string& address,
                                                  const StoreOptions& options,
                                                  const std::vector<Permission>* catalog);

}  // namespace roster
