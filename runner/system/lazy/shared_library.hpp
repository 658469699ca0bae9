#pragma once
// A shared library opened at run time (dlopen) and its functions looked up by name (dlsym).
#include <string>
#include <utility>

#include "workflow/base/result.hpp"

namespace pipeline::runner::lazy {

/// One dlopen handle; closed on destruction, though the code stays mapped until the process ends.
class SharedLibrary {
public:
  /// Opens `soname` (e.g. "libcurl.so.4") with every symbol bound now; the error quotes dlerror().
  [[nodiscard]] static Result<SharedLibrary> open(const std::string& soname);

  SharedLibrary(SharedLibrary&& other) noexcept;
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary();

  /// The address of the exported symbol `name`.
  [[nodiscard]] Result<void*> symbol(const char* name) const;

  /// Sets `function` to the exported function `name`; its type comes from the library's header.
  template <class Function>
  [[nodiscard]] Result<void> resolve(const char* name, Function*& function) const {
    auto address = symbol(name);
    if (!address) {
      return address.error();
    }
    function = reinterpret_cast<Function*>(*address);
    return {};
  }

  /// The name the library was opened by.
  [[nodiscard]] const std::string& soname() const { return m_soname; }

private:
  SharedLibrary(void* handle, std::string soname) : m_handle(handle), m_soname(std::move(soname)) {}

  void* m_handle = nullptr;
  std::string m_soname;
};

/// A library kept open together with the table of its functions pipe calls.
template <class Api>
struct LoadedApi {
  SharedLibrary library;
  Api api;
};

/// Opens `soname` and fills its function table with `resolve_all`; the first failure is the error.
template <class Api>
[[nodiscard]] Result<LoadedApi<Api>> load_api(const std::string& soname,
                                              Result<Api> (*resolve_all)(const SharedLibrary&)) {
  auto library = SharedLibrary::open(soname);
  if (!library) {
    return library.error();
  }
  auto api = resolve_all(*library);
  if (!api) {
    return api.error();
  }
  return LoadedApi<Api>{std::move(*library), *api};
}

}  // namespace pipeline::runner::lazy
