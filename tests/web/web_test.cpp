// The review page without a network: the WebApp's answers to requests, over a SQLite store that
// the engine writes through `web` as the bot does. The browser suite drives the real binary.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "adapters/cli/export.h"
#include "adapters/net/https_client.h"
#include "adapters/net/tls.h"
#include "adapters/web/app.h"
#include "adapters/web/assets.h"
#include "adapters/web/crypto.h"
#include "adapters/web/html.h"
#include "bot/draft/draft.h"
#include "bot/engine/engine.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "slack/test_pki.h"
#include "storage/sqlite_store.h"
#include "support/run_io.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;
using ops::HttpAnswer;
using ops::HttpRequest;

TEST(WebHtml, EscapesEveryMarkupCharacterAndBrokenUtf8) {
  EXPECT_EQ(web::escape("<a href='x' title=\"y\">&</a>"),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(web::escape("Zoë"), "Zoë");
  EXPECT_EQ(web::escape(std::string("a\xC3") + "<"), "a\xEF\xBF\xBD&lt;");         // cut sequence
  EXPECT_EQ(web::escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(WebHtml, ReadsFormFieldsAndCookies) {
  EXPECT_EQ(web::form_field("a=1&token=ab%2Bc+d&x", "token"), "ab+c d");
  EXPECT_EQ(web::form_field("a=1", "token"), "");
  EXPECT_EQ(web::form_field("token=%zz", "token"), "%zz");
  EXPECT_EQ(web::cookie_value("x=1; ib_session=abc; y=2", "ib_session"), "abc");
  EXPECT_EQ(web::cookie_value("ib_session_x=abc", "ib_session"), "");
}

TEST(WebCrypto, TokensAreLongUrlSafeAndFresh) {
  const std::string a = web::random_token();
  const std::string b = web::random_token();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(web::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(web::equal_secret("same", "same"));
  EXPECT_FALSE(web::equal_secret("same", "sane"));
  EXPECT_FALSE(web::equal_secret("same", "same!"));
}

TEST(WebOptions, PlainHttpOnlyOnLoopback) {
  // Served over TLS itself, the page's own address is its URL unless told otherwise.
  EXPECT_EQ(web::web_options("127.0.0.1:8443", "", true).public_url, "https://127.0.0.1:8443");
  EXPECT_EQ(web::web_options("192.0.2.7:8443", "", true).public_url, "https://192.0.2.7:8443");
  EXPECT_THROW(web::web_options("0.0.0.0:8443", "", true), std::invalid_argument);
  EXPECT_FALSE(web::web_options("127.0.0.1:8080", "").secure_cookie);
  EXPECT_EQ(web::web_options("127.0.0.1:8080", "").public_url, "http://127.0.0.1:8080");
  EXPECT_TRUE(web::web_options("0.0.0.0:8080", "https://review.example.org/").secure_cookie);
  EXPECT_EQ(web::web_options("0.0.0.0:8080", "https://review.example.org/").public_url,
            "https://review.example.org");
  EXPECT_THROW(web::web_options("0.0.0.0:8080", "http://review.example.org"),
               std::invalid_argument);
  EXPECT_THROW(web::web_options("0.0.0.0:8080", ""), std::invalid_argument);
  EXPECT_THROW(web::web_options("8080", ""), std::invalid_argument);
}

// A bot with the review page: a store, an engine whose `web` links come from the app, and a
// clock the test moves.
class WebAppTest : public ::testing::Test {
 protected:
  WebAppTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("web_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        prompts_(Prompts::load(embedded_prompts())) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<SqliteStore>((dir_ / "bot.db").string(), Durability::process);
    Settings settings;
    settings.web = true;
    engine_ = std::make_unique<Engine>(*store_, prompts_, settings,
                                       [n = std::uint64_t{7}]() mutable { return n += 0x9e37; });
    app_ = std::make_unique<web::WebApp>(
        *store_, web::web_options("127.0.0.1:8080", ""),
        web::Renderers{
            [this](const Incident& inc, TimePoint at) { return write_draft(inc, at, prompts_); },
            [](const Incident& inc) { return export_json(inc); },
            [this](std::string_view text) { return check_blameless(text, People{}, prompts_); }},
        [this](std::string platform, std::string channel,
               std::string user) -> boost::asio::awaitable<std::optional<bool>> {
          if (unknown_) co_return std::nullopt;
          co_return members_.count(platform + "/" + channel + "/" + user) > 0;
        },
        [this] { return now_; });
    engine_->set_sign_in_issuer(
        [this](const InboundEvent& e, std::int64_t n) { return app_->issue(e, n); });
    members_.insert("console/ops/dana");
  }
  ~WebAppTest() override {
    app_.reset();
    engine_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Outcome say(const std::string& text, const std::string& user = "dana",
              const std::string& channel = "ops") {
    InboundEvent e;
    e.key = "console:t:" + std::to_string(++line_);
    e.platform = "console";
    e.channel = channel;
    e.user = user;
    e.at = now_;
    e.message_ref = std::to_string(line_);
    e.body = in::CommandText{text};
    return engine_->handle(e);
  }

  // `web`, and the token of the link in the DM it sends.
  std::string sign_in_token(const std::string& user = "dana") {
    for (const Reply& r : say("web", user).replies) {
      const auto at = r.text.find("/login/");
      if (r.audience != Audience::direct || at == std::string::npos) continue;
      const auto end = r.text.find_first_of(" \n", at);
      return r.text.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
    }
    return {};
  }

  HttpAnswer request(std::string method, std::string target, std::string body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!cookie_.empty()) headers.emplace_back("cookie", app_->cookie_name() + "=" + cookie_);
    std::optional<HttpAnswer> answer;
    boost::asio::co_spawn(
        io_, app_->handle(HttpRequest{std::move(method), std::move(target), headers, body}),
        [&](std::exception_ptr e, HttpAnswer a) {
          if (e) std::rethrow_exception(e);
          answer = std::move(a);
        });
    EXPECT_TRUE(run_until(
        io_, [&] { return answer.has_value(); }, 5s));
    return answer.value_or(HttpAnswer{});
  }

  static std::string header(const HttpAnswer& a, const std::string& name) {
    for (const auto& [n, v] : a.headers) {
      if (n == name) return v;
    }
    return {};
  }

  // Signs in with a fresh link; keeps the session cookie.
  void sign_in(const std::string& user = "dana") {
    const HttpAnswer a = request("POST", "/login", "token=" + sign_in_token(user));
    ASSERT_EQ(a.status, 303);
    const std::string set = header(a, "Set-Cookie");
    const auto eq = set.find('=');
    cookie_ = set.substr(eq + 1, set.find(';') - eq - 1);
  }

  std::string csrf() {
    const std::string page = request("GET", "/").body;
    const auto at = page.find("name=\"csrf\" value=\"");
    if (at == std::string::npos) return {};
    const auto from = at + 19;
    return page.substr(from, page.find('"', from) - from);
  }

  std::filesystem::path dir_;
  Prompts prompts_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<web::WebApp> app_;
  boost::asio::io_context io_;
  std::set<std::string> members_;
  bool unknown_ = false;
  TimePoint now_ = TimePoint{} + std::chrono::hours{24 * 20000};
  std::string cookie_;
  long line_ = 0;
};

TEST_F(WebAppTest, TheLinkSignsInOnceAndOnlyThroughThePost) {
  say("start Checkout errors sev2");
  const std::string token = sign_in_token();
  ASSERT_EQ(token.size(), 43u);
  // A previewer's GET shows a button and uses nothing: the POST still works afterwards.
  const HttpAnswer shown = request("GET", "/login/" + token);
  EXPECT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find("name=\"token\" value=\"" + token + "\""), std::string::npos);
  request("GET", "/login/" + token);
  const HttpAnswer used = request("POST", "/login", "token=" + token);
  EXPECT_EQ(used.status, 303);
  EXPECT_EQ(header(used, "Location"), "/incidents/INC-1");
  EXPECT_NE(header(used, "Set-Cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(header(used, "Set-Cookie").find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(request("POST", "/login", "token=" + token).status, 400);  // once
  EXPECT_EQ(request("POST", "/login", "token=not-a-token").status, 400);
  // Only the hash is stored, nowhere the token.
  store_.reset();
  for (const char* file : {"bot.db", "bot.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(bytes.find(token), std::string::npos) << file;
  }
}

TEST_F(WebAppTest, AnExpiredLinkOrAForeignOriginIsRefused) {
  say("start Checkout errors");
  const std::string late = sign_in_token();
  now_ += 11min;
  EXPECT_EQ(request("POST", "/login", "token=" + late).status, 400);
  const std::string token = sign_in_token();
  EXPECT_EQ(
      request("POST", "/login", "token=" + token, {{"origin", "https://evil.example"}}).status,
      403);
  EXPECT_EQ(
      request("POST", "/login", "token=" + token, {{"origin", "http://127.0.0.1:8080"}}).status,
      303);
}

TEST_F(WebAppTest, APersonHoldsAtMostFiveUsableLinks) {
  say("start Checkout errors");
  for (int i = 0; i < 5; ++i) ASSERT_NE(sign_in_token(), "") << i;
  const Outcome refused = say("web");
  ASSERT_FALSE(refused.replies.empty());
  EXPECT_NE(refused.replies[0].text.find("none could be made just now"), std::string::npos)
      << refused.replies[0].text;
  EXPECT_EQ(refused.replies[0].text.find("/login/"), std::string::npos);
  members_.insert("console/ops/erin");
  EXPECT_NE(sign_in_token("erin"), "");  // per person
  now_ += 11min;                         // the five expired
  EXPECT_NE(sign_in_token(), "");
}

TEST_F(WebAppTest, WithoutASessionNothingIsShown) {
  say("start Checkout errors");
  EXPECT_EQ(request("GET", "/").status, 401);
  EXPECT_EQ(request("GET", "/incidents/INC-1").status, 401);
  EXPECT_EQ(request("GET", "/incidents/INC-1/export.json").status, 401);
  cookie_ = "forged";
  EXPECT_EQ(request("GET", "/").status, 401);
}

TEST_F(WebAppTest, MembersSeeTheirChannelsIncidentsAndOthersGetNotFound) {
  say("start Checkout errors sev2");
  say("start Billing lag", "erin", "billing");  // a channel dana is not in
  sign_in();
  const HttpAnswer list = request("GET", "/");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Checkout errors"), std::string::npos);
  EXPECT_EQ(list.body.find("Billing lag"), std::string::npos);
  const std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_EQ(page.find("<h1", page.find("<h1") + 1), std::string::npos);  // one h1: the draft's
  EXPECT_NE(page.find("<h3>Post-incident review"), std::string::npos);   // sits under "Draft"
  // The list narrows by state and by title or id.
  say("close fixed");
  say("start Search slow");
  EXPECT_EQ(request("GET", "/?state=open").body.find("Checkout errors"), std::string::npos);
  EXPECT_NE(request("GET", "/?state=open").body.find("Search slow"), std::string::npos);
  EXPECT_NE(request("GET", "/?state=closed&q=CHECKOUT").body.find("Checkout errors"),
            std::string::npos);
  EXPECT_EQ(request("GET", "/?q=inc-3").body.find("Checkout errors"), std::string::npos);
  EXPECT_NE(request("GET", "/?q=inc-3").body.find("Search slow"), std::string::npos);
  const HttpAnswer other = request("GET", "/incidents/INC-2");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body.find("Billing"), std::string::npos);
  EXPECT_EQ(request("GET", "/incidents/INC-2/export.md").status, 404);
  EXPECT_EQ(request("GET", "/incidents/INC-99").status, 404);
  // Membership is asked again after a minute; when it cannot be told, the answer is no.
  now_ += 2min;
  unknown_ = true;
  EXPECT_EQ(request("GET", "/incidents/INC-1").status, 404);
}

TEST_F(WebAppTest, UserTextIsEscapedEverywhere) {
  say("start <script>alert(1)</script> checkout");
  say("log <img src=x onerror=alert(2)> at 5%");
  say("action fix \"quotes\" & <b>tags</b> owner:@dana");
  sign_in();
  for (const std::string target : {"/", "/incidents/INC-1"}) {
    const std::string body = request("GET", target).body;
    EXPECT_EQ(body.find("<script>alert"), std::string::npos) << target;
    EXPECT_EQ(body.find("<img src=x"), std::string::npos) << target;
    EXPECT_EQ(body.find("<b>tags"), std::string::npos) << target;
    EXPECT_NE(body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << target;
  }
}

TEST_F(WebAppTest, DownloadsAreWhatExportPrints) {
  say("start Checkout errors sev2");
  say("log errors at 5%");
  say("close rolled back");
  sign_in();
  const auto inc = store_->incident(1);
  ASSERT_TRUE(inc);
  const HttpAnswer md = request("GET", "/incidents/INC-1/export.md");
  EXPECT_EQ(md.body, markup::to_commonmark(render_draft(*inc, now_, prompts_)));
  EXPECT_EQ(md.content_type, "text/markdown; charset=utf-8");
  EXPECT_NE(header(md, "Content-Disposition").find("attachment"), std::string::npos);
  const HttpAnswer json = request("GET", "/incidents/INC-1/export.json");
  EXPECT_EQ(json.body, export_json(*inc));
  EXPECT_EQ(json.content_type, "application/json");
}

TEST_F(WebAppTest, EveryRouteCarriesTheSecurityHeaders) {
  say("start Checkout errors");
  sign_in();
  std::vector<std::string> targets{
      "/",     "/incidents/INC-1", "/incidents/INC-1/export.md", "/login/abc",
      "/nope", "/incidents/INC-7"};
  for (const web::Asset& a : web::assets()) targets.push_back("/assets/" + std::string(a.name));
  for (const std::string& target : targets) {
    const HttpAnswer a = request("GET", target);
    const std::string csp = header(a, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << target;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << target;
    EXPECT_EQ(header(a, "X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(header(a, "Referrer-Policy"), "same-origin") << target;
  }
  // Assets are cached for ever under their hashed names; pages are not cached at all (the
  // server's default Cache-Control: no-store stays unless an answer replaces it).
  EXPECT_EQ(header(request("GET", "/incidents/INC-1"), "Cache-Control"), "");
  EXPECT_NE(header(request("GET", "/assets/" + std::string(web::assets()[0].name)), "Cache-Control")
                .find("immutable"),
            std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1").status, 405);  // no change on GET, no POST here
  EXPECT_EQ(request("GET", "/logout").status, 405);
}

TEST_F(WebAppTest, SigningOutNeedsTheCsrfTokenAndOurOrigin) {
  say("start Checkout errors");
  sign_in();
  const std::string token = csrf();
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(request("POST", "/logout", "csrf=wrong").status, 403);
  EXPECT_EQ(request("POST", "/logout", "").status, 403);
  EXPECT_EQ(
      request("POST", "/logout", "csrf=" + token, {{"origin", "https://evil.example"}}).status,
      403);
  EXPECT_EQ(request("GET", "/").status, 200);  // still signed in
  EXPECT_EQ(request("POST", "/logout", "csrf=" + token).status, 200);
  EXPECT_EQ(request("GET", "/").status, 401);
}

TEST_F(WebAppTest, SessionsEndWhenIdleOrOld) {
  say("start Checkout errors");
  sign_in();
  now_ += 90min;
  EXPECT_EQ(request("GET", "/").status, 200);  // seen: the idle clock starts again
  now_ += 90min;
  EXPECT_EQ(request("GET", "/").status, 200);
  now_ += 2h + 1min;
  EXPECT_EQ(request("GET", "/").status, 401);  // idle too long
  sign_in();
  for (int i = 0; i < 12; ++i) {
    now_ += 61min;
    request("GET", "/");
  }
  EXPECT_EQ(request("GET", "/").status, 401);  // older than 12 hours
}

// The form fields of the section `key` on the incident page: its version.
std::string version_of(const std::string& page, const std::string& key) {
  const auto form = page.find("/sections/" + key + "\"");
  const auto at = page.find("name=\"version\" value=\"", form);
  if (form == std::string::npos || at == std::string::npos) return {};
  const auto from = at + 22;
  return page.substr(from, page.find('"', from) - from);
}

TEST_F(WebAppTest, ASavedSectionReplacesTheGeneratedOneEverywhere) {
  say("start Checkout errors sev2");
  say("close rolled back");
  sign_in();
  const std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("Resolution: rolled back"), std::string::npos);  // prefilled, generated
  ASSERT_EQ(version_of(page, "summary"), "0");
  const HttpAnswer saved =
      request("POST", "/incidents/INC-1/sections/summary",
              "version=0&csrf=" + csrf() + "&text=" +
                  "-+Checkout+failed+for+12+minutes+after+the+cache+flush.%0A-+dana+rolled+back.");
  ASSERT_EQ(saved.status, 303);
  const auto inc = store_->incident(1);
  ASSERT_TRUE(inc);
  const std::string draft = markup::to_markdown(render_draft(*inc, now_, prompts_));
  EXPECT_NE(draft.find("Checkout failed for 12 minutes after the cache flush."), std::string::npos);
  const auto summary = draft.find("## Summary");
  const std::string section = draft.substr(summary, draft.find("## Impact") - summary);
  EXPECT_EQ(section.find("Resolution: rolled back"), std::string::npos);  // replaced
  EXPECT_EQ(draft.find("dana rolled"), std::string::npos);                // names become roles
  const std::string json = request("GET", "/incidents/INC-1/export.json").body;
  EXPECT_NE(json.find("\"summary\""), std::string::npos);
  EXPECT_NE(json.find("\"what\": \"section summary\""), std::string::npos);
  EXPECT_EQ(version_of(request("GET", "/incidents/INC-1").body, "summary"), "1");
  // Reset: the generated section again, version 2, and the record says so.
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=1&reset=1&text=x&csrf=" + csrf())
                .status,
            303);
  const std::string again = markup::to_markdown(render_draft(*store_->incident(1), now_, prompts_));
  const std::string generated = again.substr(again.find("## Summary"));
  EXPECT_NE(generated.substr(0, generated.find("\n## ", 3)).find("Resolution: rolled back"),
            std::string::npos)
      << generated;
  EXPECT_NE(request("GET", "/incidents/INC-1/export.json").body.find("section reset summary"),
            std::string::npos);
}

// Start the review and Publish are the chat commands on the signed-in writer's behalf: what the
// channel sees goes to the platform (here: `posted`), the caller's answer is on the page.
TEST_F(WebAppTest, StartReviewAndPublishRunTheCommandsAsTheViewer) {
  std::vector<InboundEvent> submitted;
  std::vector<Reply> posted;
  app_->set_submit([&](const InboundEvent& e) -> std::optional<Outcome> {
    submitted.push_back(e);
    Outcome o = engine_->handle(e);
    for (const Reply& r : replies_for_others(o.replies)) posted.push_back(r);
    return o;
  });
  members_.insert("console/ops/erin");
  say("start Checkout errors sev2");
  say("close rolled back");
  sign_in();
  std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("This post-mortem is <strong>draft</strong>"), std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/review", "csrf=wrong").status, 403);
  EXPECT_TRUE(submitted.empty());

  const HttpAnswer review = request("POST", "/incidents/INC-1/review", "csrf=" + csrf());
  ASSERT_EQ(review.status, 200);
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].user, "dana");
  EXPECT_EQ(submitted[0].channel, "ops");
  EXPECT_EQ(std::get<in::CommandText>(submitted[0].body).text, "postmortem INC-1");
  ASSERT_FALSE(posted.empty());
  EXPECT_EQ(posted[0].anchor, Anchor::postmortem);  // the review thread, in the channel
  EXPECT_EQ(store_->incident(1)->facilitator, "dana");
  page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("<strong>in review</strong>"), std::string::npos);
  EXPECT_EQ(page.find("Start the review"), std::string::npos);

  // A personnel matter in a rewritten section holds the button, and the engine refuses too.
  ASSERT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=0&csrf=" + csrf() +
                        "&text=The+on-call+engineer+was+put+on+a+performance+improvement+plan.")
                .status,
            303);
  page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("disabled aria-describedby=\"held\""), std::string::npos);
  const HttpAnswer held = request("POST", "/incidents/INC-1/publish", "csrf=" + csrf());
  EXPECT_NE(held.body.find("not published yet"), std::string::npos) << held.body;
  EXPECT_FALSE(store_->incident(1)->published_at);

  ASSERT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=1&csrf=" + csrf() + "&text=A+cache+flush+emptied+every+region.")
                .status,
            303);
  posted.clear();
  const HttpAnswer published = request("POST", "/incidents/INC-1/publish", "csrf=" + csrf());
  ASSERT_EQ(published.status, 200);
  EXPECT_NE(published.body.find("is published in its channel"), std::string::npos);
  ASSERT_EQ(posted.size(), 1u);
  ASSERT_TRUE(posted[0].file);
  // The draft the page exports, without the facilitator's appendix at its end.
  const std::string exported = request("GET", "/incidents/INC-1/export.md").body;
  EXPECT_EQ(exported.rfind(posted[0].file->content, 0), 0u) << exported;
  EXPECT_EQ(posted[0].file->content.find("## Before the review meeting"), std::string::npos);
  EXPECT_NE(
      request("GET", "/incidents/INC-1/export.json").body.find("\"review_state\": \"published\""),
      std::string::npos);

  EXPECT_NE(request("GET", "/").body.find("<td>published</td>"), std::string::npos);

  // Readers see the state, and neither button works for them.
  cookie_.clear();
  sign_in("erin");
  page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("<strong>published</strong>"), std::string::npos);
  EXPECT_EQ(page.find("/publish\""), std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/publish", "csrf=" + csrf()).status, 403);
}

TEST_F(WebAppTest, TimelineEntriesLinkBackToTheirMessages) {
  app_->set_message_links([](const std::string& platform, const std::string& channel,
                             const std::string& ref) {
    return ref == "2" ? "https://chat.example/" + platform + "/" + channel + "/" + ref + "?a=1&b=2"
                      : std::string("javascript:alert(1)");
  });
  say("start Checkout errors");
  say("log failover done");
  sign_in();
  const std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("<a href=\"https://chat.example/console/ops/2?a=1&amp;b=2\" "
                      "rel=\"noreferrer\">command</a>"),
            std::string::npos);
  EXPECT_EQ(page.find("javascript:"), std::string::npos);  // only https links are shown
}

