// "Is this safe?" in SqliteStore: cases, open incidents, reply round trips, the v3 migration,
// and a purge that leaves no trace of the words in the file.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <algorithm>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/migrations.h"
#include "storage/sqlite_store.h"
#include "support/commit.h"

namespace incident {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

const TimePoint t0 = from_unix_ms(1'764'424'800'000);  // 2025-11-29 14:00:00 UTC

class EscalationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "incident-cases-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
    path_ = (dir_ / "bot.db").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // The database file and its WAL, as bytes: what someone with the disk could read.
  std::string file_bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(path_ + suffix, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      all += s.str();
    }
    return all;
  }

  fs::path dir_;
  std::string path_;
};

Escalation a_case(const std::string& code, const std::string& dm_channel, TimePoint at,
                  const std::string& text = "clicked a link from fake IT") {
  Escalation e;
  e.code = code;
  e.platform = "slack";
  e.topic = Topic::phishing;
  e.text = text;
  e.dm_channel = dm_channel;
  e.created_at = at;
  return e;
}

std::vector<Change> opened(const Escalation& e) {
  return {{0, change::CaseOpened{e}}, {0, change::PrivateEvent{e.code, e.created_at}}};
}

TEST_F(EscalationStoreTest, CasesRoundTripByDmChannelAndByThreadRef) {
  SqliteStore store(path_, Durability::process);
  ASSERT_TRUE(testing::commit(store, "k1", opened(a_case("SEC-AAAAAAAA", "D1", t0)), {}));
  ASSERT_TRUE(
      testing::commit(store, "k2", opened(a_case("SEC-BBBBBBBB", "D1", t0 + minutes{5})), {}));
  ASSERT_TRUE(
      testing::commit(store, "k3", opened(a_case("SEC-CCCCCCCC", "D2", t0 + minutes{6})), {}));
  ASSERT_TRUE(
      testing::commit(store, "anchor", {{0, change::CaseAnchored{"SEC-BBBBBBBB", "1700.01"}}}, {}));

  const auto mine = store.open_cases("slack", "D1");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].code, "SEC-AAAAAAAA");
  EXPECT_EQ(mine[0].topic, Topic::phishing);
  EXPECT_EQ(mine[0].text, "clicked a link from fake IT");
  EXPECT_EQ(mine[0].created_at, t0);
  EXPECT_TRUE(mine[0].security_ref.empty());
  EXPECT_TRUE(store.open_cases("matrix", "D1").empty());

  const auto by_ref = store.case_by_ref("slack", "1700.01");
  ASSERT_TRUE(by_ref);
  EXPECT_EQ(by_ref->code, "SEC-BBBBBBBB");
  EXPECT_FALSE(store.case_by_ref("matrix", "1700.01"));
  EXPECT_FALSE(store.case_by_ref("slack", ""));

  ASSERT_TRUE(
      testing::commit(store, "k4", {{0, change::CaseClosed{"SEC-BBBBBBBB", t0 + hours{1}}}}, {}));
  EXPECT_EQ(store.open_cases("slack", "D1").size(), 1u);
  EXPECT_FALSE(store.case_by_ref("slack", "1700.01")->open);
  EXPECT_EQ(store.case_by_ref("slack", "1700.01")->closed_at, t0 + hours{1});
  // The rate limit counts closed cases too.
  EXPECT_EQ(store.cases_since("slack", "D1", t0), 2);
  EXPECT_EQ(store.cases_since("slack", "D1", t0 + minutes{1}), 1);
}

TEST_F(EscalationStoreTest, OpenIncidentsCarryTheirCommanderAndMembers) {
  SqliteStore store(path_, Durability::process);
  TimelineEntry fact;
  fact.seq = 1;
  fact.author = "U5";
  fact.text = "p99 up";
  ActionItem action;
  action.number = 1;
  action.author = "U6";
  action.text = "add an alert";
  testing::commit(store, "i1",
                  {{1, change::Opened{"slack", "C1", "Payments down", Severity::sev1, t0}},
                   {1, change::RoleSet{Role::commander, "U1"}},
                   {1, change::RoleSet{Role::comms, "<@U2|erin>"}},
                   {1, change::EntryAdded{fact}},
                   {1, change::ActionAdded{action}}},
                  {});
  testing::commit(store, "i2",
                  {{2, change::Opened{"slack", "C2", "Old one", Severity::sev3, t0}},
                   {2, change::Closed{t0 + hours{1}, ""}}},
                  {});
  testing::commit(store, "i3",
                  {{3, change::Opened{"matrix", "!r:x", "No commander", Severity::unset, t0}}}, {});
  const auto open = store.open_incidents();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].number, 1);
  EXPECT_EQ(open[0].channel, "C1");
  EXPECT_EQ(open[0].title, "Payments down");
  EXPECT_EQ(open[0].commander, "U1");
  auto members = open[0].members;
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"U1", "U2", "U5", "U6"}));
  EXPECT_EQ(open[1].platform, "matrix");
  EXPECT_TRUE(open[1].commander.empty());
}

