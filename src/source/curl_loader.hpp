// curl_loader.hpp — libcurl, loaded only when an http(s):// address is used.
//
// Linking libcurl pulls about 30 shared libraries into every run (6 MiB of
// RSS and ~14 M instructions of dynamic linking, measured in bench/), while
// only http(s):// addresses need it. curl_api() dlopens libcurl.so.4 once
// (thread-safe) and resolves the few entry points the HTTP source uses;
// when it cannot, `error` says why and every other member is null.
#pragma once

#include <curl/curl.h>

#include <string>

namespace uwsgitop {

struct CurlApi {
    CURLcode (*global_init)(long) = nullptr;
    CURL* (*easy_init)() = nullptr;
    void (*easy_cleanup)(CURL*) = nullptr;
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
    CURLcode (*easy_perform)(CURL*) = nullptr;
    const char* (*easy_strerror)(CURLcode) = nullptr;
    std::string error;  // empty when loaded and initialised
};

const CurlApi& curl_api();

}  // namespace uwsgitop
