#include "adapters/web/app.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "adapters/web/assets.h"
#include "adapters/web/crypto.h"
#include "adapters/web/html.h"
#include "adapters/web/pages.h"
#include "bot/model/command.h"
#include "bot/text/markup.h"

namespace incident::web {

namespace asio = boost::asio;
using asio::awaitable;
using ops::HttpAnswer;
using ops::HttpRequest;

namespace {

HttpAnswer html(int status, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.content_type = "text/html; charset=utf-8";
  a.body = std::move(body);
  return a;
}

HttpAnswer redirect(const std::string& to) {
  HttpAnswer a;
  a.status = 303;
  a.body = "see " + to + "\n";
  a.headers.emplace_back("Location", to);
  return a;
}

HttpAnswer not_found(const std::optional<Viewer>& viewer) {
  return html(404, message_page("Not found",
                                "There is nothing here, or nothing you can see: the review page "
                                "shows the incidents of the channels you are in.",
                                viewer, true));
}

HttpAnswer method_not_allowed(const char* allow) {
  HttpAnswer a;
  a.status = 405;
  a.body = "method not allowed\n";
  a.headers.emplace_back("Allow", allow);
  return a;
}

Viewer viewer_of(const WebSession& s) {
  return Viewer{s.platform, s.user, s.csrf};
}

// Who may rewrite the draft: the commander, the scribe and the facilitator (who ran
// `postmortem`); everyone else in the channel reads, unless every member writes.
bool may_write(const Incident& inc, const WebSession& session, const WebOptions& options) {
  // With members_write the caller is a member: checked before any route.
  return options.members_write || inc.leads_review(session.user);
}

bool editable(std::string_view key) {
  for (const char* k : kEditableSections) {
    if (key == k) return true;
  }
  return false;
}

// The body of `## <title>` in the draft's Markdown: what the box starts with for a section
// nobody rewrote yet.
std::string generated_section(const std::string& markdown, const std::string& title) {
  const std::string heading = "## " + title + "\n";
  const auto at = markdown.find(heading);
  if (at == std::string::npos) return {};
  const auto from = at + heading.size();
  const auto next = markdown.find("\n## ", from);
  std::string body =
      markdown.substr(from, next == std::string::npos ? std::string::npos : next - from);
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return body;
}

constexpr std::size_t kSectionLimit = 20000;  // bytes of one section's text

// The draft's own headings, two levels down, so that the page keeps one <h1> and the draft sits
// under its "Draft" heading. User text is escaped before this, so no tag here came from it.
std::string nested_headings(std::string html) {
  for (const auto& [from, to] : {std::pair{"<h2>", "<h4>"}, std::pair{"</h2>", "</h4>"},
                                 std::pair{"<h1>", "<h3>"}, std::pair{"</h1>", "</h3>"}}) {
    const std::string f = from;
    const std::string t = to;
    for (auto at = html.find(f); at != std::string::npos; at = html.find(f, at + t.size())) {
      html.replace(at, f.size(), t);
    }
  }
  return html;
}

// "https://host:8443/x" -> "https://host:8443"
std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

}  // namespace

WebOptions web_options(const std::string& listen, const std::string& public_url, bool tls) {
  std::string host;
  unsigned short port = 0;
  if (!ops::split_host_port(listen, host, port)) {
    throw std::invalid_argument("INCIDENT_BOT_WEB must be host:port, like 127.0.0.1:8080, not \"" +
                                listen + "\"");
  }
  WebOptions options;
  std::string url = public_url;
  const std::string authority =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  if (url.empty() && tls && host != "0.0.0.0" && host != "::") url = "https://" + authority;
  if (url.empty()) {
    if (!loopback(host)) {
      throw std::invalid_argument(
          "INCIDENT_BOT_WEB_URL is required when INCIDENT_BOT_WEB is not a loopback address: "
          "the https:// address people open (the reverse proxy's)");
    }
    url = "http://" + authority;
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("https://", 0) == 0) {
    options.secure_cookie = true;
  } else if (url.rfind("http://", 0) == 0 && loopback(host)) {
    options.secure_cookie = false;  // a local trial: browsers send no Secure cookie over http
  } else {
    throw std::invalid_argument(
        "INCIDENT_BOT_WEB_URL must be an https:// URL (plain http:// only with a loopback "
        "INCIDENT_BOT_WEB), not \"" +
        public_url + "\"");
  }
  options.public_url = url;
  return options;
}

WebApp::WebApp(ReviewStore& store, WebOptions options, Renderers renderers, MembershipCheck members,
               std::function<TimePoint()> clock)
    : store_(store),
      options_(std::move(options)),
      renderers_(std::move(renderers)),
      members_(std::move(members)),
      clock_(std::move(clock)) {}

std::optional<Engine::IssuedSignIn> WebApp::issue(const InboundEvent& event, std::int64_t) {
  try {
    if (store_.pending_sign_ins(event.platform, event.user, clock_()) >=
        options_.sign_ins_pending_max) {
      spdlog::warn("web: no sign-in link for a {} user: {} unused ones are still valid",
                   event.platform, options_.sign_ins_pending_max);
      return std::nullopt;
    }
    const std::string token = random_token();
    return Engine::IssuedSignIn{options_.public_url + "/login/" + token, sha256_hex(token),
                                clock_() + options_.sign_in_valid};
  } catch (const std::exception& e) {
    spdlog::error("web: no sign-in link could be made: {}", e.what());
    return std::nullopt;
  }
}

HttpAnswer WebApp::finish(HttpAnswer a) const {
  a.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
                         "'self'; connect-src 'self'; form-action 'self'; frame-ancestors "
                         "'none'; base-uri 'none'");
  a.headers.emplace_back("X-Content-Type-Options", "nosniff");
  a.headers.emplace_back("Referrer-Policy", "same-origin");
  a.headers.emplace_back("X-Frame-Options", "DENY");
  if (options_.public_url.rfind("https://", 0) == 0) {
    a.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  }
  return a;
}

