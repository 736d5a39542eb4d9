#include "adapters/cli/doctor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "adapters/cli/logging.h"
#include "adapters/matrix/client.h"
#include "adapters/net/https_client.h"
#include "adapters/net/tls.h"
#include "adapters/net/url.h"
#include "adapters/slack/web_api.h"
#include "adapters/web/app.h"
#include "storage/migrations.h"
#include "storage/store.h"

namespace incident {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
constexpr int kConfigError = 2;

struct Check {
  std::string name;
  bool ok = false;
  std::string detail;  // what was found
  std::string fix;     // for a failure: what to do
};

class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}

  void add(Check check) {
    // Printed at once, so a slow network check shows what passed before it.
    out_ << (check.ok ? "\u2713 " : "\u2717 ") << check.name << ": " << check.detail << "\n";
    if (!check.ok && !check.fix.empty()) out_ << "    fix: " << check.fix << "\n";
    out_.flush();
    checks_.push_back(std::move(check));
  }
  void pass(std::string name, std::string detail) {
    add({std::move(name), true, std::move(detail), {}});
  }
  void fail(std::string name, std::string detail, std::string fix) {
    add({std::move(name), false, std::move(detail), std::move(fix)});
  }

  int failures() const {
    int n = 0;
    for (const auto& c : checks_) n += c.ok ? 0 : 1;
    return n;
  }
  int size() const { return static_cast<int>(checks_.size()); }
  bool has(const std::string& name) const {
    for (const auto& c : checks_) {
      if (c.name == name) return true;
    }
    return false;
  }

 private:
  std::ostream& out_;
  std::vector<Check> checks_;
};

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// --- configuration -------------------------------------------------------------------------

// The fix for a configuration error, by the key it names.
std::string config_fix(const ConfigError& e, const Config& raw) {
  const bool swapped =
      starts_with(raw.slack.app_token, "xoxb-") && starts_with(raw.slack.bot_token, "xapp-");
  if (swapped) {
    return "SLACK_APP_TOKEN and SLACK_BOT_TOKEN are swapped: the app-level token (xapp-…) goes in "
           "SLACK_APP_TOKEN, the Bot User OAuth Token (xoxb-…) in SLACK_BOT_TOKEN";
  }
  if (e.key == "SLACK_APP_TOKEN" || e.key == "SLACK_BOT_TOKEN") {
    return "see deploy/slack/README.md, \"Tokens\"; both tokens are needed for Slack";
  }
  if (starts_with(e.key, "MATRIX_")) return "see deploy/matrix/README.md";
  return "fix the value named above (deploy/README.md, \"Configuration\"); `incident-bot config` "
         "shows "
         "what is in effect";
}

// Loads as load_config does, step by step, so that a failure can be explained with what was read.
std::optional<Config> check_config(const DoctorOptions& options, Report& report) {
  Config raw;
  try {
    if (options.config_file) {
      std::ifstream in(*options.config_file);
      if (!in) throw ConfigError(*options.config_file, "cannot read the configuration file");
      std::ostringstream text;
      text << in.rdbuf();
      raw = parse_config(text.str(), *options.config_file);
    }
    apply_environment(raw, options.env);
    if (options.log_format) raw.log_format = *options.log_format;
    validate(raw);
  } catch (const ConfigError& e) {
    report.fail("configuration", e.what(), config_fix(e, raw));
    return std::nullopt;
  }
  std::vector<std::string> platforms;
  if (raw.slack.configured()) platforms.emplace_back("Slack");
  if (raw.matrix.configured()) platforms.emplace_back("Matrix");
  std::string detail = options.config_file ? *options.config_file + " and the environment"
                                           : std::string("the environment (no --config file)");
  detail += platforms.empty() ? "; no platform configured (`run` starts the console)"
                              : "; platforms: " + platforms.front() +
                                    (platforms.size() > 1 ? ", " + platforms.back() : "");
  report.pass("configuration", detail);
  return raw;
}

// --- database ------------------------------------------------------------------------------

bool writable_dir(const fs::path& dir) {
  return ::access(dir.c_str(), W_OK | X_OK) == 0;
}

Durability durability_of(const Config& config) {
  return config.storage.durability == DurabilityMode::power ? Durability::power
                                                            : Durability::process;
}

