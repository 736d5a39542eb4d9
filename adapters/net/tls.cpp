#include "adapters/net/tls.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

namespace incident::net {

namespace ssl = boost::asio::ssl;

TlsContext::TlsContext(const std::string& ca_file)
    : context_(std::make_unique<ssl::context>(ssl::context::tls_client)) {
  context_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(context_->native_handle(), TLS1_2_VERSION);
  context_->set_default_verify_paths();
  if (!ca_file.empty()) {
    boost::system::error_code ec;
    context_->load_verify_file(ca_file, ec);
    if (ec) {
      throw std::runtime_error("cannot load the CA bundle " + ca_file + ": " + ec.message());
    }
  }
  context_->set_verify_mode(ssl::verify_peer);
}

TlsContext::~TlsContext() = default;

std::shared_ptr<ssl::context> server_tls(const std::string& cert_file,
                                         const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec)
    throw std::runtime_error("cannot load the certificate " + cert_file + ": " + ec.message());
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load the private key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("the private key " + key_file +
                             " does not belong to the certificate " + cert_file);
  }
  return context;
}

bool prepare_client_session(SSL* session, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool ip_literal = !ec;
  if (ip_literal) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), host.c_str()) == 1;
  }
  if (SSL_set_tlsext_host_name(session, host.c_str()) != 1) return false;
  // Partial wildcards ("f*o.example.com") are not accepted, as in RFC 6125 §7.2.
  SSL_set_hostflags(session, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(session, host.c_str()) == 1;
}

}  // namespace incident::net