// The review's contributing factors that no action addresses are listed with the actions, as the
// draft's "Before the review meeting" lists them.
TEST_F(WebAppTest, FactorsWithoutAPreventionActionAreShown) {
  say("start Checkout errors");
  for (const Reply& r : say("postmortem").replies) {
    if (r.anchor == Anchor::postmortem) engine_->anchor_posted("console", r, "root-1");
  }
  auto reply = [&](const std::string& text) {
    InboundEvent e;
    e.key = "console:t:" + std::to_string(++line_);
    e.platform = "console";
    e.channel = "ops";
    e.user = "dana";
    e.at = now_;
    e.message_ref = std::to_string(line_);
    e.body = in::ThreadReply{"root-1", text};
    engine_->handle(e);
  };
  reply("factor: the cache flush had no rate limit");
  reply("factor: alerts <b>paged</b> nobody for checkout");
  say("action add a rate limit to cache flushes");
  sign_in();
  const std::string page = request("GET", "/incidents/INC-1").body;
  const auto list = page.find("Contributing factors without a prevention action");
  ASSERT_NE(list, std::string::npos);
  const std::string rest = page.substr(list, page.find("</ul>", list) - list);
  EXPECT_EQ(rest.find("F1"), std::string::npos);  // the action shares its key words
  EXPECT_NE(rest.find("F2: alerts &lt;b&gt;paged&lt;/b&gt; nobody for checkout"), std::string::npos)
      << rest;
}

