// `incident-bot doctor`: checks the configuration, the database, the prompts and, for real, each
// configured platform's credentials (Slack: auth.test and apps.connections.open; Matrix:
// /versions and whoami), and says what is wrong and how to fix it. One line per check, a fix
// under each failure, never a secret. Exit status: 0 when every check passed, 1 when one failed,
// 2 when the configuration itself cannot be loaded (deploy/README.md, "`doctor`").
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "adapters/cli/config.h"
#include "bot/text/prompts.h"

namespace incident {

struct DoctorOptions {
  std::optional<std::string> config_file;  // --config
  std::optional<LogFormat> log_format;     // --log-format, winning over the configuration
  EnvLookup env = process_env;
  // Loads the prompts as `run` does (the embedded defaults plus prompts_dir). Throws on an error.
  std::function<Prompts(const Config&)> load_prompts;
  // Bounds each network check (connect, TLS handshake and answer).
  std::chrono::milliseconds network_timeout{10000};
};

int run_doctor(const DoctorOptions& options, std::ostream& out);

}  // namespace incident
