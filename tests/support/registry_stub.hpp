#pragma once
// A stand-in for a container registry, for tests: plain HTTP on 127.0.0.1 (which dockerd treats
// as an insecure registry, so the engine itself talks to it). It speaks only the start of the
// registry v2 API: `GET /v2/` answers 200 to the one accepted Basic credential and 401 with a
// Basic challenge otherwise; every other path under /v2/ answers 401 without that credential and
// 404 (MANIFEST_UNKNOWN) with it, so a pull authenticates and then finds nothing.
#include <memory>
#include <string>
#include <vector>

namespace pipeline::test {

/// One request the stub saw under /v2/.
struct RegistryRequest {
  std::string path;
  bool authorized = false;  // carried the accepted credential
};

/// The registry stand-in; serves from construction until destruction.
class RegistryStub {
public:
  RegistryStub(std::string username, std::string password);
  ~RegistryStub();
  RegistryStub(const RegistryStub&) = delete;
  RegistryStub& operator=(const RegistryStub&) = delete;

  /// "127.0.0.1:<port>", the registry part of an image reference.
  [[nodiscard]] std::string host() const;
  /// Every request so far, in order.
  [[nodiscard]] std::vector<RegistryRequest> requests() const;

private:
  struct State;
  std::shared_ptr<State> m_state;
};

}  // namespace pipeline::test