// INCIDENT_BOT_WEB_CERT/_KEY: the page is served over TLS with that certificate, and a key
// from another certificate is refused at start-up.
TEST_F(WebAppTest, ServedDirectlyOverTls) {
  const TestPki pki = TestPki::generate();
  std::ofstream(dir_ / "cert.pem") << pki.cert_pem;
  std::ofstream(dir_ / "key.pem") << pki.key_pem;
  std::ofstream(dir_ / "ca.pem") << pki.ca_pem;
  std::ofstream(dir_ / "other.pem") << TestPki::generate().key_pem;
  EXPECT_THROW(
      {
        try {
          net::server_tls((dir_ / "cert.pem").string(), (dir_ / "other.pem").string());
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("private key"), std::string::npos) << e.what();
          throw;
        }
      },
      std::runtime_error);
  EXPECT_THROW(net::server_tls((dir_ / "missing.pem").string(), (dir_ / "key.pem").string()),
               std::runtime_error);

  unsigned short port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(
        io_, {boost::asio::ip::make_address("127.0.0.1"), 0});  // a free port for the listener
    port = probe.local_endpoint().port();
  }
  auto server =
      web::serve_web(io_.get_executor(), "127.0.0.1:" + std::to_string(port), *app_,
                     net::server_tls((dir_ / "cert.pem").string(), (dir_ / "key.pem").string()));
  const std::string origin = "https://127.0.0.1:" + std::to_string(server->port());
  net::TlsContext tls((dir_ / "ca.pem").string());
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, *net::Url::parse(origin));
  std::optional<net::HttpResult> got;
  net::HttpRequest get;
  get.method = "GET";
  get.target = "/";
  boost::asio::co_spawn(io_, client.request(get),
                        [&](std::exception_ptr, net::HttpResult r) { got = std::move(r); });
  ASSERT_TRUE(run_until(
      io_, [&] { return got.has_value(); }, 5s));
  ASSERT_TRUE(*got) << got->error().message();
  EXPECT_EQ((*got)->status, 401);  // the page itself, over TLS: nobody signed in on this client
  EXPECT_NE((*got)->body.find("Sign in"), std::string::npos);
  client.shutdown();
  server->stop();
  EXPECT_TRUE(run_until(
      io_, [&] { return server->connections() == 0; }, 5s));
}

