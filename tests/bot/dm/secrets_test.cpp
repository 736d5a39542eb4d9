// Credentials in DM text: found, classified for rotation advice, and cut out.
#include "bot/dm/secrets.h"

#include <gtest/gtest.h>

#include <string>

#include "bot/model/escalation.h"

namespace incident {
namespace {

struct Sample {
  std::string text;
  std::string secret;  // the part that must disappear
  SecretKind kind;
};

TEST(Secrets, FindsEveryKindAndRedactsOnlyTheCredential) {
  const Sample samples[] = {
      {"my token is xoxb-1234567890-0987654321-AbCdEfGhIjKl ok?",
       "xoxb-1234567890-0987654321-AbCdEfGhIjKl", SecretKind::slack},
      {"xoxp-12345678901-abcdefghij", "xoxp-12345678901-abcdefghij", SecretKind::slack},
      {"app token xapp-1-A0123456789-1234567890-abcdef", "xapp-1-A0123456789-1234567890-abcdef",
       SecretKind::slack},
      {"ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked",
       "ghp_abcdefghijklmnopqrstuvwxyz0123456789", SecretKind::github},
      {"gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a",
       SecretKind::github},
      {"ghs_abcdefghijklmnopqrstuvwx", "ghs_abcdefghijklmnopqrstuvwx", SecretKind::github},
      {"github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz",
       "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz", SecretKind::github},
      {"key id AKIAIOSFODNN7EXAMPLE in #general", "AKIAIOSFODNN7EXAMPLE", SecretKind::aws},
      {"ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", SecretKind::aws},
      {"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SecretKind::generic},
      {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
       SecretKind::jwt},
      {"password=hunter22", "hunter22", SecretKind::generic},
      {"DB_PASSWORD=\"correct horse battery\"", "correct horse battery", SecretKind::generic},
      {"passwd: s3cr3t!pw", "s3cr3t!pw", SecretKind::generic},
      {"secret=abcd&x=1", "abcd", SecretKind::generic},
      {"{\"token\": \"tok_live_998877\"}", "tok_live_998877", SecretKind::generic},
      {"curl -H 'Authorization: Bearer abcdefghijklmnop1234'", "abcdefghijklmnop1234",
       SecretKind::generic},
  };
  for (const auto& s : samples) {
    const auto found = find_secrets(s.text);
    ASSERT_EQ(found.size(), 1u) << s.text;
    EXPECT_EQ(found[0].kind, s.kind) << s.text;
    EXPECT_EQ(s.text.substr(found[0].begin, found[0].end - found[0].begin), s.secret);
    const std::string clean = redact_secrets(s.text);
    EXPECT_EQ(clean.find(s.secret), std::string::npos) << clean;
    EXPECT_NE(clean.find(kRedacted), std::string::npos) << clean;
  }
}

// The formats the well-known secret scanners look for, each in the phrasing people use in chat:
// never as a `name=value` assignment only.
TEST(Secrets, CoversTheCommonCredentialFormats) {
  const Sample samples[] = {
      {"My AWS_SECRET_ACCESS_KEY is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SecretKind::generic},
      {"stripe key sk_live_51HxAbCdEfGhIjKlMnOpQrStUv leaked", "sk_live_51HxAbCdEfGhIjKlMnOpQrStUv",
       SecretKind::stripe},
      {"rk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_4eC39HqLyjWDarjtT1zdp7dc", SecretKind::stripe},
      {"webhook signing whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SecretKind::stripe},
      {"glpat-xXyYzZ0123456789abcd in the CI log", "glpat-xXyYzZ0123456789abcd",
       SecretKind::gitlab},
      {"runner GR1348941AbCdEfGhIjKlMnOpQrSt", "GR1348941AbCdEfGhIjKlMnOpQrSt", SecretKind::gitlab},
      {"maps key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
       "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", SecretKind::google},
      {"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", "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",
       SecretKind::google},
      {"npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789",
       SecretKind::npm},
      {"pypi-AgEIcHlwaS5vcmcCJGI4YjFmYzQ1LWQ5ZjEtNDk5ZS1hNGQ4LTA4ODk0ZmE2ZmM4NQ",
       "pypi-AgEIcHlwaS5vcmcCJGI4YjFmYzQ1LWQ5ZjEtNDk5ZS1hNGQ4LTA4ODk0ZmE2ZmM4NQ", SecretKind::pypi},
      {"twilio SK0123456789abcdef0123456789abcdef", "SK0123456789abcdef0123456789abcdef",
       SecretKind::twilio},
      {"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",
       "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",
       SecretKind::sendgrid},
      {"posted to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX ok",
       "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
       SecretKind::webhook},
      {"postgres://app:S3cr3tPa55@db.internal:5432/prod", "S3cr3tPa55", SecretKind::generic},
      {"mongodb+srv://admin:hunter2@cluster0.example.net", "hunter2", SecretKind::generic},
      {"my password is Tr0ub4dor&3", "Tr0ub4dor&3", SecretKind::generic},
      {"my password is sunshine", "sunshine", SecretKind::generic},
      {"the password for the prod db was `pa55word`", "pa55word", SecretKind::generic},
      {"api key for datadog: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef",
       SecretKind::generic},
      {"here's the token 9f8e7d6c5b4a39281706f5e4d3c2b1a0 we used",
       "9f8e7d6c5b4a39281706f5e4d3c2b1a0", SecretKind::generic},
      {"client secret is QmFzZTY0U2VjcmV0VmFsdWUxMjM0", "QmFzZTY0U2VjcmV0VmFsdWUxMjM0",
       SecretKind::generic},
  };
  for (const auto& s : samples) {
    const auto found = find_secrets(s.text);
    ASSERT_EQ(found.size(), 1u) << s.text;
    EXPECT_EQ(found[0].kind, s.kind) << s.text;
    EXPECT_EQ(s.text.substr(found[0].begin, found[0].end - found[0].begin), s.secret);
    EXPECT_EQ(redact_secrets(s.text).find(s.secret), std::string::npos) << s.text;
  }
}

TEST(Secrets, PgpAndOtherPrivateKeyBlocksGoWhole) {
  EXPECT_EQ(redact_secrets("-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n"
                           "-----END PGP PRIVATE KEY BLOCK-----"),
            std::string(kRedacted));
}

TEST(Secrets, APrivateKeyBlockGoesWhole) {
  const std::string text =
      "is this ok to share?\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
      "QyNTUxOQAAACB\n-----END OPENSSH PRIVATE KEY-----\nthanks";
  const auto found = find_secrets(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, SecretKind::private_key);
  EXPECT_EQ(redact_secrets(text), "is this ok to share?\n" + std::string(kRedacted) + "\nthanks");
  // Cut off mid-paste: everything after BEGIN goes.
  EXPECT_EQ(redact_secrets("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA"),
            std::string(kRedacted));
}

TEST(Secrets, SeveralInOneMessage) {
  const std::string text = "xoxb-1111111111-2222222222 and AKIAIOSFODNN7EXAMPLE";
  EXPECT_EQ(find_secrets(text).size(), 2u);
  EXPECT_EQ(redact_secrets(text), std::string(kRedacted) + " and " + std::string(kRedacted));
}

TEST(Secrets, OrdinaryTalkAboutSecretsIsNotASecret) {
  for (const char* text : {
           "I pasted an AWS key in #general",
           "what is a token: is it safe?",
           "my password: ",
           "password=****",
           "token=${SLACK_TOKEN}",
           "the xoxb- prefix means a bot token",
           "AKIA is the prefix of access keys",
           "see https://example.com/eyJ",
           "BEGIN PRIVATE KEY is how they start",
           "ghp_short",
           "passwords = many",
           "my password is expired",
           "the password was wrong twice, then the account locked",
           "the token is still valid until tomorrow",
           "rotate the API key for datadog today",
           "secret scanning found 3 keys",
           "postgres://db.internal:5432/prod has no password in it",
           "is the key in the vault?",
       }) {
    EXPECT_TRUE(find_secrets(text).empty()) << text;
  }
}

// Found by fuzzing (tests/fuzz/secrets_fuzz.cpp): text redacted once, redacted again, took the
// marker after a password word for a value and grew "[credential removed] removed]".
TEST(Secrets, RedactingTwiceChangesNothingMore) {
  for (const std::string& text :
       {"my password is hunter2hunter2, the token is ghp_" + std::string(36, 'a'),
        std::string("AWS_SECRET_ACCESS_KEY=Ab1Ab1Ab1Ab1Ab1Ab1")}) {
    const std::string once = redact_secrets(text);
    EXPECT_NE(once, text);
    EXPECT_EQ(redact_secrets(once), once) << once;
  }
}

// Found by fuzzing: a password found once and then typed again (alone, or run into other text)
// stayed visible the second time.
TEST(Secrets, ACredentialIsRemovedWhereverItAppearsAgain) {
  const std::string text = "my password is Tr0ub4dor&3x, oops: Tr0ub4dor&3x and xTr0ub4dor&3x";
  const std::string red = redact_secrets(text);
  EXPECT_EQ(red.find("Tr0ub4dor"), std::string::npos) << red;
  EXPECT_EQ(find_secrets(text).size(), 3u);
}

// Found by fuzzing: a value holding the start of the marker ("KEY=KEY=[credential rem…") was
// taken for a credential, and the marker that replaced it spelt it out again.
TEST(Secrets, TextOfTheMarkerIsNoCredential) {
  const std::string text = "and the_KEY=the_KEY=[credential remaprod war!_KEY=Ab1Ab1Ab1Ab1aaaa!aaa";
  for (const auto& m : find_secrets(text)) {
    EXPECT_EQ(text.substr(m.begin, m.end - m.begin).find("[credential"), std::string::npos);
  }
  EXPECT_EQ(redact_secrets(text).find("Ab1Ab1Ab1Ab1aaaa"), std::string::npos);
}

TEST(Secrets, KindNamesForTheRotationAdvice) {
  EXPECT_EQ(to_string(SecretKind::slack), "slack");
  EXPECT_EQ(to_string(SecretKind::private_key), "private_key");
  for (const auto kind :
       {SecretKind::stripe, SecretKind::gitlab, SecretKind::google, SecretKind::npm,
        SecretKind::pypi, SecretKind::twilio, SecretKind::sendgrid, SecretKind::webhook}) {
    EXPECT_NE(to_string(kind), "generic");
  }
}

TEST(CaseCode, IsSecPlusEightCrockfordCharacters) {
  EXPECT_EQ(case_code(0), "SEC-00000000");
  const std::string code = case_code(0xFFFFFFFFFFULL);
  EXPECT_EQ(code, "SEC-ZZZZZZZZ");
  EXPECT_EQ(case_code(0x123456789AULL).size(), kCaseCodeLength);
  EXPECT_NE(case_code(1), case_code(2));
  // Letters that read like digits are not in the alphabet.
  for (std::uint64_t bits : {0x1ULL, 0xABCDEF0123ULL, 0x9876543210ULL}) {
    for (char c : case_code(bits).substr(4))
      EXPECT_EQ(std::string("ILOU").find(c), std::string::npos);
  }
}

TEST(CaseCode, IsFoundAtTheStartOfAMessageInAnyCase) {
  EXPECT_EQ(leading_case_code("sec-7f3k2q9m thanks"), "SEC-7F3K2Q9M");
  EXPECT_EQ(leading_case_code("SEC-7F3K2Q9M: more"), "SEC-7F3K2Q9M");
  EXPECT_FALSE(leading_case_code("SEC-7F3K2Q9MX"));  // glued to more letters
  EXPECT_FALSE(leading_case_code("SEC-7F3K2QIL"));   // not the alphabet
  EXPECT_FALSE(leading_case_code("about SEC-7F3K2Q9M"));
  EXPECT_FALSE(leading_case_code("SEC-7F3"));
}

}  // namespace
}  // namespace incident