bool WebApp::same_origin(const HttpRequest& request) const {
  const std::string origin = request.header("origin");
  // A same-origin form post may come without Origin; its CSRF token (or its one-time token)
  // is what proves it then.
  return origin.empty() || origin == origin_of(options_.public_url);
}

std::optional<WebSession> WebApp::signed_in(const HttpRequest& request) {
  const std::string id = cookie_value(request.header("cookie"), cookie_name());
  if (id.empty()) return std::nullopt;
  const std::string hash = sha256_hex(id);
  auto session = store_.session(hash);
  if (!session) return std::nullopt;
  const TimePoint now = clock_();
  if (now - session->last_seen > options_.session_idle ||
      now - session->created > options_.session_max) {
    store_.end_session(hash);
    return std::nullopt;
  }
  if (now - session->last_seen > std::chrono::minutes{1}) {
    store_.touch_session(hash, now);
    session->last_seen = now;
  }
  return session;
}

awaitable<bool> WebApp::may_see(const WebSession& session, const IncidentSummary& row) {
  if (row.platform != session.platform) co_return false;
  const auto key = std::make_tuple(row.platform, row.channel, session.user);
  const TimePoint now = clock_();
  if (auto it = membership_.find(key);
      it != membership_.end() && now - it->second.second < options_.membership_cached) {
    co_return it->second.first;
  }
  std::optional<bool> member;
  try {
    member = co_await members_(row.platform, row.channel, session.user);
  } catch (const std::exception& e) {
    spdlog::warn("web: could not tell who is in a {} channel: {}", row.platform, e.what());
  }
  if (!member) co_return false;  // unknown: deny, and ask again next time
  membership_[key] = {*member, now};
  co_return *member;
}