TEST_F(WebAppTest, AStaleSaveIsRefusedWithBothTexts) {
  say("start Checkout errors");
  sign_in();
  const std::string token = csrf();
  ASSERT_EQ(request("POST", "/incidents/INC-1/sections/impact",
                    "version=0&csrf=" + token + "&text=first+text")
                .status,
            303);
  const HttpAnswer stale = request("POST", "/incidents/INC-1/sections/impact",
                                   "version=0&csrf=" + token + "&text=second+text");
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(stale.body.find("first text"), std::string::npos);   // theirs, shown
  EXPECT_NE(stale.body.find("second text"), std::string::npos);  // yours, kept in the box
  EXPECT_NE(stale.body.find("name=\"version\" value=\"1\""), std::string::npos);
  const auto inc = store_->incident(1);
  EXPECT_EQ(inc->sections.at("impact").text, "first text");
}

TEST_F(WebAppTest, OnlyWritersEditAndEveryEditCarriesTheToken) {
  say("start Checkout errors");
  members_.insert("console/ops/erin");
  say("log erin joined", "erin");
  sign_in("erin");  // a member, no role: reads only
  const std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_EQ(page.find("/sections/summary"), std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=0&csrf=" + csrf() + "&text=mine")
                .status,
            403);
  say("role scribe @erin");
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary", "version=0&text=mine").status,
            403);  // no CSRF token
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=0&csrf=" + csrf() + "&text=mine", {{"origin", "https://evil.example"}})
                .status,
            403);
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=0&csrf=" + csrf() + "&text=mine")
                .status,
            303);
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/nope", "version=0&csrf=" + csrf()).status,
            404);
  EXPECT_EQ(request("GET", "/incidents/INC-1/sections/summary").status, 405);
}

