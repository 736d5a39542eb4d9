// Leadership (bot/model/store.h) on PostgreSQL: a session advisory lock on a connection of its
// own, and a row in `leaders` with the holder's epoch and when it was last seen. Only storage/
// and tests name it; PgStore::leadership makes one.
//
// - Crash, kill or a cut connection: the server ends the session and frees the lock (at once for
//   a closed socket, after the keepalives for a vanished host); the next candidate takes it.
// - Paused (SIGSTOP, a frozen VM): the session stays open and keeps the lock, but the holder stops
//   being seen. After Leadership::kQuiet, a candidate ends the holder's session
//   (pg_terminate_backend) and takes the role under a new epoch; the old holder, resumed, finds its
//   session gone and its epoch refused by Store::fence, so it writes nothing.
// - The holder is seen on every lead() (every Leadership::kCheck), by the database's clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bot/model/store.h"

namespace incident {

namespace pg {
class Connection;
}

class PgLeadership final : public Leadership {
 public:
  // Connects on the first lead(); `replica` names this process in `leaders.holder`.
  PgLeadership(std::string url, std::string role, std::string replica);
  ~PgLeadership() override;

  std::optional<std::int64_t> lead() override;
  void step_down() override;

 private:
  std::optional<std::int64_t> take();
  void lose();

  std::string url_;
  std::string role_;
  std::string replica_;
  std::unique_ptr<pg::Connection> session_;  // the lock's; null until needed, or after a loss
  std::optional<std::int64_t> epoch_;
};

}  // namespace incident