// PostgreSQL: the server reachable and new enough, the schema this binary's or none yet, every
// table readable, and writes taken. Messages name the server without user or password.
void check_postgres(const Config& config, Report& report) {
  const char* name = "database";
  const std::string where = shown_location(config.storage.path);
  try {
    const auto store =
        open_store({config.storage.path, durability_of(config), StoreOptions::Create::no, {}});
    const StoreDiagnosis d = store->diagnose();
    if (d.integrity != "ok") {
      report.fail(name, where + ": a table of the schema cannot be read: " + d.integrity,
                  "check the server's log; restore the database from a backup");
      return;
    }
    if (d.write_error) {
      report.fail(name, where + " takes no writes: " + *d.write_error,
                  "point INCIDENT_BOT_DB at the primary, not a standby, and check "
                  "default_transaction_read_only");
      return;
    }
    if (d.setting_error) {
      report.fail(name, where + ": " + *d.setting_error,
                  "ALTER ROLE <the bot's role> SET idle_session_timeout = 0 (or unset it in "
                  "postgresql.conf)");
      return;
    }
    report.pass(name, where + ": schema version " + std::to_string(d.schema_version) + " of " +
                          std::to_string(latest_schema_version()) + ", " + d.journal +
                          ", durability " +
                          (d.durability == Durability::power ? "power" : "process") +
                          ", every table readable, writable");
  } catch (const NoDatabaseError&) {
    report.pass(name, where +
                          " is reachable and has no incident-bot schema yet; the bot creates "
                          "it at its first start");
  } catch (const SchemaTooNewError& e) {
    report.fail(name, where + ": " + e.what(),
                "this binary is older than the database: run the newer incident-bot");
  } catch (const std::exception& e) {
    report.fail(name, where + ": " + e.what(),
                "check the URL's host, port, database, user and password, that the server "
                "accepts this host (pg_hba.conf) and runs PostgreSQL 14 or newer");
  }
}

void check_database(const Config& config, Report& report) {
  if (is_database_url(config.storage.path)) return check_postgres(config, report);
  const char* name = "database";
  std::error_code ec;
  const fs::path path = fs::absolute(config.storage.path, ec);
  const fs::path dir = path.parent_path();
  if (!fs::exists(path, ec)) {
    // Not created here: doctor may run as another user than the bot, and a file it created
    // would then lock the bot out.
    if (!fs::is_directory(dir, ec)) {
      report.fail(name, path.string() + " does not exist, nor its folder " + dir.string(),
                  "create the folder (systemd: StateDirectory=; container: the volume) or point "
                  "INCIDENT_BOT_DB elsewhere");
    } else if (!writable_dir(dir)) {
      report.fail(
          name,
          path.string() + " does not exist and " + dir.string() + " is not writable for this user",
          "make the folder writable for the bot's user, or point INCIDENT_BOT_DB elsewhere");
    } else {
      report.pass(name, path.string() +
                            " does not exist yet; the bot creates it at its first "
                            "start (the folder is writable)");
    }
    return;
  }
  try {
    const auto store =
        open_store({path.string(), durability_of(config), StoreOptions::Create::no, {}});
    const StoreDiagnosis d = store->diagnose();
    if (d.integrity != "ok") {
      report.fail(name, path.string() + ": integrity check failed: " + d.integrity,
                  "stop the bot, keep a copy of the file, and restore it from a backup "
                  "(sqlite3 FILE '.recover' can salvage what is readable)");
      return;
    }
    if (d.write_error) {
      report.fail(name, path.string() + " is not writable: " + *d.write_error,
                  "give the bot's user write access to the file and its folder");
      return;
    }
    if (!writable_dir(dir)) {
      report.fail(name,
                  dir.string() +
                      " is not writable for this user (SQLite needs it for "
                      "the -wal and -shm files)",
                  "give the bot's user write access to the folder");
      return;
    }
    report.pass(name, path.string() + ": schema version " + std::to_string(d.schema_version) +
                          " of " + std::to_string(latest_schema_version()) + ", journal " +
                          d.journal + ", durability " +
                          (d.durability == Durability::power ? "power" : "process") +
                          ", integrity ok, writable");
  } catch (const SchemaTooNewError& e) {
    report.fail(name, path.string() + ": " + e.what(),
                "this binary is older than the database: run the newer incident-bot");
  } catch (const std::exception& e) {
    report.fail(name, path.string() + ": " + e.what(),
                "check that it is an incident-bot database on a local file system, readable and "
                "writable by the bot's user");
  }
}

