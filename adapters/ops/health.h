// What /healthz reports: one entry per component (each configured platform, the database),
// asked for at request time through a probe, so it is never stale. The bot is healthy when
// every component is; the answer says each one's state and last error, and never a secret.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace incident::ops {

struct ComponentHealth {
  bool ok = false;
  // Platforms: "connected", "connecting" (not yet, or again after a drop), "down" (stopped for
  // good); the database: "writable" or "not_writable".
  std::string state;
  // The last failure, as an operator would read it (no tokens, URLs with tickets, or user text).
  std::optional<std::string> last_error;
};

// A platform: "connected" when ready, else "connecting"; the error only when there was one.
ComponentHealth platform_health(bool connected, const std::string& last_error);
// The database: "writable", else "not_writable" with why (DurableStore::write_check()).
ComponentHealth database_health(const std::optional<std::string>& write_error);

class Health {
 public:
  using Probe = std::function<ComponentHealth()>;

  // A probe that throws reports the component as "down" with the exception's message.
  void add(std::string name, Probe probe);

  struct Report {
    bool ok = true;
    std::vector<std::pair<std::string, ComponentHealth>> components;
  };
  Report check() const;

  // {"status":"ok"|"unhealthy","components":{"slack":{"state":"connected","last_error":null}}}
  static std::string to_json(const Report& report);

 private:
  std::vector<std::pair<std::string, Probe>> probes_;
};

}  // namespace incident::ops
