// A blocking HTTP/1.1 client over a plain POSIX socket, for tests of the operations endpoint:
// it sends exactly the bytes it is given, so malformed and oversized requests can be tried.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace incident::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port`; every read waits at most `timeout`.
  explicit RawConnection(unsigned short port,
                         std::chrono::milliseconds timeout = std::chrono::seconds{10});
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // One response; `head`: the request was HEAD, so there is no body whatever Content-Length
  // says. nullopt when the connection closed or timed out first.
  std::optional<RawResponse> read_response(bool head = false);
  // Whether the server closed the connection (EOF or reset) within the timeout.
  bool closed_by_peer();

 private:
  bool fill();
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection ("Connection: close").
std::optional<RawResponse> http_get(unsigned short port, const std::string& path,
                                    const std::string& method = "GET");

}  // namespace incident::testing
