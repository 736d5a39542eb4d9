// Configuration: a TOML file (--config) plus the environment, the environment winning. A service
// runs from the environment alone. Secrets are kept here and never printed (see redacted()).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace incident {

enum class DurabilityMode { process, power };
// How log lines look on stderr: human-readable text, or one JSON object per line.
enum class LogFormat { text, json };

struct Config {
  struct Slack {
    std::string app_token;  // xapp-… (Socket Mode)
    std::string bot_token;  // xoxb-… (Web API)
    std::string api_url = "https://slack.com/api/";
    std::string slash_command = "/incident";
    bool configured() const { return !app_token.empty() || !bot_token.empty(); }
  } slack;
  struct Matrix {
    std::string homeserver;
    std::string access_token;
    std::string user_id;
    std::vector<std::string> allowed_inviters;  // empty: users on the bot's own server
    bool configured() const { return !homeserver.empty() || !access_token.empty(); }
  } matrix;
  struct Storage {
    std::string path = "incident-bot.db";
    // "power" (FULL) survives power loss at the cost of an fsync per commit (a batch of events
    // is one commit); "process" (synchronous=NORMAL) survives a killed process.
    DurabilityMode durability = DurabilityMode::power;
    // This process among replicas sharing a PostgreSQL database (StoreOptions::replica).
    std::string replica;
  } storage;
  std::string command_prefix = "!incident";  // Matrix and the console
  std::string prompts_dir;                   // overrides for prompts/, key by key
  std::string ca_file;                       // extra CA bundle; certificates are always verified
  std::string security_channel;
  // "Is this safe?" reports: at most `escalation_limit` per person (DM) per 24 hours, and a
  // closed case is deleted `escalation_retention_days` after it closed.
  int escalation_limit = 3;
  int escalation_retention_days = 30;
  std::string lessons_channel;
  // Whether `start` opens a channel of the incident's own unless it says `here` (`start … new`
  // does either way), and how many hours after close that channel is archived (0: never).
  bool own_channel = false;
  int archive_after_hours = 0;
  // Reminders for open incidents (bot/engine/remind.h): on or off for every incident, and when
  // each falls due.
  struct Reminders {
    bool enabled = true;
    int quiet_minutes_sev12 = 30;  // no timeline update this long on a sev1/sev2
    int quiet_minutes_other = 60;  // ... on sev3/sev4 or without a severity
    int no_severity_minutes = 15;
    int still_open_hours = 8;  // then again every 24 hours
    // Working time, for the reminders that can wait: a tz database zone ("" = UTC), local
    // hours "HH:MM-HH:MM", and the days ("mon,tue,wed,thu,fri").
    std::string time_zone;
    std::string working_hours = "09:00-17:00";
    std::string working_days = "mon,tue,wed,thu,fri";
    // Where the weekly digest of overdue action items goes; empty: the lessons channel.
    std::string follow_up_channel;
  } reminders;
  std::string http;  // host:port for /healthz and /metrics
  // The review page (adapters/web): where it listens (host:port; empty: off) and the public
  // URL its links start with (https://…; optional for a loopback address); served over TLS when
  // both a certificate chain and its key (PEM files) are given, else plain for a reverse proxy.
  struct Web {
    std::string listen;
    std::string url;
    std::string cert;
    std::string key;
    std::string writers = "roles";  // who edits on the page: "roles" or "members"
    bool tls() const { return !cert.empty(); }
  } web;
  std::string log_level;  // empty: info for services, warn for the console
  LogFormat log_format = LogFormat::text;
};

// "09:00-17:00" as the minutes of the day from and to; nullopt when not such a span.
std::optional<std::pair<std::chrono::minutes, std::chrono::minutes>> working_hours(
    const std::string& text);
// "mon,tue,wed,thu,fri" as seven days, Sunday first; nullopt when a name is not a day.
std::optional<std::array<bool, 7>> working_days(const std::string& text);

// An unknown key or an invalid value; `key` names it as the user wrote it.
struct ConfigError : std::runtime_error {
  ConfigError(std::string key, const std::string& what)
      : std::runtime_error(key + ": " + what), key(std::move(key)) {}
  std::string key;
};

// Reads an environment variable; nullopt when unset. Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

// Loads `file` (when given) then the environment. Throws ConfigError.
Config load_config(const std::optional<std::string>& file, const EnvLookup& env = process_env);
// Parses TOML text; `origin` names it in errors. Used by load_config and tests.
Config parse_config(const std::string& toml_text, const std::string& origin);
void apply_environment(Config& config, const EnvLookup& env);
void validate(const Config& config);
// "text" or "json"; throws ConfigError naming `key` otherwise.
LogFormat parse_log_format(const std::string& key, const std::string& value);

// The effective configuration as TOML with every secret replaced by "<set>" / "<unset>".
std::string redacted(const Config& config);

}  // namespace incident
