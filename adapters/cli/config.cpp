#include "adapters/cli/config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "adapters/platform/time_zone.h"
#include "adapters/web/app.h"
#include "storage/store.h"

namespace incident {
namespace {

std::string secret_state(const std::string& s) {
  return s.empty() ? "<unset>" : "<set>";
}

std::string quoted(const std::string& s) {
  std::ostringstream out;
  out << toml::value<std::string>(s);
  return out.str();
}

// Limits on escalations, with the bounds both the TOML key and the variable share.
struct Range {
  long min;
  long max;
};
constexpr Range kEscalationLimit{1, 1000};
constexpr Range kRetentionDays{1, 3650};
constexpr Range kReminderMinutes{1, 1440};
constexpr Range kReminderHours{1, 720};
// A week at most: the schedule looks back two weeks (RemindSettings::stale_after and a week).
constexpr Range kArchiveHours{0, 168};

bool parse_switch(const std::string& key, const std::string& v) {
  if (v == "on" || v == "true") return true;
  if (v == "off" || v == "false") return false;
  throw ConfigError(key, "must be on or off, not \"" + v + "\"");
}

int in_range(const std::string& key, long value, Range range) {
  if (value < range.min || value > range.max) {
    throw ConfigError(key, "must be a whole number from " + std::to_string(range.min) + " to " +
                               std::to_string(range.max) + ", not " + std::to_string(value));
  }
  return static_cast<int>(value);
}

int parse_count(const std::string& key, const std::string& text, Range range) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    throw ConfigError(key, "must be a whole number from " + std::to_string(range.min) + " to " +
                               std::to_string(range.max) + ", not \"" + text + "\"");
  }
  return in_range(key, value, range);
}

DurabilityMode parse_durability(const std::string& key, const std::string& v) {
  if (v == "process") return DurabilityMode::process;
  if (v == "power") return DurabilityMode::power;
  throw ConfigError(key, "must be \"process\" or \"power\", not \"" + v + "\"");
}

// The levels spdlog knows by these names (deploy/README.md, "Logs").
void check_log_level(const std::string& key, const std::string& v) {
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(v)) {
    throw ConfigError(key,
                      "must be one of trace, debug, info, warn, error, off, not \"" + v + "\"");
  }
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// Reads the keys of one TOML table into `fields`, rejecting any key it does not know.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix)
      : table_(table), prefix_(std::move(prefix)) {}

  void text(const char* key, std::string& out) {
    known_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return;
    auto value = node->value<std::string>();
    if (!node->is_string() || !value) throw ConfigError(name(key), "must be a string");
    out = *value;
  }
  void count(const char* key, int& out, Range range) {
    known_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return;
    // The type first: value<std::int64_t>() converts a float, and one beyond long's range is
    // undefined behaviour (found by fuzzing, tests/fuzz/config_fuzz.cpp).
    if (!node->is_integer()) throw ConfigError(name(key), "must be a whole number");
    auto value = node->value<std::int64_t>();
    if (!value) throw ConfigError(name(key), "must be a whole number");
    out = in_range(name(key), static_cast<long>(*value), range);
  }
  void list(const char* key, std::vector<std::string>& out) {
    known_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return;
    const toml::array* arr = node->as_array();
    if (!arr) throw ConfigError(name(key), "must be an array of strings");
    out.clear();
    for (const auto& item : *arr) {
      auto value = item.value<std::string>();
      if (!item.is_string() || !value) throw ConfigError(name(key), "must be an array of strings");
      out.push_back(*value);
    }
  }
  const toml::table* table(const char* key) {
    known_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) throw ConfigError(name(key), "must be a table");
    return node->as_table();
  }
  void reject_unknown() const {
    for (const auto& [key, node] : table_) {
      if (!known_.count(std::string(key.str()))) {
        // TOML allows an empty quoted key ([""]): name it so the message points somewhere.
        const std::string unknown = key.str().empty() ? "\"\"" : std::string(key.str());
        throw ConfigError(name(unknown), "unknown key");
      }
    }
  }
  std::string name(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::set<std::string> known_;
};

}  // namespace