HttpAnswer WebApp::login(const HttpRequest& request) {
  if (!same_origin(request))
    return html(403,
                message_page("Refused", "A sign-in must come from this page.", std::nullopt, true));
  const std::string token = form_field(request.body, "token");
  const TimePoint now = clock_();
  // Ended sessions and dead links go as new ones come: the tables stay the size of their use.
  store_.purge_web(now - options_.session_idle, now - options_.session_max,
                   now - std::chrono::hours{24});
  const auto grant = token.empty() ? std::nullopt : store_.redeem_sign_in(sha256_hex(token), now);
  if (!grant) {
    return html(400, message_page("This link cannot be used",
                                  "It was used already or it expired (links work once, for 10 "
                                  "minutes). Ask for a new one with `web` in the incident "
                                  "channel.",
                                  std::nullopt, true));
  }
  const std::string id = random_token();
  WebSession session{sha256_hex(id), grant->platform, grant->user, random_token(), now, now};
  store_.save_session(session);
  spdlog::info("web: {} user signed in from a link to {}", grant->platform,
               incident_id(grant->incident));
  HttpAnswer a = redirect("/incidents/" + incident_id(grant->incident));
  std::string cookie = cookie_name() + "=" + id + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                       std::to_string(std::chrono::seconds(options_.session_max).count());
  if (options_.secure_cookie) cookie += "; Secure";
  a.headers.emplace_back("Set-Cookie", cookie);
  return a;
}

bool WebApp::csrf_ok(const HttpRequest& request, const WebSession& session) const {
  std::string token = request.header("x-csrf-token");
  if (token.empty()) token = form_field(request.body, "csrf");
  return same_origin(request) && equal_secret(token, session.csrf);
}

std::map<std::int64_t, std::string> WebApp::message_links(const Incident& inc) const {
  std::map<std::int64_t, std::string> links;
  if (!links_) return links;
  for (const TimelineEntry& e : inc.timeline) {
    if (e.message_ref.empty()) continue;
    std::string link = links_(inc.platform, inc.channel, e.message_ref);
    if (link.rfind("https://", 0) == 0) links.emplace(e.seq, std::move(link));
  }
  return links;
}

HttpAnswer WebApp::run_command(const WebSession& session, const Incident& inc,
                               const std::string& command, const std::string& title) {
  const Viewer viewer = viewer_of(session);
  if (!submit_) return not_found(viewer);
  InboundEvent event;
  event.key = "web:" + random_token(18);  // one press, one event
  event.platform = inc.platform;
  event.channel = inc.channel;
  event.user = session.user;
  event.at = clock_();
  event.body = in::CommandText{command};
  const auto outcome = submit_(event);
  if (!outcome) {
    return html(503, message_page(title,
                                  "That was not recorded: the bot's store is unavailable. "
                                  "Try again in a moment.",
                                  viewer, true));
  }
  // What the bot answers the caller in chat, shown here instead.
  std::string said;
  for (const Reply& r : outcome->replies) {
    if (r.audience != Audience::caller) continue;
    said += markup::to_markdown(r.text);
    if (said.empty() || said.back() != '\n') said += '\n';
  }
  return html(200, result_page(inc, title, said, viewer));
}

