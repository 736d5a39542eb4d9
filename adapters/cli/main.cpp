// incident-bot: the composition root. Parses the command line and configuration, opens the
// store, loads the prompts, and wires the adapters to the engine.
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "adapters/cli/config.h"
#include "adapters/cli/doctor.h"
#include "adapters/cli/export.h"
#include "adapters/cli/lint.h"
#include "adapters/cli/logging.h"
#include "adapters/console/console.h"
#include "adapters/matrix/matrix_adapter.h"
#include "adapters/net/tls.h"
#include "adapters/ops/http_server.h"
#include "adapters/ops/series.h"
#include "adapters/platform/platform.h"
#include "adapters/platform/time_zone.h"
#include "adapters/slack/slack_adapter.h"
#include "adapters/web/app.h"
#include "bot/draft/draft.h"
#include "bot/engine/engine.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "storage/store.h"

namespace fs = std::filesystem;
using namespace incident;

namespace {

constexpr int kUsageError = 2;

// Shutdown (deploy/README.md, "Signals"): the first SIGINT/SIGTERM stops the adapters, which finish
// and acknowledge what is in flight, close their WebSockets with a close frame and post queued
// replies for at most kDrainBudget; past kShutdownBudget the process exits 0 anyway (every
// acknowledged fact is committed already). A second signal exits at once with 128 + signal.
constexpr std::chrono::milliseconds kDrainBudget{2500};
constexpr std::chrono::milliseconds kShutdownBudget{4500};

// After the first signal: the next one ends the process here and now, even while the event loop
// is busy (async-signal-safe: nothing but _exit).
void exit_at_once(int signal) {
  ::_exit(128 + signal);
}

// The configured credentials, which the log scrubs wherever they appear.
std::vector<std::string> secrets_of(const Config& config) {
  return {config.slack.app_token, config.slack.bot_token, config.matrix.access_token};
}

std::vector<PromptFile> read_prompt_dir(const std::string& dir) {
  std::vector<PromptFile> files;
  if (dir.empty()) return files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ConfigError("prompts_dir", "is not a directory: " + dir);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".txt" && ext != ".tmpl")) continue;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({entry.path().filename().string(), text.str()});
  }
  std::sort(files.begin(), files.end(),
            [](const PromptFile& a, const PromptFile& b) { return a.name < b.name; });
  return files;
}

Prompts load_prompts(const Config& config) {
  Prompts prompts = Prompts::load(embedded_prompts(), read_prompt_dir(config.prompts_dir));
  for (const auto& key : prompts.unknown_keys()) {
    spdlog::warn("prompts_dir: unknown prompt key \"{}\" (not used by this version)", key);
  }
  return prompts;
}

// `run` and `console` create the database; the read-only commands (`list`, `export`) say when
// there is none rather than create an empty one at a mistyped path.
std::unique_ptr<DurableStore> open_configured_store(
    const Config& config, StoreOptions::Create create = StoreOptions::Create::yes) {
  return open_store(
      {config.storage.path,
       config.storage.durability == DurabilityMode::power ? Durability::power : Durability::process,
       create, config.storage.replica});
}

int no_database(const Config& config, const char* command) {
  std::cerr << command << ": there is no database at " << shown_location(config.storage.path)
            << " (check INCIDENT_BOT_DB or storage.path; only `run` and `console` create one)\n";
  return 1;
}

std::string console_user() {
  for (const char* name : {"INCIDENT_BOT_CONSOLE_USER", "USER", "LOGNAME"}) {
    if (auto v = process_env(name); v && !v->empty()) return *v;
  }
  return "operator";
}

// "Is this safe?" settings. The console always has a security channel: it shows the security
// team's side itself, so `report` can be tried without a workspace.
DmSettings dm_settings(const Config& config, bool console) {
  DmSettings dm;
  dm.security_channel = console || !config.security_channel.empty();
  dm.escalation_limit = config.escalation_limit;
  dm.retention = std::chrono::days{config.escalation_retention_days};
  return dm;
}