// --- prompts -------------------------------------------------------------------------------

void check_prompts(const DoctorOptions& options, const Config& config, Report& report) {
  const char* name = "prompts";
  const std::string where = config.prompts_dir.empty()
                                ? std::string("the built-in prompts")
                                : "the built-in prompts with overrides from " + config.prompts_dir;
  try {
    const Prompts prompts = options.load_prompts(config);
    std::string detail = where + " load";
    const auto unknown = prompts.unknown_keys();
    if (!unknown.empty()) {
      detail += " (ignored, unknown to this version:";
      for (const auto& key : unknown) detail += " " + key;
      detail += ")";
    }
    report.pass(name, detail);
  } catch (const std::exception& e) {
    report.fail(name, e.what(),
                "fix the file and line named above in prompts_dir, or unset "
                "INCIDENT_BOT_PROMPTS_DIR to use the built-in prompts");
  }
}

// --- the review page ------------------------------------------------------------------------

void check_web(const Config& config, Report& report) {
  const char* name = "review page";
  if (config.web.listen.empty()) return;  // off: nothing to check
  // The configuration check already refused an address or URL that cannot work.
  const web::WebOptions options =
      web::web_options(config.web.listen, config.web.url, config.web.tls());
  if (config.web.tls()) {
    try {
      net::server_tls(config.web.cert, config.web.key);
    } catch (const std::exception& e) {
      report.fail(name, e.what(),
                  "point INCIDENT_BOT_WEB_CERT at the PEM certificate chain (leaf first) and "
                  "INCIDENT_BOT_WEB_KEY at its private key, both readable by the bot");
      return;
    }
  }
  report.pass(name, "listens on " + config.web.listen + (config.web.tls() ? " over TLS" : "") +
                        "; sign-in links start with " + options.public_url +
                        (options.secure_cookie ? "" : " (plain http: loopback only, for a trial)"));
}

// --- Slack ---------------------------------------------------------------------------------

std::string slack_fix(const slack::ApiError& e, bool app_token) {
  const char* var = app_token ? "SLACK_APP_TOKEN" : "SLACK_BOT_TOKEN";
  const std::string where =
      app_token ? "the app's Basic Information → App-Level Tokens (xapp-…, scope connections:write)"
                : "the app's OAuth & Permissions → Bot User OAuth Token (xoxb-…)";
  using Kind = slack::ApiError::Kind;
  if (e.kind == Kind::transport) {
    return "Slack is out of reach: check DNS, the firewall or proxy for outbound HTTPS, "
           "SLACK_API_URL, and INCIDENT_BOT_CA_FILE if TLS is inspected on the way";
  }
  if (e.kind == Kind::http)
    return "an unexpected HTTP answer: check SLACK_API_URL (default https://slack.com/api/)";
  const std::string& code = e.error;
  if (code == "invalid_auth") {
    return std::string("Slack does not know this token: copy ") + var + " again from " + where +
           " (reinstalling the app or rotating the token makes the old one invalid)";
  }
  if (code == "not_authed")
    return std::string(var) +
           " did not reach Slack: it is empty, or a proxy strips the Authorization header";
  if (code == "token_revoked" || code == "token_expired" || code == "account_inactive") {
    return "the token was revoked or the app uninstalled: reinstall the app to the workspace and "
           "copy the new token from " +
           where;
  }
  if (code == "missing_scope") {
    return "the token lacks the scope " +
           (e.needed.empty() ? std::string("Slack names") : e.needed) +
           ": add it (deploy/slack/manifest.yaml lists them all) and reinstall the app";
  }
  if (code == "not_allowed_token_type") {
    return std::string(var) + " is the wrong kind of token: it must come from " + where +
           " (are SLACK_APP_TOKEN and SLACK_BOT_TOKEN swapped?)";
  }
  if (code == "team_disabled" || code == "user_removed_from_team") {
    return "the workspace or the bot user is deactivated";
  }
  return "see docs.slack.dev/reference/methods for the error \"" + code + "\"";
}

