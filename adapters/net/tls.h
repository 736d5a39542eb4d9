// TLS client settings shared by every connection: the system's trusted CAs, optionally an extra
// CA bundle (INCIDENT_BOT_CA_FILE), peer verification always on, TLS 1.2 or later.
#pragma once

#include <memory>
#include <string>

#include <openssl/types.h>  // SSL

namespace boost::asio::ssl {
class context;
}

namespace incident::net {

class TlsContext {
 public:
  // Trusts the system's default CA store and, when `ca_file` is not empty, the PEM certificates
  // in it too. Throws std::runtime_error naming the file when it cannot be loaded.
  explicit TlsContext(const std::string& ca_file = {});
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  boost::asio::ssl::context& native() { return *context_; }

 private:
  std::unique_ptr<boost::asio::ssl::context> context_;
};

// A server's TLS settings from PEM files — the certificate chain (leaf first) and its private
// key — TLS 1.2 or later (the review page served directly, INCIDENT_BOT_WEB_CERT/_KEY). Throws
// std::runtime_error naming the file that cannot be loaded, or saying that the key does not
// belong to the certificate.
std::shared_ptr<boost::asio::ssl::context> server_tls(const std::string& cert_file,
                                                      const std::string& key_file);

// Prepares one client session for `host` before its handshake: SNI (RFC 6066 §3: DNS names
// only, never an IP literal) and host-name verification of the peer's certificate (RFC 6125;
// for an IP literal, the certificate's IP addresses), so the handshake fails on a certificate
// issued for another name. Returns false when OpenSSL refuses the name.
bool prepare_client_session(SSL* session, const std::string& host);

}  // namespace incident::net