HttpAnswer WebApp::post_route(const HttpRequest& request, const WebSession& session,
                              const Incident& inc, std::string_view what) {
  const Viewer viewer = viewer_of(session);
  if (!csrf_ok(request, session)) {
    return html(403,
                message_page("Refused", "That request did not come from this page.", viewer, true));
  }
  if (!may_write(inc, session, options_)) {
    return html(403, message_page("Read only",
                                  "Only the incident commander, the scribe and the facilitator "
                                  "edit the draft.",
                                  viewer, true));
  }
  std::string text = form_field(request.body, "text");
  if (text.size() > kSectionLimit) text.resize(kSectionLimit);
  if (what == "check") {
    HttpAnswer a;
    a.content_type = "application/json";
    a.body = findings_json(renderers_.check ? renderers_.check(text) : std::vector<Finding>{});
    return a;
  }
  if (what.rfind("actions/", 0) == 0) return save_action(request, session, inc, what.substr(8));
  if (what == "review") return run_command(session, inc, "postmortem " + inc.id(), "Review");
  if (what == "publish")
    return run_command(session, inc, "publish " + inc.id() + " confirm", "Publish");
  if (what.rfind("entries/", 0) == 0) {
    std::int64_t seq = 0;
    try {
      seq = std::stoll(std::string(what.substr(8)));
    } catch (const std::exception&) {
      return not_found(viewer);
    }
    const auto entry = std::find_if(inc.timeline.begin(), inc.timeline.end(),
                                    [&](const TimelineEntry& e) { return e.seq == seq; });
    if (entry == inc.timeline.end() || entry->deleted) return not_found(viewer);
    EntryCuration change;
    const bool hidden = !form_field(request.body, "hidden").empty();
    const bool starred = !form_field(request.body, "starred").empty();
    if (hidden != entry->hidden) change.hidden = hidden;
    if (starred != entry->starred) change.starred = starred;
    if (const std::string at = form_field(request.body, "at"); !at.empty()) {
      const auto when = parse_iso8601(at);
      if (!when) {
        return html(400, message_page("Not saved",
                                      "\"" + at +
                                          "\" is not a time: write it as YYYY-MM-DD HH:MM "
                                          "(UTC).",
                                      viewer, true));
      }
      // Minutes are what the form shows: a time left as it was changes nothing.
      if (std::chrono::floor<std::chrono::minutes>(*when) !=
          std::chrono::floor<std::chrono::minutes>(entry->at)) {
        change.at = *when;
      }
    }
    if (entry->source != Source::system) {
      std::string entry_text = form_field(request.body, "text");
      if (entry_text.size() > kSectionLimit) entry_text.resize(kSectionLimit);
      if (!is_blank(entry_text) && entry_text != entry->text) change.text = entry_text;
    }
    if ((change.hidden || change.starred || change.at || change.text) &&
        !store_.curate_entry(inc.number, seq, change, session.user, clock_())) {
      return not_found(viewer);
    }
    return redirect("/incidents/" + inc.id() + "#entry-" + std::to_string(seq));
  }
  const std::string key(what.substr(9));
  if (!editable(key)) return not_found(viewer);
  if (!form_field(request.body, "reset").empty()) text.clear();
  std::int64_t version = -1;
  try {
    version = std::stoll(form_field(request.body, "version"));
  } catch (const std::exception&) {
    return html(400, message_page("Not saved", "The form lost its version; reload the page.",
                                  viewer, true));
  }
  const SectionSave saved =
      store_.save_section(inc.number, key, text, version, session.user, clock_());
  if (!saved.saved) return html(409, conflict_page(inc, key, text, saved.current, viewer));
  spdlog::info("web: {} of {} saved (version {})", key, inc.id(), saved.current.version);
  if (request.header("accept").find("application/json") != std::string::npos) {
    // The page's script saved without a reload: the new version and the saved text's findings.
    HttpAnswer a;
    a.content_type = "application/json";
    a.body = findings_json(renderers_.check ? renderers_.check(text) : std::vector<Finding>{},
                           saved.current.version);
    return a;
  }
  return redirect("/incidents/" + inc.id() + "#section-" + key);
}

HttpAnswer WebApp::save_action(const HttpRequest& request, const WebSession& session,
                               const Incident& inc, std::string_view which) {
  const Viewer viewer = viewer_of(session);
  auto refuse = [&](const std::string& why) {
    return html(400, message_page("Not saved", why, viewer, true));
  };
  ActionItem item;
  std::int64_t version = 0;
  if (which != "new") {
    try {
      item.number = std::stoi(std::string(which));
      version = std::stoll(form_field(request.body, "version"));
    } catch (const std::exception&) {
      return not_found(viewer);
    }
    const auto it = std::find_if(inc.actions.begin(), inc.actions.end(),
                                 [&](const ActionItem& a) { return a.number == item.number; });
    if (it == inc.actions.end()) return not_found(viewer);
    item.due = it->due;
  }
  auto trimmed = [](std::string v) {
    const auto b = v.find_first_not_of(" \t\r\n");
    const auto e = v.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  };
  item.text = trimmed(form_field(request.body, "text"));
  item.owner = trimmed(form_field(request.body, "owner"));
  item.done = !form_field(request.body, "done").empty();
  if (is_blank(item.text)) return refuse("An action item needs its text.");
  if (count_characters(item.text) > kTextLimit) {
    return refuse("An action item is at most " + std::to_string(kTextLimit) + " characters.");
  }
  if (count_characters(item.owner) > kTitleLimit) return refuse("That owner is too long.");
  const std::string due = trimmed(form_field(request.body, "due"));
  const TimePoint now = clock_();
  if (due.empty()) {
    item.due.reset();
  } else {
    const auto date = parse_date(due);
    if (!date) return refuse("\"" + due + "\" is not a date: write it as YYYY-MM-DD.");
    // A date already passed is refused, as `action` refuses it (an unchanged one stays).
    const Date today{std::chrono::floor<std::chrono::days>(now)};
    if (*date < today && date != item.due) return refuse("That due date has passed.");
    item.due = date;
  }
  const ActionSave saved = store_.save_action(inc.number, item, version, session.user, now);
  if (!saved.saved) {
    const ActionItem& c = saved.current;
    return html(409, message_page("Changed meanwhile",
                                  "Action " + std::to_string(item.number) +
                                      " was changed while you were editing it; it now reads \"" +
                                      c.text + "\" (owner " + (c.owner.empty() ? "none" : c.owner) +
                                      "). Yours was not saved: \"" + item.text +
                                      "\". Go back, reload, and save again.",
                                  viewer, true));
  }
  return redirect("/incidents/" + inc.id() + "#action-" + std::to_string(saved.current.number));
}

