// A throwaway certificate authority and a server certificate it signed, made with the OpenSSL
// API when a test starts: the fake Slack serves real TLS, and the client trusts it only through
// the CA-file mechanism (INCIDENT_BOT_CA_FILE), verifying the host name as in production.
#pragma once

#include <string>

namespace incident::testing {

struct TestPki {
  std::string ca_pem;    // the CA certificate: what the client trusts
  std::string cert_pem;  // the server's certificate for `subject_alt_names`
  std::string key_pem;   // the server's private key

  // P-256 keys, valid from an hour ago for a day. Throws std::runtime_error on an OpenSSL error.
  static TestPki generate(const std::string& subject_alt_names = "DNS:localhost,IP:127.0.0.1");
};

}  // namespace incident::testing
