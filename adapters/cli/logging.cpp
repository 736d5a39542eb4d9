#include "adapters/cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bot/dm/secrets.h"

namespace incident {
namespace {

// The message with every configured secret and every credential-looking string cut out.
std::string scrub(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const auto& secret : secrets) {
    if (secret.size() < 6) continue;  // too short to be a real token: would mangle every line
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), kRedacted);
      at += kRedacted.size();
    }
  }
  if (!find_secrets(out).empty()) out = redact_secrets(out);
  return out;
}

// "2026-11-29T08:00:00.123Z": the same form as the export's times.
std::string utc_timestamp(spdlog::log_clock::time_point t) {
  const auto since_epoch = t.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t tt = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["ts"] = utc_timestamp(msg.time);
    line["level"] = level_name(msg.level);
    line["msg"] = scrub(std::string_view(msg.payload.data(), msg.payload.size()), secrets_);
    // Invalid UTF-8 becomes U+FFFD instead of an exception: a log line must never throw.
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(secrets_);
  }

 private:
  std::vector<std::string> secrets_;
};

class TextFormatter final : public spdlog::formatter {
 public:
  explicit TextFormatter(std::vector<std::string> secrets)
      : secrets_(std::move(secrets)),
        // Timestamps in UTC whatever the host's zone, like the timelines.
        pattern_("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string text =
        scrub(std::string_view(msg.payload.data(), msg.payload.size()), secrets_);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(text.data(), text.size());
    pattern_.format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>(secrets_);
  }

 private:
  std::vector<std::string> secrets_;
  spdlog::pattern_formatter pattern_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format,
                                                      std::vector<std::string> secrets) {
  if (format == LogFormat::json) return std::make_unique<JsonFormatter>(std::move(secrets));
  return std::make_unique<TextFormatter>(std::move(secrets));
}

void setup_logging(const std::string& level, LogFormat format, std::vector<std::string> secrets) {
  auto logger = spdlog::get("incident-bot");
  if (!logger) logger = spdlog::stderr_logger_mt("incident-bot");
  logger->set_formatter(make_log_formatter(format, std::move(secrets)));
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace incident