std::optional<std::pair<std::chrono::minutes, std::chrono::minutes>> working_hours(
    const std::string& text) {
  auto minutes = [](std::string_view t) -> std::optional<std::chrono::minutes> {
    if (t.size() != 5 || t[2] != ':') return std::nullopt;
    for (const std::size_t i : {0u, 1u, 3u, 4u}) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
    }
    const int h = (t[0] - '0') * 10 + (t[1] - '0');
    const int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    return std::chrono::minutes{h * 60 + m};
  };
  const auto dash = text.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const auto from = minutes(std::string_view(text).substr(0, dash));
  const auto to = minutes(std::string_view(text).substr(dash + 1));
  if (!from || !to || *from >= *to) return std::nullopt;
  return std::make_pair(*from, *to);
}

std::optional<std::array<bool, 7>> working_days(const std::string& text) {
  static constexpr std::array<const char*, 7> kDays{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};
  std::array<bool, 7> days{};
  bool any = false;
  for (const std::string& item : split_list(text)) {
    std::string day = item;
    std::transform(day.begin(), day.end(), day.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const auto it = std::find(kDays.begin(), kDays.end(), day);
    if (it == kDays.end()) return std::nullopt;
    days[static_cast<std::size_t>(it - kDays.begin())] = true;
    any = true;
  }
  if (!any) return std::nullopt;
  return days;
}

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Config parse_config(const std::string& toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << origin << ":" << e.source().begin.line;
    throw ConfigError(where.str(), std::string(e.description()));
  }
  Config c;
  TableReader top(root, "");
  top.text("command_prefix", c.command_prefix);
  top.text("prompts_dir", c.prompts_dir);
  top.text("ca_file", c.ca_file);
  top.text("security_channel", c.security_channel);
  top.count("escalation_limit", c.escalation_limit, kEscalationLimit);
  top.count("escalation_retention_days", c.escalation_retention_days, kRetentionDays);
  top.text("lessons_channel", c.lessons_channel);
  std::string own_channel;
  top.text("own_channel", own_channel);
  if (!own_channel.empty()) c.own_channel = parse_switch("own_channel", own_channel);
  top.count("archive_after_hours", c.archive_after_hours, kArchiveHours);
  top.text("http", c.http);
  top.text("log_level", c.log_level);
  if (!c.log_level.empty()) check_log_level("log_level", c.log_level);
  std::string log_format;
  top.text("log_format", log_format);
  if (!log_format.empty()) c.log_format = parse_log_format("log_format", log_format);
  if (const auto* t = top.table("storage")) {
    TableReader r(*t, "storage");
    std::string durability;
    r.text("path", c.storage.path);
    r.text("durability", durability);
    r.text("replica", c.storage.replica);
    if (!durability.empty())
      c.storage.durability = parse_durability("storage.durability", durability);
    r.reject_unknown();
  }
  if (const auto* t = top.table("slack")) {
    TableReader r(*t, "slack");
    r.text("app_token", c.slack.app_token);
    r.text("bot_token", c.slack.bot_token);
    r.text("api_url", c.slack.api_url);
    r.text("slash_command", c.slack.slash_command);
    r.reject_unknown();
  }
  if (const auto* t = top.table("reminders")) {
    TableReader r(*t, "reminders");
    std::string enabled;
    r.text("enabled", enabled);
    if (!enabled.empty()) c.reminders.enabled = parse_switch("reminders.enabled", enabled);
    r.count("quiet_minutes_sev12", c.reminders.quiet_minutes_sev12, kReminderMinutes);
    r.count("quiet_minutes_other", c.reminders.quiet_minutes_other, kReminderMinutes);
    r.count("no_severity_minutes", c.reminders.no_severity_minutes, kReminderMinutes);
    r.count("still_open_hours", c.reminders.still_open_hours, kReminderHours);
    r.text("time_zone", c.reminders.time_zone);
    r.text("working_hours", c.reminders.working_hours);
    r.text("working_days", c.reminders.working_days);
    r.text("follow_up_channel", c.reminders.follow_up_channel);
    r.reject_unknown();
  }
  if (const auto* t = top.table("web")) {
    TableReader r(*t, "web");
    r.text("listen", c.web.listen);
    r.text("url", c.web.url);
    r.text("cert", c.web.cert);
    r.text("key", c.web.key);
    r.text("writers", c.web.writers);
    r.reject_unknown();
  }
  if (const auto* t = top.table("matrix")) {
    TableReader r(*t, "matrix");
    r.text("homeserver", c.matrix.homeserver);
    r.text("access_token", c.matrix.access_token);
    r.text("user_id", c.matrix.user_id);
    r.list("allowed_inviters", c.matrix.allowed_inviters);
    r.reject_unknown();
  }
  top.reject_unknown();
  return c;
}