TEST_F(WebAppTest, EveryMemberEditsWhenConfigured) {
  web::WebOptions options = web::web_options("127.0.0.1:8080", "");
  options.members_write = true;
  app_ = std::make_unique<web::WebApp>(
      *store_, options,
      web::Renderers{
          [this](const Incident& inc, TimePoint at) { return write_draft(inc, at, prompts_); },
          [](const Incident& inc) { return export_json(inc); },
          {}},
      [this](std::string platform, std::string channel,
             std::string user) -> boost::asio::awaitable<std::optional<bool>> {
        co_return members_.count(platform + "/" + channel + "/" + user) > 0;
      },
      [this] { return now_; });
  say("start Checkout errors");
  members_.insert("console/ops/erin");
  sign_in("erin");  // a member without a role: edits, but publishing stays with the roles
  const std::string page = request("GET", "/incidents/INC-1").body;
  EXPECT_NE(page.find("/sections/summary"), std::string::npos);
  EXPECT_NE(page.find("only the commander, the scribe or the facilitator publishes"),
            std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=0&csrf=" + csrf() + "&text=mine")
                .status,
            303);
  EXPECT_EQ(store_->incident(1)->sections.at("summary").text, "mine");
  members_.erase("console/ops/erin");  // left the channel: once the membership cache expires,
  now_ += 2min;                        // the incident is gone for them
  EXPECT_EQ(request("POST", "/incidents/INC-1/sections/summary",
                    "version=1&csrf=" + csrf() + "&text=again")
                .status,
            404);
}

