// Logging on stderr: human-readable text by default, or one JSON object per line for log
// pipelines (`--log-format json`). Either way every line passes through a scrubber first, so a
// credential that slipped into a message (a configured token, or anything that looks like one)
// never reaches the log (deploy/README.md, "Logs").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/cli/config.h"

namespace spdlog {
class formatter;
}

namespace incident {

// Installs the default logger "incident-bot" on stderr with `level` ("trace" … "off") and
// `format`. `secrets` are the configured credentials, replaced wherever they appear.
void setup_logging(const std::string& level, LogFormat format,
                   std::vector<std::string> secrets = {});

// The formatters themselves, for tests.
//   text: 2026-11-29T08:00:00.123Z info slack: connected
//   json: {"ts":"2026-11-29T08:00:00.123Z","level":"info","msg":"slack: connected"}
// Times are UTC with milliseconds whatever the host's zone; JSON levels are trace, debug, info,
// warn, error, critical.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format,
                                                      std::vector<std::string> secrets = {});

}  // namespace incident