// When the reminders of open incidents fall due (bot/engine/remind.h).
RemindSettings remind_settings(const Config& config) {
  RemindSettings remind;
  remind.enabled = config.reminders.enabled;
  remind.quiet_high = std::chrono::minutes{config.reminders.quiet_minutes_sev12};
  remind.quiet_low = std::chrono::minutes{config.reminders.quiet_minutes_other};
  remind.no_severity = std::chrono::minutes{config.reminders.no_severity_minutes};
  remind.still_open = std::chrono::hours{config.reminders.still_open_hours};
  // Validated when the configuration was loaded.
  const auto hours = working_hours(config.reminders.working_hours);
  remind.work_start = hours->first;
  remind.work_end = hours->second;
  remind.work_days = *working_days(config.reminders.working_days);
  remind.follow_up_channel = config.reminders.follow_up_channel;
  if (config.archive_after_hours > 0) {
    remind.archive_after = std::chrono::hours{config.archive_after_hours};
  }
  if (!config.reminders.time_zone.empty()) {
    remind.utc_offset = [zone = platform::TimeZone::load(config.reminders.time_zone)](TimePoint t) {
      return zone.offset(t);
    };
  }
  return remind;
}

// Case codes must be unguessable: std::random_device reads the kernel's CSPRNG (getrandom /
// RDRAND) on Linux. Shared, as std::function needs a copyable callable.
Engine::RandomSource system_random() {
  return [device = std::make_shared<std::random_device>()] {
    return (std::uint64_t{(*device)()} << 32) | (*device)();
  };
}

// The review page's renderings: the same functions as `draft` and `incident-bot export`.
web::Renderers web_renderers(const Prompts& prompts) {
  return {[&prompts](const Incident& inc, TimePoint now) { return write_draft(inc, now, prompts); },
          [](const Incident& inc) { return export_json(inc); },
          [&prompts](std::string_view text) { return check_blameless(text, People{}, prompts); }};
}

// The review page's settings from the configuration (validated at load).
web::WebOptions web_options(const Config& config) {
  web::WebOptions options = web::web_options(config.web.listen, config.web.url, config.web.tls());
  options.members_write = config.web.writers == "members";
  return options;
}

// The review page's own TLS, when a certificate is configured; null: plain HTTP behind a proxy.
// Throws std::runtime_error naming a file that cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> web_tls(const Config& config) {
  if (!config.web.tls()) return nullptr;
  return net::server_tls(config.web.cert, config.web.key);
}