TEST_F(WebAppTest, TimelineEntriesAreHiddenStarredAndRetimedForTheDraftOnly) {
  say("start Checkout errors");
  say("log 503s on checkout");    // seq 2
  say("log lunch order placed");  // seq 3: chat noise
  sign_in();
  const std::string token = csrf();
  // Noise hidden from the draft; a key moment starred and put at the time it really happened.
  EXPECT_EQ(request("POST", "/incidents/INC-1/entries/3", "hidden=1&csrf=" + token).status, 303);
  const std::string real = format_utc(now_ - 25min).substr(0, 16);
  EXPECT_EQ(request("POST", "/incidents/INC-1/entries/2",
                    "starred=1&at=" + real + "&text=503s+on+checkout+for+EU+users&csrf=" + token)
                .status,
            303);
  const auto inc = store_->incident(1);
  ASSERT_TRUE(inc);
  const std::string draft = markup::to_markdown(render_draft(*inc, now_, prompts_));
  EXPECT_EQ(draft.find("lunch order"), std::string::npos);
  EXPECT_NE(
      draft.find("**503s on checkout for EU users** (re-timed from " + format_utc(now_) + ")"),
      std::string::npos)
      << draft;
  // Kept in the record, with what was done to it.
  const std::string json = request("GET", "/incidents/INC-1/export.json").body;
  EXPECT_NE(json.find("lunch order placed"), std::string::npos);
  EXPECT_NE(json.find("\"hidden\": true"), std::string::npos);
  EXPECT_NE(json.find("\"original_time\": \"" + format_iso(now_) + "\""), std::string::npos);
  EXPECT_NE(json.find("entry 2 starred text edited re-timed to"), std::string::npos);
  // Shown again when unhidden; the bot's own entries keep their words; a bad time is refused.
  EXPECT_EQ(request("POST", "/incidents/INC-1/entries/3", "csrf=" + token).status, 303);
  EXPECT_NE(
      markup::to_markdown(render_draft(*store_->incident(1), now_, prompts_)).find("lunch order"),
      std::string::npos);
  request("POST", "/incidents/INC-1/entries/1", "text=rewritten&csrf=" + token);
  EXPECT_EQ(store_->incident(1)->timeline[0].text.find("rewritten"), std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/entries/2", "at=yesterday&csrf=" + token).status,
            400);
  EXPECT_EQ(request("POST", "/incidents/INC-1/entries/99", "csrf=" + token).status, 404);
}

