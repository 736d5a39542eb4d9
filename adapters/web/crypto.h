// The review page's secrets: unguessable tokens, and the hashes that are stored instead of them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace incident::web {

// `bytes` random bytes from OpenSSL's CSPRNG, base64url without padding (URL- and cookie-safe).
// Throws std::runtime_error when the generator fails.
std::string random_token(std::size_t bytes = 32);

// SHA-256 of `text`, lowercase hex: what the store keeps of a sign-in token or a session id.
std::string sha256_hex(std::string_view text);

// Compares in time that depends only on the lengths: for CSRF tokens.
bool equal_secret(std::string_view a, std::string_view b);

}  // namespace incident::web
