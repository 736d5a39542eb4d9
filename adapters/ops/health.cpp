#include "adapters/ops/health.h"

#include <exception>
#include <nlohmann/json.hpp>

namespace incident::ops {

ComponentHealth platform_health(bool connected, const std::string& last_error) {
  ComponentHealth h{connected, connected ? "connected" : "connecting", std::nullopt};
  if (!last_error.empty()) h.last_error = last_error;
  return h;
}

ComponentHealth database_health(const std::optional<std::string>& write_error) {
  return write_error ? ComponentHealth{false, "not_writable", write_error}
                     : ComponentHealth{true, "writable", std::nullopt};
}

void Health::add(std::string name, Probe probe) {
  probes_.emplace_back(std::move(name), std::move(probe));
}

Health::Report Health::check() const {
  Report report;
  for (const auto& [name, probe] : probes_) {
    ComponentHealth health;
    try {
      health = probe();
    } catch (const std::exception& e) {
      health = {false, "down", std::string(e.what())};
    }
    report.ok = report.ok && health.ok;
    report.components.emplace_back(name, std::move(health));
  }
  return report;
}

std::string Health::to_json(const Report& report) {
  nlohmann::json components = nlohmann::json::object();
  for (const auto& [name, health] : report.components) {
    components[name] = {{"state", health.state},
                        {"last_error", health.last_error ? nlohmann::json(*health.last_error)
                                                         : nlohmann::json(nullptr)}};
  }
  const nlohmann::json body{{"status", report.ok ? "ok" : "unhealthy"},
                            {"components", std::move(components)}};
  // Replace: an error text is not ours to vouch for as UTF-8.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace incident::ops
