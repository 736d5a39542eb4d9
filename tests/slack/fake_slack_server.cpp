// The fake Slack as a process of its own, for suites written outside C++ (the browser suite):
// the real incident-bot connects to it as it would to slack.com (SLACK_API_URL,
// INCIDENT_BOT_CA_FILE), and the suite drives it with one JSON object per line on standard
// input. Each line gets one JSON line back on standard output, in order:
//
//   fake-slack-server DIR          writes DIR/ca.pem, then prints {"api_url", "ca_file"}
//   {"op":"members","channel":"C1","users":["U1"]}   → {"ok":true}
//   {"op":"user","user":"U1","name":"Dana"}           → {"ok":true}      (users.info's real_name)
//   {"op":"slash","text":"start …","user":"U1","channel":"C1"}
//                                                     → {"ack":ID} once the bot acknowledged it
//   {"op":"posted"}                                   → {"posted":[{channel,text,ts,…}]}
//   {"op":"calls","method":"chat.postMessage"}        → {"calls":[{fields}]}
//   {"op":"files"}                                    → {"files":[{channel,filename,content}]}
//
// A slash command waits (up to 10 s) for the bot's Socket Mode connection and then for its ack;
// {"error": …} says what did not happen. End of input stops the server.
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "slack/envelopes.h"
#include "slack/fake_slack.h"

namespace {

using namespace incident::testing;
using nlohmann::json;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

void say(const json& line) {
  std::cout << line.dump() << "\n" << std::flush;
}

class Server {
 public:
  Server(asio::io_context& io, FakeSlack& fake)
      : io_(io), fake_(fake), in_(io, ::dup(STDIN_FILENO)), timer_(io) {
    fake_.on_ack = [this](const ReceivedAck& ack) {
      if (waiting_ && ack.envelope_id == waiting_id_) finish({{"ack", ack.envelope_id}});
    };
  }

  void read() {
    asio::async_read_until(in_, input_, '\n', [this](boost::system::error_code ec, std::size_t) {
      if (ec) {
        io_.stop();
        return;
      }
      std::istream stream(&input_);
      std::string line;
      std::getline(stream, line);
      if (!line.empty()) lines_.push_back(line);
      next();
      read();
    });
  }

 private:
  // Handles queued lines in order; a slash command holds the queue until its ack.
  void next() {
    while (!waiting_ && !lines_.empty()) {
      const std::string line = std::move(lines_.front());
      lines_.pop_front();
      json in;
      try {
        in = json::parse(line);
      } catch (const json::exception& e) {
        say({{"error", std::string("not JSON: ") + e.what()}});
        continue;
      }
      handle(in);
    }
  }

  void handle(const json& in) {
    const std::string op = in.value("op", "");
    if (op == "members") {
      fake_.set_members(in.at("channel"), in.at("users").get<std::vector<std::string>>());
      say({{"ok", true}});
    } else if (op == "user") {
      fake_.set_user_name(in.at("user"), in.at("name"));
      say({{"ok", true}});
    } else if (op == "slash") {
      const json envelope =
          slash_envelope(in.at("text"), in.value("user", "U1"), in.value("channel", "C1"));
      waiting_ = true;
      waiting_id_ = envelope.at("envelope_id");
      deadline_ = Clock::now() + std::chrono::seconds(10);
      send_when_connected(envelope);
    } else if (op == "posted") {
      json out = json::array();
      for (const StoredMessage& m : fake_.posted()) {
        out.push_back({{"channel", m.channel},
                       {"ts", m.ts},
                       {"text", m.text},
                       {"thread_ts", m.thread_ts},
                       {"ephemeral", m.ephemeral},
                       {"ephemeral_user", m.ephemeral_user}});
      }
      say({{"posted", out}});
    } else if (op == "calls") {
      json out = json::array();
      for (const ApiCall& c : fake_.calls(in.value("method", ""))) {
        out.push_back({{"method", c.method}, {"fields", c.fields}});
      }
      say({{"calls", out}});
    } else if (op == "files") {
      json out = json::array();
      for (const SharedFile& f : fake_.files()) {
        out.push_back({{"channel", f.channel}, {"filename", f.filename}, {"content", f.content}});
      }
      say({{"files", out}});
    } else {
      say({{"error", "unknown op \"" + op + "\""}});
    }
  }

  void send_when_connected(const json& envelope) {
    if (fake_.open_sockets() > 0) {
      fake_.send(envelope);
      wait_for_ack();
      return;
    }
    if (Clock::now() > deadline_) {
      finish({{"error", "the bot did not connect to Socket Mode"}});
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this, envelope](boost::system::error_code ec) {
      if (!ec) send_when_connected(envelope);
    });
  }

  void wait_for_ack() {
    timer_.expires_at(deadline_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && waiting_) finish({{"error", "no ack for " + waiting_id_}});
    });
  }

  void finish(const json& answer) {
    waiting_ = false;
    timer_.cancel();
    say(answer);
    asio::post(io_, [this] { next(); });
  }

  asio::io_context& io_;
  FakeSlack& fake_;
  asio::posix::stream_descriptor in_;
  asio::streambuf input_;
  asio::steady_timer timer_;
  std::deque<std::string> lines_;
  bool waiting_ = false;
  std::string waiting_id_;
  Clock::time_point deadline_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fake-slack-server DIR (writes DIR/ca.pem)\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const TestPki pki = TestPki::generate();
  std::ofstream(dir / "ca.pem") << pki.ca_pem;
  asio::io_context io;
  FakeSlack fake(io, pki);
  Server server(io, fake);
  say({{"api_url", fake.api_url()}, {"ca_file", (dir / "ca.pem").string()}});
  server.read();
  io.run();
  return 0;
}