// "SLACK_BOT_TOKEN refused: invalid_auth", or what kept Slack from judging the token at all.
std::string describe(const slack::ApiError& e, const char* var) {
  if (e.kind == slack::ApiError::Kind::transport) return "no answer from Slack (" + e.error + ")";
  if (e.kind == slack::ApiError::Kind::http) return "Slack answered " + e.error;
  return std::string(var) + " refused: " + e.error;
}

asio::awaitable<void> check_slack(Config config, net::TlsContext* tls, Report* report,
                                  std::chrono::milliseconds timeout) {
  auto url = net::Url::parse(config.slack.api_url);
  if (!url || url->scheme != "https") {
    report->fail("slack", "SLACK_API_URL is not an https:// URL", "use https://slack.com/api/");
    co_return;
  }
  net::HttpOptions http_options;
  http_options.connect_timeout = timeout;
  http_options.handshake_timeout = timeout;
  http_options.request_timeout = timeout;
  net::KeepAliveHttpsClient http(co_await asio::this_coro::executor, *tls, *url, http_options);
  slack::WebApiOptions web;
  web.bot_token = config.slack.bot_token;
  web.app_token = config.slack.app_token;
  web.api_target = url->target.back() == '/' ? url->target : url->target + "/";
  web.attempts = 1;  // a diagnosis, not a service: say what happened at once
  web.rate_limited_attempts = 1;
  slack::WebApi api(http, web);

  auto who = co_await api.auth_test();
  if (who) {
    report->pass("slack auth.test", "SLACK_BOT_TOKEN works: bot user " + who->user_id + " (bot " +
                                        who->bot_id + ") in the workspace " + who->team + " (" +
                                        who->team_id + ")");
  } else {
    report->fail("slack auth.test", describe(who.error(), "SLACK_BOT_TOKEN"),
                 slack_fix(who.error(), false));
  }
  // A fresh wss:// URL proves the app token and Socket Mode; it is not connected to (its ticket
  // is a credential, so it is not printed either).
  auto opened = co_await api.open_connection();
  if (opened) {
    report->pass("slack apps.connections.open",
                 "SLACK_APP_TOKEN works and Socket Mode is on (a connection URL was issued; not "
                 "connecting)");
  } else {
    report->fail("slack apps.connections.open", describe(opened.error(), "SLACK_APP_TOKEN"),
                 slack_fix(opened.error(), true));
  }
  http.shutdown();
}

// --- Matrix --------------------------------------------------------------------------------

std::string matrix_fix(const matrix::MatrixError& e) {
  using Kind = matrix::MatrixError::Kind;
  if (e.kind == Kind::transport) {
    return "the homeserver is out of reach: check MATRIX_HOMESERVER, DNS, the firewall or proxy "
           "for outbound HTTPS, and INCIDENT_BOT_CA_FILE for a private CA";
  }
  if (e.unknown_token()) {
    std::string fix =
        "the homeserver does not know MATRIX_ACCESS_TOKEN (logged out, device "
        "deleted, or a token of another server): log in again and set the new "
        "token (deploy/matrix/README.md, \"Get an access token\")";
    if (e.soft_logout) fix += "; it was soft-logged-out: log in with the same device_id";
    return fix;
  }
  if (e.errcode == "M_MISSING_TOKEN")
    return "MATRIX_ACCESS_TOKEN did not reach the homeserver: a proxy strips the Authorization "
           "header";
  if (e.status == 404 || e.errcode == "M_UNRECOGNIZED") {
    return "MATRIX_HOMESERVER is not the client-server API's base URL: use the URL clients use "
           "(https://<server>/.well-known/matrix/client names it), without /_matrix";
  }
  return "see the homeserver's logs for this answer";
}

