// The application service: one inbound event in, replies out, effects durable in between.
// Adapters call `handle` and acknowledge the platform only after it returns.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <optional>
#include <vector>

#include "change.h"
#include "event.h"
#include "model.h"
#include "prompts.h"
#include "store.h"

namespace incident {

struct Settings {
  std::string command_prefix = "!incident";  // shown in help and hints
  bool lessons_channel = false;              // whether `share` has somewhere to post
  Escaper escape = no_escape;                // how user text is escaped for the target markup
};

// What the domain knows when it decides: the channel's current incident (open, else the latest
// closed one) and the number a new incident would get.
struct Context {
  std::optional<Incident> current;
  std::int64_t next_number = 1;
};

struct Decision {
  std::vector<Change> changes;
  std::vector<Reply> replies;
};

// Pure: the same context and event always give the same decision.
Decision decide(const Context& context, const InboundEvent& event, const Prompts& prompts,
                const Settings& settings);

class Engine {
 public:
  Engine(Store& store, const Prompts& prompts, Settings settings = {})
      : store_(store), prompts_(prompts), settings_(std::move(settings)) {}

  // Idempotent: the same event key gives the same replies and changes nothing the second time.
  Outcome handle(const InboundEvent& event);

  // The adapter posted an anchored reply of `handle` and the platform gave it `message_ref`.
  // Recorded under its own idempotency key, so reporting it twice is harmless.
  void anchor_posted(const std::string& platform, const Reply& reply,
                     const std::string& message_ref);

 private:
  Store& store_;
  const Prompts& prompts_;
  Settings settings_;
};

}  // namespace incident