HttpAnswer WebApp::logout(const HttpRequest& request) {
  const auto session = signed_in(request);
  if (!session) return redirect("/");
  if (!same_origin(request) || !equal_secret(form_field(request.body, "csrf"), session->csrf)) {
    return html(403, message_page("Refused", "That request did not come from this page.",
                                  viewer_of(*session), true));
  }
  store_.end_session(session->id_hash);
  HttpAnswer a = html(200, message_page("Signed out", "You are signed out.", std::nullopt));
  a.headers.emplace_back("Set-Cookie", cookie_name() +
                                           "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" +
                                           (options_.secure_cookie ? "; Secure" : ""));
  return a;
}

awaitable<HttpAnswer> WebApp::incident_route(const HttpRequest& request, const WebSession& session,
                                             std::string_view rest) {
  const Viewer viewer = viewer_of(session);
  const auto slash = rest.find('/');
  const std::string id(rest.substr(0, slash));
  const std::string_view what = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  std::int64_t number = 0;
  if (id.size() > 4 && (id.rfind("INC-", 0) == 0 || id.rfind("inc-", 0) == 0)) {
    try {
      std::size_t used = 0;
      number = std::stoll(id.substr(4), &used);
      if (used != id.size() - 4) number = 0;
    } catch (const std::exception&) {
      number = 0;
    }
  }
  if (number <= 0) co_return not_found(viewer);
  const bool post = request.method == "POST";
  if (!post && request.method != "GET" && request.method != "HEAD") {
    co_return method_not_allowed("GET, HEAD, POST");
  }
  // State changes only on POST, and only on the routes that make them.
  if (post != (what == "check" || what == "review" || what == "publish" ||
               what.rfind("sections/", 0) == 0 || what.rfind("entries/", 0) == 0 ||
               what.rfind("actions/", 0) == 0)) {
    co_return method_not_allowed(post ? "GET, HEAD" : "POST");
  }
  const std::optional<Incident> inc = store_.incident(number);
  if (!inc) co_return not_found(viewer);
  IncidentSummary row;
  row.number = inc->number;
  row.platform = inc->platform;
  row.channel = inc->channel;
  const bool visible = co_await may_see(session, row);
  if (!visible) co_return not_found(viewer);
  const TimePoint now = clock_();
  if (request.method == "POST") co_return post_route(request, session, *inc, what);
  if (what.empty()) {
    const Document document = renderers_.draft(*inc, now);
    const std::string& draft = document.text;
    std::vector<SectionForm> forms;
    if (may_write(*inc, session, options_)) {
      const std::string markdown = markup::to_markdown(draft);
      for (const char* key : kEditableSections) {
        SectionForm f{key, {}, 0, false, {}};
        if (auto it = inc->sections.find(key); it != inc->sections.end()) {
          f.version = it->second.version;
          f.edited = !it->second.text.empty();
          f.text = it->second.text;
        }
        if (!f.edited) f.text = generated_section(markdown, section_title(key));
        if (renderers_.check) f.findings = renderers_.check(f.text);
        forms.push_back(std::move(f));
      }
    }
    co_return html(
        200, incident_page(*inc, nested_headings(markup::to_matrix(draft).formatted_body), forms,
                           viewer, now, {message_links(*inc), document.uncovered_factors}));
  }
  HttpAnswer a;
  if (what == "export.md") {
    a.content_type = "text/markdown; charset=utf-8";
    a.body = markup::to_commonmark(renderers_.draft(*inc, now).text);
    a.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + inc->id() + ".md\"");
  } else if (what == "export.json") {
    a.content_type = "application/json";
    a.body = renderers_.export_json(*inc);
    a.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + inc->id() + ".json\"");
  } else {
    co_return not_found(viewer);
  }
  co_return a;
}