asio::awaitable<void> check_matrix(Config config, net::TlsContext* tls, Report* report,
                                   std::chrono::milliseconds timeout) {
  auto url = net::Url::parse(config.matrix.homeserver);
  if (!url || url->scheme != "https") {
    report->fail("matrix", "MATRIX_HOMESERVER is not an https:// URL",
                 "use the URL clients use, like https://matrix.example.org");
    co_return;
  }
  net::HttpOptions http_options;
  http_options.connect_timeout = timeout;
  http_options.handshake_timeout = timeout;
  http_options.request_timeout = timeout;
  const auto executor = co_await asio::this_coro::executor;
  net::KeepAliveHttpsClient http(executor, *tls, *url, http_options);
  matrix::ClientOptions client_options;
  client_options.access_token = config.matrix.access_token;
  client_options.base_path = url->target == "/" ? std::string() : url->target;
  client_options.request_timeout = timeout;
  matrix::Client client(executor, http, client_options);

  auto versions = co_await client.versions(matrix::Client::kOnce);
  if (!versions) {
    report->fail("matrix /versions", url->origin() + ": " + versions.error().describe(),
                 matrix_fix(versions.error()));
    http.shutdown();
    co_return;
  }
  std::string spoken;
  const auto body = nlohmann::json::parse(*versions, nullptr, false);
  if (body.is_object() && body.contains("versions") && body["versions"].is_array()) {
    for (const auto& v : body["versions"]) {
      if (v.is_string()) spoken += (spoken.empty() ? "" : ", ") + v.get<std::string>();
    }
  }
  report->pass("matrix /versions", url->origin() + " speaks the client-server API" +
                                       (spoken.empty() ? std::string() : " (" + spoken + ")"));

  auto who = co_await client.whoami(matrix::Client::kOnce);
  if (!who) {
    const bool answered = who.error().kind == matrix::MatrixError::Kind::http;
    report->fail("matrix whoami",
                 (answered ? "MATRIX_ACCESS_TOKEN refused: " : "") + who.error().describe(),
                 matrix_fix(who.error()));
  } else if (!config.matrix.user_id.empty() && *who != config.matrix.user_id) {
    report->fail(
        "matrix whoami",
        "the access token belongs to " + *who + ", but MATRIX_USER_ID is " + config.matrix.user_id,
        "set MATRIX_USER_ID to " + *who +
            ", or leave it unset (the bot asks whoami), "
            "or use the token of " +
            config.matrix.user_id);
  } else {
    report->pass("matrix whoami", "MATRIX_ACCESS_TOKEN works: the bot is " + *who);
  }
  http.shutdown();
}

void check_platforms(const Config& config, const DoctorOptions& options, Report& report) {
  if (!config.slack.configured() && !config.matrix.configured()) return;
  std::unique_ptr<net::TlsContext> tls;
  try {
    tls = std::make_unique<net::TlsContext>(config.ca_file);
  } catch (const std::exception& e) {
    report.fail("TLS", e.what(), "point INCIDENT_BOT_CA_FILE at a readable PEM file, or unset it");
    return;
  }
  if (!config.ca_file.empty()) report.pass("TLS", "the system's CAs and " + config.ca_file);
  asio::io_context io;
  if (config.slack.configured()) {
    asio::co_spawn(io, check_slack(config, tls.get(), &report, options.network_timeout),
                   asio::detached);
  }
  if (config.matrix.configured()) {
    asio::co_spawn(io, check_matrix(config, tls.get(), &report, options.network_timeout),
                   asio::detached);
  }
  // Every request is bounded by the timeouts above; this bounds the whole, name resolution
  // included. What did not finish is reported as such, and io's destructor ends it.
  io.run_for(options.network_timeout * 3);
  if (!io.stopped()) {
    for (const char* name :
         {"slack auth.test", "slack apps.connections.open", "matrix /versions", "matrix whoami"}) {
      const bool slack_check = std::string(name).rfind("slack", 0) == 0;
      if ((slack_check ? config.slack.configured() : config.matrix.configured()) &&
          !report.has(name)) {
        report.fail(name, "no answer in time",
                    "check DNS and the network path to the platform (a proxy?)");
      }
    }
  }
}

}  // namespace

int run_doctor(const DoctorOptions& options, std::ostream& out) {
  Report report(out);
  const auto config = check_config(options, report);
  if (!config) return kConfigError;
  // The checks print their own findings; the log only shows what the user asked for.
  std::vector<std::string> secrets{config->slack.app_token, config->slack.bot_token,
                                   config->matrix.access_token};
  setup_logging(config->log_level.empty() ? "error" : config->log_level, config->log_format,
                secrets);
  check_database(*config, report);
  check_prompts(options, *config, report);
  check_web(*config, report);
  check_platforms(*config, options, report);
  const int failed = report.failures();
  if (failed == 0) {
    out << "All " << report.size() << " checks passed.\n";
    return 0;
  }
  out << failed << " of " << report.size() << " checks failed.\n";
  return 1;
}

}  // namespace incident
