// dl_symbol.hpp — one typed dlsym() for the libraries loaded on first use
// (source/curl_loader.cpp: libcurl; serve/mhd_loader.cpp: libmicrohttpd).
//
// Contract: `out` becomes the symbol `name` of the dlopen()ed `lib`, cast to
// the function pointer type F; returns false (and `out` null) when the
// library does not have it.
#pragma once

#include <dlfcn.h>

namespace uwsgitop {

template <typename F>
bool dl_symbol(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(dlsym(lib, name));
    return out != nullptr;
}

}  // namespace uwsgitop
