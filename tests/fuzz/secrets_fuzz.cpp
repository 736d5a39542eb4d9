// The credential finder (bot/dm/secrets.h) over any bytes: it never throws, its matches lie in
// the text in order without overlapping, and a credential it found is gone from the redacted text,
// wherever else it appeared.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "bot/dm/secrets.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = incident::fuzz::text_of(data, size);
  const auto found = incident::find_secrets(text);
  std::size_t last_end = 0;
  for (const auto& m : found) {
    check(m.begin < m.end && m.end <= text.size(), "a match lies in the text");
    check(m.begin >= last_end, "matches are in order and do not overlap");
    last_end = m.end;
  }
  const std::string once = incident::redact_secrets(text, found);
  // Where the markers stand in the redacted text.
  std::vector<std::pair<std::size_t, std::size_t>> markers;
  for (auto at = once.find(incident::kRedacted); at != std::string::npos;
       at = once.find(incident::kRedacted, at + 1)) {
    markers.emplace_back(at, at + incident::kRedacted.size());
  }
  for (const auto& m : found) {
    const std::string_view secret = text.substr(m.begin, m.end - m.begin);
    if (secret.size() < 20) continue;
    // A long credential is never left anywhere in the redacted text, except where a marker
    // itself spells part of it: a value that ends in "[credentia…" reads again where the text
    // before it meets the marker that replaced it (found by fuzzing; no character of it leaks).
    for (auto at = once.find(secret); at != std::string::npos; at = once.find(secret, at + 1)) {
      const bool in_marker = std::any_of(markers.begin(), markers.end(), [&](const auto& k) {
        return at < k.second && at + secret.size() > k.first;
      });
      check(in_marker, "a credential survived");
    }
  }
  // Redacting redacted text again must not fail; it may remove a little more around a marker
  // (a word after "password" that the removed value used to stand for): over-redaction, never a
  // leak, so not an invariant.
  (void)incident::redact_secrets(once);
  return 0;
}
