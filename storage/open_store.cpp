#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "storage/store.h"

namespace incident {

bool is_database_url(const std::string& path) {
  return path.starts_with("postgresql://") || path.starts_with("postgres://");
}

std::string shown_location(const std::string& path) {
  if (!is_database_url(path)) return path;
  const auto scheme_end = path.find("://") + 3;
  std::string rest = path.substr(scheme_end);
  rest = rest.substr(0, rest.find('?'));  // parameters may carry password= or sslpassword=
  // The user and password end at the authority's last '@' (a '/' in a password is escaped).
  if (const auto at = rest.rfind('@', rest.find('/')); at != std::string::npos) {
    rest = rest.substr(at + 1);
  }
  return path.substr(0, scheme_end) + rest;
}

std::unique_ptr<DurableStore> open_store(const StoreOptions& options) {
  if (is_database_url(options.path)) {
    return std::make_unique<PgStore>(options.path, options.durability, options.create,
                                     options.replica);
  }
  return std::make_unique<SqliteStore>(options.path, options.durability, options.create);
}

}  // namespace incident
