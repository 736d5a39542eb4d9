// The review page (issue 15): a small web app served by the bot on its own listener
// (INCIDENT_BOT_WEB), over the review store only — it has no way to reach a DM, a security case
// or a recorded reply. Signing in: `web` in an incident channel DMs a one-time link (issue());
// GET /login/<token> shows a Continue button and changes nothing (link previewers and mail
// scanners only GET), POST /login uses the token once and starts a server-side session in an
// HttpOnly cookie. Who sees what: members of the incident's channel, asked of the platform
// (MembershipCheck, cached a minute); anyone else gets 404, as if it did not exist.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "adapters/ops/http_server.h"
#include "bot/blameless/blameless.h"
#include "bot/draft/draft.h"
#include "bot/engine/engine.h"
#include "bot/model/review_store.h"

namespace incident::web {

struct WebOptions {
  std::string public_url;  // links start with it: "https://incidents.example.org" (no '/' at end)
  // The cookie's Secure flag and __Host- prefix: off only for a plain-http URL on loopback.
  bool secure_cookie = true;
  std::chrono::minutes sign_in_valid{10};
  std::chrono::hours session_idle{2};
  std::chrono::hours session_max{12};
  std::chrono::seconds membership_cached{60};
  // Unused, unexpired sign-in links a person may hold at once: more `web` requests within the
  // links' validity get none (a flood of links helps nobody but someone guessing).
  int sign_ins_pending_max = 5;
  // Who edits the draft on the page: the commander, scribe and facilitator (false), or every
  // member of the incident's channel (true; `web.writers = "members"`).
  bool members_write = false;
};

// Whether `user` is a member of `channel` on `platform` now; nullopt when it cannot be told
// (then the answer is no).
using MembershipCheck = std::function<boost::asio::awaitable<std::optional<bool>>(
    std::string platform, std::string channel, std::string user)>;

// The same renderings as `draft` and `incident-bot export`: bot Markdown of the draft, and the
// JSON export.
struct Renderers {
  std::function<Document(const Incident&, TimePoint now)> draft;
  std::function<std::string(const Incident&)> export_json;
  // The blameless check `lint` runs (the findings a section's text gets as it is written).
  std::function<std::vector<Finding>(std::string_view text)> check;
};

// Hands a command to the incident's platform on the signed-in user's behalf, as if typed in the
// channel (platform::PlatformAdapter::submit; the console prints): the review page's Start review
// and Publish buttons go through the same engine, store and replies as chat. nullopt when it
// could not be recorded.
using Submit = std::function<std::optional<Outcome>(const InboundEvent& event)>;

// A link that opens a message in its platform's client (platform, channel, message ref); empty
// when there is none.
using MessageLink = std::function<std::string(const std::string& platform,
                                              const std::string& channel, const std::string& ref)>;

class WebApp {
 public:
  WebApp(ReviewStore& store, WebOptions options, Renderers renderers, MembershipCheck members,
         std::function<TimePoint()> clock);

  boost::asio::awaitable<ops::HttpAnswer> handle(ops::HttpRequest request);

  // Engine::SignInIssuer: a fresh token in a link to /login/<token>, its hash for the store.
  std::optional<Engine::IssuedSignIn> issue(const InboundEvent& event, std::int64_t incident);

  // Where Start review and Publish go; unset, the page offers neither.
  void set_submit(Submit submit) { submit_ = std::move(submit); }
  // How timeline entries link back to their messages; unset, they do not.
  void set_message_links(MessageLink links) { links_ = std::move(links); }

  std::string cookie_name() const {
    return options_.secure_cookie ? "__Host-ib_session" : "ib_session";
  }

 private:
  std::optional<WebSession> signed_in(const ops::HttpRequest& request);
  boost::asio::awaitable<bool> may_see(const WebSession& session, const IncidentSummary& row);
  boost::asio::awaitable<ops::HttpAnswer> incident_route(const ops::HttpRequest& request,
                                                         const WebSession& session,
                                                         std::string_view rest);
  // POST /incidents/INC-n/sections/<key> and /incidents/INC-n/check.
  ops::HttpAnswer post_route(const ops::HttpRequest& request, const WebSession& session,
                             const Incident& incident, std::string_view what);
  bool csrf_ok(const ops::HttpRequest& request, const WebSession& session) const;
  ops::HttpAnswer save_action(const ops::HttpRequest& request, const WebSession& session,
                              const Incident& incident, std::string_view which);
  // POST /incidents/INC-n/review and /publish: `postmortem` and `publish confirm` as the viewer.
  ops::HttpAnswer run_command(const WebSession& session, const Incident& incident,
                              const std::string& command, const std::string& title);
  // Timeline entry seq -> the link to its message (https only).
  std::map<std::int64_t, std::string> message_links(const Incident& incident) const;
  ops::HttpAnswer login(const ops::HttpRequest& request);
  ops::HttpAnswer logout(const ops::HttpRequest& request);
  bool same_origin(const ops::HttpRequest& request) const;
  ops::HttpAnswer finish(ops::HttpAnswer answer) const;  // the security headers

  ReviewStore& store_;
  WebOptions options_;
  Renderers renderers_;
  MembershipCheck members_;
  std::function<TimePoint()> clock_;
  Submit submit_;
  MessageLink links_;
  // (platform, channel, user) -> (member?, when asked)
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<bool, TimePoint>>
      membership_;
};

// Listens on `listen` (host:port) and serves `app` on `executor` until the server is stopped;
// over TLS with `tls` (net::server_tls: INCIDENT_BOT_WEB_CERT and _KEY), else plain HTTP for a
// reverse proxy. Limits for a browser: 16 KiB of headers, 256 KiB of body, 64 connections, 30 s
// per request. Throws std::runtime_error (naming the address) when it cannot listen.
std::unique_ptr<ops::HttpServer> serve_web(boost::asio::any_io_executor executor,
                                           const std::string& listen, WebApp& app,
                                           std::shared_ptr<boost::asio::ssl::context> tls = {});

// "host:port" to listen on and the public URL; a URL that is not https:// is refused unless the
// address is loopback (a local trial). Served over TLS (`tls`), the URL defaults to
// https://host:port. Throws std::invalid_argument naming the setting.
WebOptions web_options(const std::string& listen, const std::string& public_url, bool tls = false);

}  // namespace incident::web
