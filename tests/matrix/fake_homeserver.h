// An in-process fake Matrix homeserver on 127.0.0.1 with real TLS (the throwaway CA of
// slack/test_pki.h), faithful to the checklist of shared/protocol/matrix.md §9 as far as the bot
// uses the API: Bearer auth (401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN, soft_logout), filters,
// /sync with opaque increasing tokens, `since`, a long-poll `timeout`, full_state, the filter's
// timeline types and limit (default 10) with `limited` + prev_batch, invites as stripped state,
// m.direct in account_data, remote echoes with unsigned.transaction_id, events without room_id;
// /messages dir=b (newest first, `end` left out when done); /event with the latest edit
// aggregated; sends deduplicated per txnId like Synapse, 413 over 65536 bytes, 403 when not
// joined, 400 for a thread off an event with a relation; join / leave / createRoom; account
// data; 404 / 405 M_UNRECOGNIZED for anything else. Faults: errors with Retry-After and/or
// retry_after_ms, HTML 502s, connections dropped before or after a request is processed,
// forgotten sync tokens, duplicate deliveries. It runs on the test's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "slack/test_pki.h"

namespace incident::testing {

inline constexpr const char* kMatrixToken = "syt_bot_token";
inline constexpr const char* kMatrixBot = "@incident-bot:localhost";

struct FakeRequest {
  std::string method;
  std::string route;  // "sync", "send", "join", ... (see FakeHomeserver::fail_next)
  std::string path;   // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded
  nlohmann::json body;                       // null when empty or not JSON
  std::string authorization;
  std::string raw_body;      // as sent (the media repository takes bytes, not JSON)
  std::string content_type;  // the Content-Type header
};

// Bytes uploaded to the media repository (POST /_matrix/media/v3/upload).
struct FakeMedia {
  std::string content_type;
  std::string filename;
  std::string content;
};

struct FakeFailure {
  int status = 500;
  std::string errcode;      // empty: an HTML body, like a reverse proxy's 502
  std::string retry_after;  // the Retry-After header, empty: none
  std::optional<long> retry_after_ms;
  bool soft_logout = false;
};

class FakeHomeserver {
 public:
  FakeHomeserver(boost::asio::io_context& io, const TestPki& pki);
  ~FakeHomeserver();
  FakeHomeserver(const FakeHomeserver&) = delete;
  FakeHomeserver& operator=(const FakeHomeserver&) = delete;

  std::string url() const;  // https://localhost:<port>

  // --- the world ----------------------------------------------------------------------------
  // A room created by `creator` with `members` joined (the bot too when listed). Returns its id.
  std::string create_room(const std::string& creator, const std::vector<std::string>& members,
                          const std::string& name = "Incident room", bool encrypted = false);
  void invite(const std::string& room, const std::string& inviter, const std::string& invitee,
              bool is_direct = false);
  void join(const std::string& room, const std::string& user);
  void leave(const std::string& room, const std::string& user);
  // Any event; returns its event_id. `state_key` makes it a state event.
  std::string post(const std::string& room, const std::string& sender, const std::string& type,
                   nlohmann::json content, std::optional<std::string> state_key = {});
  // An m.text message (optionally in a thread, optionally as an HTML message).
  std::string say(const std::string& room, const std::string& sender, const std::string& text,
                  const std::string& thread_root = {});
  std::string react(const std::string& room, const std::string& sender, const std::string& target,
                    const std::string& key);
  std::string edit(const std::string& room, const std::string& sender, const std::string& target,
                   const std::string& new_text);
  // `in_content`: room v11's content.redacts; else the older top-level `redacts`.
  std::string redact(const std::string& room, const std::string& sender, const std::string& target,
                     bool in_content = true);
  // The event `event_id` is delivered once more at the head of the stream (Synapse bugs).
  void redeliver(const std::string& event_id);
  void set_account_data(const std::string& user, const std::string& type, nlohmann::json content);
  std::optional<nlohmann::json> account_data(const std::string& user,
                                             const std::string& type) const;

  // --- what happened -----------------------------------------------------------------------
  std::vector<FakeRequest> requests(const std::string& route = {}) const;
  // Events in `room` (all rooms when empty) from `sender`, of `type`, in stream order.
  std::vector<nlohmann::json> events(const std::string& room, const std::string& sender,
                                     const std::string& type = "m.room.message") const;
  // The bot's messages, by body.
  std::vector<std::string> bot_bodies(const std::string& room) const;
  std::string membership(const std::string& room, const std::string& user) const;
  std::vector<std::string> rooms_created() const;
  // The content of the state event `type` (empty state key) in `room`; null when none.
  nlohmann::json state(const std::string& room, const std::string& type) const;
  // A state event (empty state key) sent by `sender`.
  void set_state(const std::string& room, const std::string& sender, const std::string& type,
                 nlohmann::json content);
  // A room under an alias of this server ("#inc-1-x:localhost"), as if someone had made it.
  void add_alias(const std::string& alias, const std::string& room);
  // What an mxc:// URI this server handed out holds.
  std::optional<FakeMedia> media(const std::string& mxc) const;
  std::optional<nlohmann::json> filter(const std::string& id) const;
  int long_polls() const;  // syncs that waited for events
  // Syncs that arrived while another was being answered (one account, one syncer: always 0).
  int overlapping_syncs() const;
  std::string stream_token() const;  // the next_batch a sync would return now

  // --- faults ------------------------------------------------------------------------------
  // The next `count` requests of `route` get `failure` instead of an answer.
  void fail_next(const std::string& route, FakeFailure failure, int count = 1);
  // The next request of `route` is processed, then its connection is closed with no answer.
  void drop_after_next(const std::string& route);
  // Every sync token handed out so far is refused (400 M_UNKNOWN), like a server that lost them.
  void forget_sync_tokens();
  // The next /sync waits this long whatever its `timeout` (a long-poll that outlasts the client).
  void stall_next_sync(std::chrono::milliseconds delay);
  void revoke_token(bool soft_logout = false);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace incident::testing