TEST_F(EscalationStoreTest, RecordedRepliesKeepEverythingAnAdapterNeeds) {
  SqliteStore store(path_, Durability::process);
  std::vector<Reply> replies{
      {.audience = Audience::security,
       .text = "case",
       .anchor = Anchor::security_case,
       .case_code = "SEC-AAAAAAAA"},
      {.audience = Audience::security, .text = "in thread", .thread_ref = "1700.01"},
      {.audience = Audience::direct, .text = "to the asker", .channel = "D1"},
  };
  ASSERT_TRUE(testing::commit(store, "k", {}, replies));
  EXPECT_EQ(store.find_processed("k"), replies);
}

TEST_F(EscalationStoreTest, NothingInTheSchemaCanHoldWhoAsked) {
  SqliteStore store(path_, Durability::process);
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  for (const char* table : {"escalations", "private_events"}) {
    SQLite::Statement st(db, std::string("SELECT name FROM pragma_table_info('") + table + "')");
    int columns = 0;
    while (st.executeStep()) {
      const std::string name = st.getColumn(0).getString();
      ++columns;
      for (const char* identity : {"user", "author", "asker", "name", "email"}) {
        EXPECT_EQ(name.find(identity), std::string::npos) << table << "." << name;
      }
    }
    EXPECT_GT(columns, 0) << table;
  }
}

TEST_F(EscalationStoreTest, AVersionTwoFileUpgradesWithItsCases) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    apply_migrations(db, 2);
    db.exec(
        "INSERT INTO escalations (case_code, platform, topic, text, dm_channel, created_at) "
        "VALUES ('SEC-OLDOLD00', 'slack', 'lost_device', 'left my laptop', 'D7', 1)");
  }
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  const auto cases = store.open_cases("slack", "D7");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].topic, Topic::lost_device);
  EXPECT_EQ(cases[0].text, "left my laptop");
}

TEST_F(EscalationStoreTest, PurgeForgetsClosedCasesAfterRetentionDownToTheBytes) {
  const std::string words = "purple-giraffe-42 clicked the link";
  const std::string dm_words = "orange-walrus-17 guidance";
  SqliteStore store(path_, Durability::process);
  const Escalation closed = a_case("SEC-CLOSED00", "D1", t0, words);
  ASSERT_TRUE(testing::commit(store, "report", opened(closed),
                              {{.audience = Audience::security, .text = words}}));
  ASSERT_TRUE(testing::commit(store, "relay",
                              {{0, change::PrivateEvent{closed.code, t0 + minutes{1}}}},
                              {{.audience = Audience::direct, .text = words, .channel = "D1"}}));
  ASSERT_TRUE(
      testing::commit(store, "close", {{0, change::CaseClosed{closed.code, t0 + hours{1}}}}, {}));
  const Escalation open = a_case("SEC-OPEN0000", "D2", t0, "still being looked at");
  ASSERT_TRUE(testing::commit(store, "report2", opened(open), {}));
  ASSERT_TRUE(testing::commit(store, "question", {{0, change::PrivateEvent{"", t0}}},
                              {{.audience = Audience::direct, .text = dm_words, .channel = "D3"}}));
  ASSERT_NE(file_bytes().find(words), std::string::npos);

  // Retention not over yet: nothing goes.
  EXPECT_EQ(store.purge_private(t0, t0 - hours{1}), 0);
  EXPECT_EQ(store.find_processed("relay")->size(), 1u);
  EXPECT_EQ(store.find_processed("question")->size(), 1u);

  EXPECT_EQ(store.purge_private(t0 + hours{1} + minutes{1}, t0 + minutes{1}), 1);
  EXPECT_TRUE(store.open_cases("slack", "D1").empty());
  EXPECT_EQ(store.open_cases("slack", "D2").size(), 1u);  // open cases stay
  for (const char* key : {"report", "relay", "close", "question"}) {
    ASSERT_TRUE(store.find_processed(key)) << key;  // still recorded: redelivery is a no-op
    EXPECT_TRUE(store.find_processed(key)->empty()) << key;
  }
  EXPECT_FALSE(testing::commit(store, "report", opened(closed), {}));
  const std::string bytes = file_bytes();
  EXPECT_EQ(bytes.find("purple-giraffe-42"), std::string::npos);
  EXPECT_EQ(bytes.find("orange-walrus-17"), std::string::npos);
  EXPECT_NE(bytes.find("still being looked at"), std::string::npos);
  // An open case is kept however old it gets.
  EXPECT_EQ(store.purge_private(t0 + days{400}, t0 + days{400}), 0);
  EXPECT_EQ(store.open_cases("slack", "D2").size(), 1u);
}

}  // namespace
}  // namespace incident
