#include "storage/sqlite_store.h"
#include "storage/store.h"

namespace incident {

std::unique_ptr<DurableStore> open_store(const StoreOptions& options) {
  return std::make_unique<SqliteStore>(options.path, options.durability, options.create);
}

}  // namespace incident