// The console with the review page beside it, on one event loop: standard input is read as it
// comes (each read's complete lines one batch), and the page stays up after the end of input
// until SIGINT or SIGTERM (or `quit`), so a piped incident can still be reviewed.
int run_console_with_web(const Config& config, Console& console, web::WebApp& app) {
  boost::asio::io_context io;
  auto server = web::serve_web(io.get_executor(), config.web.listen, app, web_tls(config));
  boost::asio::posix::stream_descriptor in(io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto stop = [&] {
    server->stop();
    signals.cancel();
    boost::system::error_code ignored;
    in.close(ignored);  // a read still waiting for input ends too
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  console.start(std::cout);
  const int fd = ::dup(STDIN_FILENO);
  boost::system::error_code assigned;
  in.assign(fd, assigned);
  auto read_input = [&]() -> boost::asio::awaitable<void> {
    std::array<char, 64 * 1024> buffer{};
    while (true) {
      auto [ec, n] = co_await in.async_read_some(boost::asio::buffer(buffer),
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
      if (n > 0 && !console.feed(std::string_view(buffer.data(), n), std::cout)) {
        stop();  // `quit`
        co_return;
      }
      if (ec) co_return;  // end of input: the page stays until a signal
    }
  };
  if (assigned) {
    // A regular file cannot be polled: read it whole, then serve.
    if (fd >= 0) ::close(fd);
    std::ostringstream text;
    text << std::cin.rdbuf();
    std::string input = text.str();
    if (!input.empty() && input.back() != '\n') input += '\n';
    if (!console.feed(input, std::cout)) stop();
  } else {
    boost::asio::co_spawn(io, read_input(), boost::asio::detached);
  }
  std::cout << std::flush;
  io.run();
  return 0;
}

int run_console(const Config& config) {
  auto store_ptr = open_configured_store(config);
  DurableStore& store = *store_ptr;
  const Prompts prompts = load_prompts(config);
  Settings settings;
  settings.command_prefix = config.command_prefix;
  // The console shows the lessons channel itself (`[lessons channel]`), as it does the security
  // channel: `share` works without a workspace.
  settings.lessons_channel = true;
  settings.dm = dm_settings(config, true);
  settings.web = !config.web.listen.empty();
  settings.remind = remind_settings(config);
  settings.own_channel = config.own_channel;
  Engine engine(store, prompts, settings, system_random());
  // Everyone at this terminal is in the console's channel.
  std::unique_ptr<web::WebApp> app;
  if (settings.web) {
    app = std::make_unique<web::WebApp>(
        store, web_options(config), web_renderers(prompts),
        [](std::string, std::string, std::string) -> boost::asio::awaitable<std::optional<bool>> {
          co_return true;
        },
        platform::system_now);
    engine.set_sign_in_issuer(
        [&app = *app](const InboundEvent& event, std::int64_t n) { return app.issue(event, n); });
  }

  ConsoleOptions options;
  options.user = console_user();
  options.prefix = config.command_prefix;
  options.interactive = isatty(STDIN_FILENO) != 0;
  // INCIDENT_BOT_NOW: the console's clock starts there and runs on, so reminders and back-dating
  // can be tried without waiting; only the console honours it (a workspace has its own clock).
  if (const auto now = process_env("INCIDENT_BOT_NOW"); now && !now->empty()) {
    const auto start = parse_iso8601(*now);
    if (!start) {
      std::cerr << "INCIDENT_BOT_NOW: \"" << *now
                << "\" is not a time; use ISO-8601, e.g. 2026-11-30T09:00Z\n";
      return kUsageError;
    }
    options.clock = [start = *start, since = std::chrono::steady_clock::now()] {
      return start + std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - since);
    };
  }
  // Console messages have no platform ids: a per-run session makes every line's key unique.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  options.session = std::to_string(now_ms.count()) + "-" + std::to_string(getpid());
  Console console(engine, options);
  if (app) {
    app->set_submit(
        [&console](const InboundEvent& event) { return console.submit(event, std::cout); });
  }
  // Buffered standard input, so that lines piped in together are seen together (one batch).
  std::ios::sync_with_stdio(false);
  if (app) return run_console_with_web(config, console, *app);
  return console.run(std::cin, std::cout);
}

// Every configured platform on one io_context and one store: Slack (Socket Mode in, the Web API
// out) and Matrix (/sync in, its outbox out). An engine per platform, as help and hints name the
// platform's own command (/incident, !incident); they share the store. SIGINT and SIGTERM stop
// every adapter, each letting queued replies go out (for a few seconds) first; an adapter that
// fails for good stops the others, and the exit status is 1.
int run_platforms(const Config& config) {
  auto store_ptr = open_configured_store(config);
  DurableStore& store = *store_ptr;
  const Prompts prompts = load_prompts(config);
  auto engine_for = [&](const std::string& prefix) {
    Settings settings;
    settings.command_prefix = prefix;
    settings.lessons_channel = !config.lessons_channel.empty();
    settings.dm = dm_settings(config, false);
    settings.web = !config.web.listen.empty();
    settings.remind = remind_settings(config);
    settings.own_channel = config.own_channel;
    return std::make_unique<Engine>(store, prompts, settings, system_random());
  };

  net::TlsContext tls(config.ca_file);
  boost::asio::io_context io;
  // /metrics (deploy/README.md, "Health and metrics"): counted on this thread, read by the HTTP
  // server.
  ops::Metrics metrics;
  ops::declare_series(metrics);
  metrics.declare_gauge_probe(ops::series::kOpenIncidents, "Incidents open now.", [&store] {
    return static_cast<double>(store.open_incidents().size());
  });
  store.set_commit_observer([&metrics](std::chrono::steady_clock::duration took) {
    metrics.histogram(ops::series::kDbCommit).observe(std::chrono::duration<double>(took).count());
  });
  // Each adapter with its engine, in the order they are started, stopped and reported.
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<std::unique_ptr<platform::PlatformAdapter>> adapters;
  if (config.slack.configured()) {
    slack::SlackOptions options;
    options.app_token = config.slack.app_token;
    options.bot_token = config.slack.bot_token;
    options.api_url = config.slack.api_url;
    options.slash_command = config.slack.slash_command;
    options.lessons_channel = config.lessons_channel;
    options.security_channel = config.security_channel;
    options.drain_timeout = kDrainBudget;
    options.metrics = &metrics;
    // Another replica may stop with replies unposted: a live one posts them (Store's outbox).
    if (is_database_url(config.storage.path)) {
      options.outbox_look = std::chrono::seconds{10};
      // …and one that cannot store envelopes leaves them to the others.
      options.unable = [&store] { return store.write_check(); };
      options.socket_mode.expected_connections = 8;  // up to 4 replicas, each refreshed at times
    }
    engines.push_back(engine_for(config.slack.slash_command));
    adapters.push_back(std::make_unique<slack::SlackAdapter>(io.get_executor(), *engines.back(),
                                                             store, tls, options));
  }
  if (config.matrix.configured()) {
    matrix::MatrixOptions options;
    options.homeserver = config.matrix.homeserver;
    options.access_token = config.matrix.access_token;
    options.user_id = config.matrix.user_id;
    options.allowed_inviters = config.matrix.allowed_inviters;
    options.command_prefix = config.command_prefix;
    options.lessons_room = config.lessons_channel;
    options.security_room = config.security_channel;
    options.drain_timeout = kDrainBudget;
    options.metrics = &metrics;
    // Replicas on PostgreSQL: one of them syncs the account (none needed on SQLite).
    options.leadership = [&store](const std::string& role) { return store.leadership(role); };
    engines.push_back(engine_for(config.command_prefix));
    adapters.push_back(std::make_unique<matrix::MatrixAdapter>(io.get_executor(), *engines.back(),
                                                               store, prompts, tls, options));
  }

  // /healthz: asked at request time. 200 only when every platform is connected and a write
  // transaction can start.
  ops::Health health;
  for (const auto& adapter : adapters) {
    health.add(std::string(adapter->name()), [&adapter = *adapter] {
      return ops::platform_health(adapter.connected(), adapter.last_error());
    });
  }
  health.add("database", [&store] { return ops::database_health(store.write_check()); });
  std::unique_ptr<ops::HttpServer> http;
  if (!config.http.empty()) http = ops::serve_ops(io.get_executor(), config.http, metrics, health);
  // The review page: an incident is shown to the members of its channel, asked of its platform.
  std::unique_ptr<web::WebApp> app;
  std::unique_ptr<ops::HttpServer> web_server;
  if (!config.web.listen.empty()) {
    app = std::make_unique<web::WebApp>(
        store, web_options(config), web_renderers(prompts),
        [&adapters](std::string platform, std::string channel,
                    std::string user) -> boost::asio::awaitable<std::optional<bool>> {
          for (const auto& adapter : adapters) {
            if (adapter->name() != platform) continue;
            std::optional<bool> member = co_await adapter->is_member(channel, user);
            co_return member;
          }
          co_return std::nullopt;
        },
        platform::system_now);
    for (const auto& engine : engines) {
      engine->set_sign_in_issuer(
          [&app = *app](const InboundEvent& event, std::int64_t n) { return app.issue(event, n); });
    }
    app->set_message_links([&adapters](const std::string& platform, const std::string& channel,
                                       const std::string& ref) {
      for (const auto& adapter : adapters) {
        if (adapter->name() == platform) return adapter->message_link(channel, ref);
      }
      return std::string{};
    });
    app->set_submit([&adapters](const InboundEvent& event) -> std::optional<Outcome> {
      for (const auto& adapter : adapters) {
        if (adapter->name() == event.platform) return adapter->submit(event);
      }
      return std::nullopt;
    });
    web_server = web::serve_web(io.get_executor(), config.web.listen, *app, web_tls(config));
  }

  auto stop_all = [&] {
    for (const auto& adapter : adapters) adapter->stop();
    if (http) http->stop();  // at once: a scraper must not hold up the exit
    if (web_server) web_server->stop();
  };
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer shutdown_deadline(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("{}: stopping (a second signal exits at once)",
                 signal == SIGINT ? "SIGINT" : "SIGTERM");
    boost::system::error_code ignored;
    signals.clear(ignored);  // gives the signals back, so that the handler below gets them
    std::signal(SIGINT, exit_at_once);
    std::signal(SIGTERM, exit_at_once);
    stop_all();
    shutdown_deadline.expires_after(kShutdownBudget);
    shutdown_deadline.async_wait([](const boost::system::error_code& error) {
      if (error) return;
      spdlog::warn(
          "the shutdown is taking too long: exiting now (acknowledged facts are "
          "stored; replies not yet posted are lost)");
      spdlog::default_logger()->flush();
      std::_Exit(0);
    });
  });
  // Replicas on PostgreSQL: this one is alive while it beats, and keeps the outbox requests it
  // claimed (DurableStore::heartbeat; nothing on SQLite).
  boost::asio::steady_timer beat(io);
  bool beating = true;
  std::function<void()> heartbeat = [&] {
    try {
      store.heartbeat();
      if (!beating) spdlog::info("database: this replica is seen alive again");
      beating = true;
    } catch (const std::exception& e) {
      if (beating) spdlog::warn("database: could not record this replica as alive: {}", e.what());
      beating = false;
    }
    beat.expires_after(DurableStore::kHeartbeat);
    beat.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) heartbeat();
    });
  };
  heartbeat();
  int running = static_cast<int>(adapters.size());
  int status = 0;
  for (const auto& adapter : adapters) {
    boost::asio::co_spawn(io, adapter->run(),
                          [&, name = std::string(adapter->name())](
                              std::exception_ptr e, std::optional<std::string> failure) {
                            if (--running == 0) {
                              signals.cancel();
                              beat.cancel();
                              if (http) http->stop();
                              if (web_server) web_server->stop();
                              shutdown_deadline.cancel();
                            }
                            if (e) std::rethrow_exception(e);
                            if (!failure) return;
                            spdlog::error("{}: {}", name, *failure);
                            status = 1;
                            stop_all();
                          });
  }
  io.run();
  if (status == 0) spdlog::info("stopped");
  return status;
}