TEST_F(WebAppTest, ActionItemsAreEditedAndAddedWithTheCommandsRules) {
  say("start Checkout errors");
  say("action add a queue depth alert owner:@dana");
  sign_in();
  const std::string token = csrf();
  const std::string due = format_date(Date{std::chrono::floor<std::chrono::days>(now_ + 48h)});
  EXPECT_EQ(request("POST", "/incidents/INC-1/actions/1",
                    "version=0&text=Add+a+queue+depth+alert+at+80%25&owner=payments-team&due=" +
                        due + "&csrf=" + token)
                .status,
            303);
  EXPECT_EQ(request("POST", "/incidents/INC-1/actions/new",
                    "text=Document+the+cache+flush&due=&csrf=" + token)
                .status,
            303);
  auto inc = store_->incident(1);
  ASSERT_EQ(inc->actions.size(), 2u);
  EXPECT_EQ(inc->actions[0].text, "Add a queue depth alert at 80%");
  EXPECT_EQ(inc->actions[0].owner, "payments-team");
  EXPECT_EQ(format_date(*inc->actions[0].due), due);
  EXPECT_EQ(inc->actions[0].version, 1);
  EXPECT_EQ(inc->actions[1].text, "Document the cache flush");
  // A stale save, a blank text and a past date are refused; done is a box.
  EXPECT_EQ(
      request("POST", "/incidents/INC-1/actions/1", "version=0&text=older&csrf=" + token).status,
      409);
  EXPECT_EQ(request("POST", "/incidents/INC-1/actions/1", "version=1&text=+&csrf=" + token).status,
            400);
  EXPECT_EQ(
      request("POST", "/incidents/INC-1/actions/new", "text=late&due=2001-01-01&csrf=" + token)
          .status,
      400);
  EXPECT_EQ(request("POST", "/incidents/INC-1/actions/2",
                    "version=1&text=Document+the+cache+flush&done=1&csrf=" + token)
                .status,
            303);
  inc = store_->incident(1);
  EXPECT_TRUE(inc->actions[1].done);
  EXPECT_EQ(inc->actions[0].text, "Add a queue depth alert at 80%");
  EXPECT_NE(request("GET", "/incidents/INC-1/export.json").body.find("action 2 added"),
            std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/actions/9", "version=0&text=x&csrf=" + token).status,
            404);
}

