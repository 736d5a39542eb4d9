// The durable outbox (storage/outbox.h) the Matrix adapter sends from.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include "storage/outbox.h"

namespace incident {
namespace {

namespace fs = std::filesystem;

class MatrixOutbox : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("incident-bot-outbox-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    fs::remove(path_);
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  static OutboxItem item(const std::string& key, const std::string& txn) {
    return {0, "matrix", key, "!room:x", "send", txn, R"({"content":{"body":"private"}})"};
  }
  std::string path_;
};

TEST_F(MatrixOutbox, AKeyIsEnqueuedOnceWithItsFirstTxnId) {
  SqliteStore store(path_, Durability::process);
  Outbox outbox(store);
  outbox.enqueue({item("matrix:$a#0.0", "txn-1"), item("matrix:$a#1.0", "txn-2")});
  outbox.enqueue({item("matrix:$a#0.0", "txn-other")});  // a replayed event
  const auto pending = outbox.pending("matrix");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].key, "matrix:$a#0.0");
  EXPECT_EQ(pending[0].txn_id, "txn-1");
  EXPECT_EQ(pending[1].txn_id, "txn-2");
  EXPECT_LT(pending[0].id, pending[1].id);
  EXPECT_TRUE(outbox.pending("slack").empty());
}

TEST_F(MatrixOutbox, TheCursorCommitsWithTheItems) {
  {
    SqliteStore store(path_, Durability::process);
    Outbox(store).enqueue({item("k", "t")}, {{"matrix.next_batch", "s42"}});
  }
  SqliteStore reopened(path_, Durability::process);
  EXPECT_EQ(reopened.cursor("matrix.next_batch"), "s42");
  EXPECT_EQ(Outbox(reopened).pending("matrix").size(), 1u);
  Outbox(reopened).enqueue({}, {{"matrix.next_batch", "s43"}});  // a batch with nothing in it
  EXPECT_EQ(reopened.cursor("matrix.next_batch"), "s43");
}

TEST_F(MatrixOutbox, FinishedItemsKeepTheirResultButNotTheirText) {
  SqliteStore store(path_, Durability::process);
  Outbox outbox(store);
  outbox.enqueue({item("sent", "t1"), item("refused", "t2")});
  const auto pending = outbox.pending("matrix");
  outbox.finish(pending[0].id, true, "$event");
  outbox.finish(pending[1].id, false);
  EXPECT_TRUE(outbox.pending("matrix").empty());
  EXPECT_EQ(outbox.result("sent"), "$event");
  EXPECT_FALSE(outbox.result("refused"));
  EXPECT_FALSE(outbox.result("unknown"));
  outbox.enqueue({item("sent", "t3")});  // still known: not sent twice
  EXPECT_TRUE(outbox.pending("matrix").empty());
  EXPECT_EQ(store.integrity_check(), "ok");
}

}  // namespace
}  // namespace incident