void apply_environment(Config& c, const EnvLookup& env) {
  // An empty variable counts as unset: env files often carry every key with blank values.
  auto get = [&](const char* name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  auto set = [&](const char* name, std::string& field) {
    if (auto v = get(name)) field = *v;
  };
  set("SLACK_APP_TOKEN", c.slack.app_token);
  set("SLACK_BOT_TOKEN", c.slack.bot_token);
  set("SLACK_API_URL", c.slack.api_url);
  set("INCIDENT_BOT_SLASH_COMMAND", c.slack.slash_command);
  set("MATRIX_HOMESERVER", c.matrix.homeserver);
  set("MATRIX_ACCESS_TOKEN", c.matrix.access_token);
  set("MATRIX_USER_ID", c.matrix.user_id);
  if (auto v = get("MATRIX_ALLOWED_INVITERS")) c.matrix.allowed_inviters = split_list(*v);
  set("INCIDENT_BOT_DB", c.storage.path);
  set("INCIDENT_BOT_REPLICA", c.storage.replica);
  if (auto v = get("INCIDENT_BOT_DURABILITY")) {
    c.storage.durability = parse_durability("INCIDENT_BOT_DURABILITY", *v);
  }
  set("INCIDENT_BOT_COMMAND_PREFIX", c.command_prefix);
  set("INCIDENT_BOT_PROMPTS_DIR", c.prompts_dir);
  set("INCIDENT_BOT_CA_FILE", c.ca_file);
  set("INCIDENT_BOT_SECURITY_CHANNEL", c.security_channel);
  if (auto v = get("INCIDENT_BOT_ESCALATION_LIMIT")) {
    c.escalation_limit = parse_count("INCIDENT_BOT_ESCALATION_LIMIT", *v, kEscalationLimit);
  }
  if (auto v = get("INCIDENT_BOT_REMINDERS")) {
    c.reminders.enabled = parse_switch("INCIDENT_BOT_REMINDERS", *v);
  }
  set("INCIDENT_BOT_TIME_ZONE", c.reminders.time_zone);
  set("INCIDENT_BOT_FOLLOW_UP_CHANNEL", c.reminders.follow_up_channel);
  if (auto v = get("INCIDENT_BOT_ESCALATION_RETENTION_DAYS")) {
    c.escalation_retention_days =
        parse_count("INCIDENT_BOT_ESCALATION_RETENTION_DAYS", *v, kRetentionDays);
  }
  set("INCIDENT_BOT_LESSONS_CHANNEL", c.lessons_channel);
  if (auto v = get("INCIDENT_BOT_OWN_CHANNEL")) {
    c.own_channel = parse_switch("INCIDENT_BOT_OWN_CHANNEL", *v);
  }
  if (auto v = get("INCIDENT_BOT_ARCHIVE_AFTER_HOURS")) {
    c.archive_after_hours = parse_count("INCIDENT_BOT_ARCHIVE_AFTER_HOURS", *v, kArchiveHours);
  }
  set("INCIDENT_BOT_HTTP", c.http);
  set("INCIDENT_BOT_WEB", c.web.listen);
  set("INCIDENT_BOT_WEB_URL", c.web.url);
  set("INCIDENT_BOT_WEB_CERT", c.web.cert);
  set("INCIDENT_BOT_WEB_KEY", c.web.key);
  set("INCIDENT_BOT_WEB_WRITERS", c.web.writers);
  if (auto v = get("INCIDENT_BOT_LOG_LEVEL")) {
    check_log_level("INCIDENT_BOT_LOG_LEVEL", *v);
    c.log_level = *v;
  }
  if (auto v = get("INCIDENT_BOT_LOG_FORMAT")) {
    c.log_format = parse_log_format("INCIDENT_BOT_LOG_FORMAT", *v);
  }
}

LogFormat parse_log_format(const std::string& key, const std::string& v) {
  if (v == "text") return LogFormat::text;
  if (v == "json") return LogFormat::json;
  throw ConfigError(key, "must be \"text\" or \"json\", not \"" + v + "\"");
}

void validate(const Config& c) {
  if (!c.web.listen.empty()) {
    try {
      web::web_options(c.web.listen, c.web.url, c.web.tls());
    } catch (const std::invalid_argument& e) {
      throw ConfigError("INCIDENT_BOT_WEB", e.what());
    }
  }
  if (!working_hours(c.reminders.working_hours)) {
    throw ConfigError("reminders.working_hours",
                      "expected HH:MM-HH:MM (local, the start before the end), not \"" +
                          c.reminders.working_hours + "\"");
  }
  if (!working_days(c.reminders.working_days)) {
    throw ConfigError("reminders.working_days",
                      "expected day names separated by commas, like mon,tue,wed,thu,fri, not \"" +
                          c.reminders.working_days + "\"");
  }
  if (!c.reminders.time_zone.empty()) {
    try {
      platform::TimeZone::load(c.reminders.time_zone);
    } catch (const std::runtime_error& e) {
      throw ConfigError("INCIDENT_BOT_TIME_ZONE", e.what());
    }
  }
  if (c.web.writers != "roles" && c.web.writers != "members") {
    throw ConfigError("INCIDENT_BOT_WEB_WRITERS",
                      "expected \"roles\" (the commander, scribe and facilitator edit the draft "
                      "on the review page) or \"members\" (everyone in the incident's channel)");
  }
  if (c.web.cert.empty() != c.web.key.empty()) {
    throw ConfigError(c.web.cert.empty() ? "INCIDENT_BOT_WEB_CERT" : "INCIDENT_BOT_WEB_KEY",
                      "the review page's TLS needs both the certificate chain "
                      "(INCIDENT_BOT_WEB_CERT) and its private key (INCIDENT_BOT_WEB_KEY)");
  }
  if (c.slack.configured()) {
    if (c.slack.app_token.rfind("xapp-", 0) != 0) {
      throw ConfigError("SLACK_APP_TOKEN",
                        "must be an app-level token starting with xapp- "
                        "(Basic Information → App-Level Tokens)");
    }
    if (c.slack.bot_token.rfind("xoxb-", 0) != 0) {
      throw ConfigError("SLACK_BOT_TOKEN",
                        "must be a bot token starting with xoxb- "
                        "(OAuth & Permissions → Bot User OAuth Token)");
    }
    if (c.slack.api_url.rfind("https://", 0) != 0 && c.slack.api_url.rfind("http://", 0) != 0) {
      throw ConfigError("SLACK_API_URL", "must be an https:// URL");
    }
    if (c.slack.slash_command.empty() || c.slack.slash_command.front() != '/') {
      throw ConfigError("slack.slash_command", "must start with /");
    }
  }
  if (c.matrix.configured()) {
    // Certificates are always verified, so a plain http:// homeserver is refused here.
    if (c.matrix.homeserver.rfind("https://", 0) != 0) {
      throw ConfigError("MATRIX_HOMESERVER",
                        "must be an https:// URL like https://matrix.example.org");
    }
    if (c.matrix.access_token.empty()) {
      throw ConfigError("MATRIX_ACCESS_TOKEN", "is required when MATRIX_HOMESERVER is set");
    }
    if (!c.matrix.user_id.empty() &&
        (c.matrix.user_id.front() != '@' || c.matrix.user_id.find(':') == std::string::npos)) {
      throw ConfigError("MATRIX_USER_ID", "must look like @bot:example.org");
    }
  }
  if (c.storage.path.empty()) throw ConfigError("INCIDENT_BOT_DB", "must not be empty");
  if (c.command_prefix.empty() || c.command_prefix.find_first_of(" \t") != std::string::npos) {
    throw ConfigError("command_prefix", "must be one word, like !incident");
  }
  if (!c.http.empty()) {
    auto colon = c.http.rfind(':');
    const std::string port = colon == std::string::npos ? "" : c.http.substr(colon + 1);
    char* end = nullptr;
    const long n = port.empty() ? 0 : std::strtol(port.c_str(), &end, 10);
    // A host is required: listening on every interface must be asked for (0.0.0.0:9464).
    if (colon == 0 || colon == std::string::npos || port.empty() || *end != '\0' || n < 1 ||
        n > 65535) {
      throw ConfigError("INCIDENT_BOT_HTTP", "must be host:port, like 127.0.0.1:9464");
    }
  }
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (!c.log_level.empty() && !levels.count(c.log_level)) {
    throw ConfigError("log_level", "must be one of trace, debug, info, warn, error, off");
  }
}

Config load_config(const std::optional<std::string>& file, const EnvLookup& env) {
  Config c;
  if (file) {
    std::ifstream in(*file);
    if (!in) throw ConfigError(*file, "cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    c = parse_config(text.str(), *file);
  }
  apply_environment(c, env);
  validate(c);
  return c;
}

std::string redacted(const Config& c) {
  std::ostringstream out;
  out << "command_prefix = " << quoted(c.command_prefix) << "\n"
      << "prompts_dir = " << quoted(c.prompts_dir) << "\n"
      << "ca_file = " << quoted(c.ca_file) << "\n"
      << "security_channel = " << quoted(c.security_channel) << "\n"
      << "escalation_limit = " << c.escalation_limit << "\n"
      << "escalation_retention_days = " << c.escalation_retention_days << "\n"
      << "lessons_channel = " << quoted(c.lessons_channel) << "\n"
      << "own_channel = " << quoted(c.own_channel ? "on" : "off") << "\n"
      << "archive_after_hours = " << c.archive_after_hours << "\n"
      << "http = " << quoted(c.http) << "\n"
      << "log_level = " << quoted(c.log_level) << "\n"
      << "log_format = " << quoted(c.log_format == LogFormat::json ? "json" : "text") << "\n\n"
      << "[storage]\npath = " << quoted(shown_location(c.storage.path)) << "\ndurability = "
      << quoted(c.storage.durability == DurabilityMode::power ? "power" : "process")
      << "\nreplica = " << quoted(c.storage.replica) << "\n\n"
      << "[slack]\napp_token = " << quoted(secret_state(c.slack.app_token))
      << "\nbot_token = " << quoted(secret_state(c.slack.bot_token))
      << "\napi_url = " << quoted(c.slack.api_url)
      << "\nslash_command = " << quoted(c.slack.slash_command) << "\n\n"
      << "[matrix]\nhomeserver = " << quoted(c.matrix.homeserver)
      << "\naccess_token = " << quoted(secret_state(c.matrix.access_token))
      << "\nuser_id = " << quoted(c.matrix.user_id) << "\nallowed_inviters = [";
  for (std::size_t i = 0; i < c.matrix.allowed_inviters.size(); ++i) {
    out << (i ? ", " : "") << quoted(c.matrix.allowed_inviters[i]);
  }
  out << "]\n\n[web]\nlisten = " << quoted(c.web.listen) << "\nurl = " << quoted(c.web.url)
      << "\ncert = " << quoted(c.web.cert) << "\nkey = " << quoted(c.web.key)
      << "\nwriters = " << quoted(c.web.writers)
      << "\n\n[reminders]\nenabled = " << quoted(c.reminders.enabled ? "on" : "off")
      << "\nquiet_minutes_sev12 = " << c.reminders.quiet_minutes_sev12
      << "\nquiet_minutes_other = " << c.reminders.quiet_minutes_other
      << "\nno_severity_minutes = " << c.reminders.no_severity_minutes
      << "\nstill_open_hours = " << c.reminders.still_open_hours
      << "\ntime_zone = " << quoted(c.reminders.time_zone)
      << "\nworking_hours = " << quoted(c.reminders.working_hours)
      << "\nworking_days = " << quoted(c.reminders.working_days)
      << "\nfollow_up_channel = " << quoted(c.reminders.follow_up_channel) << "\n";
  return out.str();
}

}  // namespace incident