awaitable<HttpAnswer> WebApp::handle(HttpRequest request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const bool read = request.method == "GET" || request.method == "HEAD";

  if (path.rfind("/assets/", 0) == 0) {
    if (!read) co_return finish(method_not_allowed("GET, HEAD"));
    const std::string_view name = std::string_view(path).substr(8);
    for (const Asset& asset : assets()) {
      if (asset.name != name) continue;
      HttpAnswer a;
      a.content_type = std::string(asset.content_type);
      a.body = std::string(asset.content);
      a.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
      co_return finish(std::move(a));
    }
    co_return finish(not_found(std::nullopt));
  }
  if (path.rfind("/login/", 0) == 0) {
    if (!read) co_return finish(method_not_allowed("GET, HEAD"));
    co_return finish(html(200, continue_page(path.substr(7))));
  }
  if (path == "/login") {
    if (request.method != "POST") co_return finish(method_not_allowed("POST"));
    co_return finish(login(request));
  }
  if (path == "/logout") {
    if (request.method != "POST") co_return finish(method_not_allowed("POST"));
    co_return finish(logout(request));
  }
  const bool ours = path == "/" || path.rfind("/incidents/", 0) == 0;
  if (!ours) co_return finish(not_found(std::nullopt));
  const auto session = signed_in(request);
  if (!session) {
    co_return finish(html(401, message_page("Sign in first",
                                            "Type `web` in an incident's channel: the bot sends "
                                            "you a sign-in link by direct message.",
                                            std::nullopt)));
  }
  if (path == "/") {
    if (!read) co_return finish(method_not_allowed("GET, HEAD"));
    const std::string query = request.target.find('?') == std::string::npos
                                  ? std::string()
                                  : request.target.substr(request.target.find('?') + 1);
    ListFilter filter{form_field(query, "state"), form_field(query, "q")};
    if (filter.state != "open" && filter.state != "closed") filter.state.clear();
    std::vector<IncidentSummary> visible;
    for (IncidentSummary& row : store_.list_incidents()) {
      if (!filter.matches(row)) continue;
      const bool ok = co_await may_see(*session, row);
      if (ok) visible.push_back(std::move(row));
    }
    co_return finish(html(200, list_page(visible, filter, viewer_of(*session), clock_())));
  }
  HttpAnswer a = co_await incident_route(request, *session, std::string_view(path).substr(11));
  co_return finish(std::move(a));
}

std::unique_ptr<ops::HttpServer> serve_web(asio::any_io_executor executor,
                                           const std::string& listen, WebApp& app,
                                           std::shared_ptr<asio::ssl::context> tls) {
  std::string host;
  unsigned short port = 0;
  if (!ops::split_host_port(listen, host, port)) {
    throw std::invalid_argument("INCIDENT_BOT_WEB must be host:port, not \"" + listen + "\"");
  }
  ops::HttpServerOptions limits;
  limits.read_timeout = std::chrono::seconds{30};
  limits.write_timeout = std::chrono::seconds{30};
  limits.header_limit = 16 * 1024;
  limits.body_limit = 256 * 1024;
  limits.max_connections = 64;
  limits.tls = std::move(tls);
  auto server = std::make_unique<ops::HttpServer>(
      executor, ops::HttpServer::AsyncHandler([&app](ops::HttpRequest request) {
        return app.handle(std::move(request));
      }),
      limits);
  try {
    server->listen(host, port);
  } catch (const std::exception& e) {
    throw std::runtime_error("INCIDENT_BOT_WEB " + listen + ": cannot listen: " + e.what());
  }
  spdlog::info("web: serving the review page on {}{}", listen, limits.tls ? " (TLS)" : "");
  asio::co_spawn(executor, server->run(), asio::detached);
  return server;
}

}  // namespace incident::web
