#include "runner/system/lazy/shared_library.hpp"

#include <dlfcn.h>

namespace pipeline::runner::lazy {
namespace {

std::string last_dl_error(const std::string& what) {
  const char* text = ::dlerror();
  return text != nullptr ? text : what + ": unknown dynamic loader error";
}

}  // namespace

Result<SharedLibrary> SharedLibrary::open(const std::string& soname) {
  // RTLD_NOW: a reference the library cannot resolve fails here, as an error, not later as a crash.
  // RTLD_NODELETE: a thread still inside the library while the process exits cannot lose its code.
  void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    return Error{"cannot load " + soname + ": " + last_dl_error(soname)};
  }
  return SharedLibrary(handle, soname);
}

SharedLibrary::SharedLibrary(SharedLibrary&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)), m_soname(std::move(other.m_soname)) {}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    if (m_handle != nullptr) {
      ::dlclose(m_handle);
    }
    m_handle = std::exchange(other.m_handle, nullptr);
    m_soname = std::move(other.m_soname);
  }
  return *this;
}

SharedLibrary::~SharedLibrary() {
  if (m_handle != nullptr) {
    ::dlclose(m_handle);
  }
}

Result<void*> SharedLibrary::symbol(const char* name) const {
  void* address = ::dlsym(m_handle, name);
  if (address == nullptr) {  // a function is never at address 0, so null always means "not found"
    return Error{"cannot load " + m_soname + ": " + last_dl_error(name)};
  }
  return address;
}

}  // namespace pipeline::runner::lazy