TEST_F(WebAppTest, TheLiveCheckFindsWhatLintFinds) {
  say("start Checkout errors");
  sign_in();
  const HttpAnswer a =
      request("POST", "/incidents/INC-1/check", "text=The+outage+was+human+error+by+Bob.",
              {{"x-csrf-token", csrf()}});
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/json");
  EXPECT_NE(a.body.find("\"kind\":\"blame\""), std::string::npos);
  EXPECT_NE(a.body.find("human error"), std::string::npos);
  EXPECT_EQ(request("POST", "/incidents/INC-1/check", "text=x").status, 403);  // no token
  // The page lists the findings of each section's text after a save.
  request("POST", "/incidents/INC-1/sections/learn",
          "version=0&csrf=" + csrf() + "&text=Sam+was+careless+with+the+flag.");
  const std::string page = request("GET", "/incidents/INC-1").body;
  const auto list = page.find("id=\"findings-learn\"");
  ASSERT_NE(list, std::string::npos);
  EXPECT_NE(page.find("careless", list), std::string::npos);
}

TEST_F(WebAppTest, WebOutsideAnIncidentOrWithoutThePageSaysSo) {
  EXPECT_EQ(sign_in_token(), "");  // no incident in this channel
  Settings off;
  Engine engine(*store_, prompts_, off);
  say("start Checkout errors");
  InboundEvent e;
  e.key = "console:t:off";
  e.platform = "console";
  e.channel = "ops";
  e.user = "dana";
  e.at = now_;
  e.body = in::CommandText{"web"};
  const Outcome out = engine.handle(e);
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_NE(out.replies[0].text.find("INCIDENT_BOT_WEB"), std::string::npos);
}

}  // namespace
}  // namespace incident::testing