int run_bot(const Config& config) {
  if (config.slack.configured() || config.matrix.configured()) return run_platforms(config);
  spdlog::info("no platform configured: starting the console");
  return run_console(config);
}

int list_incidents(const Config& config) try {
  auto store = open_configured_store(config, StoreOptions::Create::no);
  const auto rows = store->list_incidents();
  if (rows.empty()) {
    std::cout << "No incidents stored in " << shown_location(config.storage.path) << ".\n";
    return 0;
  }
  for (const auto& r : rows) {
    std::cout << incident_id(r.number) << "\t" << to_string(r.status) << "\t"
              << to_string(r.severity) << "\t" << format_utc(r.opened_at) << "\t"
              << (r.closed_at ? format_duration(r.opened_at, *r.closed_at) : std::string("-"))
              << "\t" << r.platform << ":" << r.channel << "\t" << r.reminders << "\t" << r.title
              << "\n";
  }
  return 0;
} catch (const NoDatabaseError&) {
  return no_database(config, "list");
}

int export_incident(const Config& config, const std::string& id, const std::string& format) {
  const auto number = parse_incident_id(id);
  if (!number) {
    std::cerr << "export: \"" << id << "\" is not an incident id (like INC-12)\n";
    return kUsageError;
  }
  std::optional<Incident> inc;
  try {
    inc = open_configured_store(config, StoreOptions::Create::no)->incident(*number);
  } catch (const NoDatabaseError&) {
    return no_database(config, "export");
  }
  if (!inc) {
    std::cerr << "export: " << incident_id(*number) << " is not in "
              << shown_location(config.storage.path) << "\n";
    return 1;
  }
  if (format == "json") {
    std::cout << export_json(*inc);
  } else {
    const auto now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    // Escaped for CommonMark: the export is pasted into wikis, where user text must stay text.
    std::cout << markup::to_commonmark(render_draft(*inc, now, load_prompts(config)));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "incident-bot: keeps the timeline and action items of an incident channel and "
      "writes a blameless post-incident draft.\nWith no platform configured it runs "
      "the console."};
  app.set_version_flag("--version", std::string("incident-bot ") + INCIDENT_BOT_VERSION);
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file (the environment wins)")
      ->check(CLI::ExistingFile);
  std::string log_format_flag;
  app.add_option("--log-format", log_format_flag,
                 "text (default) or json: one object per line with ts, level, msg")
      ->check(CLI::IsMember({"text", "json"}));
  app.fallthrough();
  app.require_subcommand(0, 1);

  auto* run = app.add_subcommand("run", "Connect to every configured platform (the default)");
  auto* console = app.add_subcommand(
      "console",
      "A local incident channel in the terminal; `dm <text>` talks to the bot privately");
  auto* list = app.add_subcommand("list", "List the stored incidents");
  auto* exp = app.add_subcommand("export", "Print a stored incident as a draft or as JSON");
  std::string export_id;
  std::string export_format = "md";
  exp->add_option("id", export_id, "Incident id, e.g. INC-12")->required();
  exp->add_option("--format", export_format, "md (the draft) or json")
      ->check(CLI::IsMember({"md", "json"}));
  auto* show_config =
      app.add_subcommand("config", "Print the effective configuration with secrets redacted");
  auto* doctor =
      app.add_subcommand("doctor",
                         "Check the configuration, the database and each platform's credentials "
                         "(exit 0 only when all is well)");
  auto* lint = app.add_subcommand(
      "lint", "Check a text for blame, named people and personnel matters (exit 1 on findings)");
  LintOptions lint_options;
  std::string lint_format = "text";
  lint->add_option("file", lint_options.file, "The text to check; - or none reads stdin");
  lint->add_option("--people", lint_options.people,
                   "Known participant names, comma-separated (each is flagged as a person)")
      ->delimiter(',')
      ->allow_extra_args(false);
  lint->add_option("--format", lint_format, "text (LINE:COL KIND \"phrase\" -> suggestion) or json")
      ->check(CLI::IsMember({"text", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kUsageError;
  }
  // lint needs no configuration, database or logging: it must run anywhere, even in a docs CI.
  if (lint->parsed()) {
    lint_options.json = lint_format == "json";
    return run_lint(lint_options, Prompts::load(embedded_prompts()), std::cin, std::cout,
                    std::cerr);
  }

  std::optional<LogFormat> log_format;
  if (!log_format_flag.empty()) log_format = parse_log_format("--log-format", log_format_flag);
  if (doctor->parsed()) {
    DoctorOptions doctor_options;
    if (!config_file.empty()) doctor_options.config_file = config_file;
    doctor_options.log_format = log_format;
    doctor_options.load_prompts = load_prompts;
    try {
      return run_doctor(doctor_options, std::cout);
    } catch (const std::exception& e) {
      std::cerr << "doctor: " << e.what() << "\n";
      return 1;
    }
  }

  Config config;
  try {
    config = load_config(config_file.empty() ? std::nullopt : std::optional(config_file));
  } catch (const ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return kUsageError;
  }
  if (log_format) config.log_format = *log_format;
  // The console keeps stderr quiet unless asked: its stdout is the conversation.
  const bool console_mode =
      console->parsed() || (!list->parsed() && !exp->parsed() && !show_config->parsed() &&
                            !config.slack.configured() && !config.matrix.configured());
  setup_logging(config.log_level.empty() ? (console_mode ? "warn" : "info") : config.log_level,
                config.log_format, secrets_of(config));

  try {
    if (show_config->parsed()) {
      std::cout << redacted(config);
      return 0;
    }
    if (list->parsed()) return list_incidents(config);
    if (exp->parsed()) return export_incident(config, export_id, export_format);
    if (console->parsed()) return run_console(config);
    (void)run;
    return run_bot(config);
  } catch (const ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return kUsageError;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
