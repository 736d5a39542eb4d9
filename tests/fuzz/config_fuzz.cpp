// The configuration file (adapters/cli/config.h) over any bytes: it loads or is refused with a
// ConfigError naming where, never anything else; what loads passes validation or is refused the
// same way, and its redacted form never shows a token.
#include "adapters/cli/config.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(incident::fuzz::text_of(data, size));
  incident::Config config;
  try {
    config = incident::parse_config(text, "fuzz.toml");
  } catch (const incident::ConfigError& e) {
    check(!e.key.empty(), "a refusal says where");
    return 0;
  }
  try {
    incident::validate(config);
  } catch (const incident::ConfigError&) {
  }
  const std::string shown = incident::redacted(config);
  incident::Config without = config;  // what is shown anyway, a token's text or not
  without.slack.app_token = without.slack.bot_token = without.matrix.access_token = "";
  const std::string rest = incident::redacted(without);
  for (const std::string* secret :
       {&config.slack.app_token, &config.slack.bot_token, &config.matrix.access_token}) {
    if (secret->size() < 8 || rest.find(*secret) != std::string::npos) continue;
    check(shown.find(*secret) == std::string::npos, "a token was shown");
  }
  return 0;
}
