// mhd_loader.hpp — libmicrohttpd, loaded only when --serve-metrics starts.
//
// Linking libmicrohttpd pulls gnutls, p11-kit, nettle, hogweed, gmp, tasn1,
// idn2, unistring and ffi into every run (about 2.5 MiB of RSS and most of
// the dynamic linking at startup, measured in bench/RESULTS.md), while only
// the exporter needs it. The binary is compiled against <microhttpd.h> only;
// mhd_api() dlopens libmicrohttpd.so.12 (then libmicrohttpd.so) once,
// thread-safely, and resolves the entry points src/serve/ uses. When it
// cannot, `error` is one line naming libmicrohttpd and why, and every
// function pointer is null; the library is never unloaded.
#pragma once

#include <microhttpd.h>

#include <initializer_list>
#include <string>

namespace uwsgitop {

struct MhdApi {
    decltype(&::MHD_start_daemon) start_daemon = nullptr;   // variadic, as in the header
    decltype(&::MHD_stop_daemon) stop_daemon = nullptr;
    decltype(&::MHD_is_feature_supported) is_feature_supported = nullptr;
    decltype(&::MHD_lookup_connection_value) lookup_connection_value = nullptr;
    decltype(&::MHD_create_response_from_buffer) create_response_from_buffer = nullptr;
    decltype(&::MHD_create_response_from_buffer_with_free_callback_cls) create_response_from_shared_buffer = nullptr;
    decltype(&::MHD_add_response_header) add_response_header = nullptr;
    decltype(&::MHD_destroy_response) destroy_response = nullptr;
    decltype(&::MHD_queue_response) queue_response = nullptr;
    decltype(&::MHD_queue_basic_auth_fail_response) queue_basic_auth_fail_response = nullptr;
    decltype(&::MHD_basic_auth_get_username_password) basic_auth_get_username_password = nullptr;
    decltype(&::MHD_free) free = nullptr;
    decltype(&::MHD_get_connection_info) get_connection_info = nullptr;   // variadic
    decltype(&::MHD_get_connection_values) get_connection_values = nullptr;
    decltype(&::MHD_get_daemon_info) get_daemon_info = nullptr;           // variadic
    decltype(&::MHD_quiesce_daemon) quiesce_daemon = nullptr;
    decltype(&::MHD_add_connection) add_connection = nullptr;
    std::string error;   // empty when every entry point is resolved
};

// The process-wide table: loaded on the first call, the same object after.
const MhdApi& mhd_api();

// The two GnuTLS calls that check a client certificate on a connection's
// session (MHD_CONNECTION_INFO_GNUTLS_SESSION), from the GnuTLS that
// libmicrohttpd loaded (dlopen with RTLD_NOLOAD: never a second copy).
// Loaded on the first call, which must come after mhd_api() loaded
// libmicrohttpd with TLS; `error` says why not otherwise.
struct GnutlsPeerApi {
    // gnutls_certificate_get_peers: the peer's certificate list (null: none)
    const void* (*get_peers)(void* session, unsigned* list_size) = nullptr;
    // gnutls_typed_vdata_st, as <gnutls/gnutls.h> lays it out.
    struct TypedData {
        int type;              // gnutls_vdata_types_t
        unsigned char* data;
        unsigned size;
    };
    static constexpr int kKeyPurposeOid = 2;   // GNUTLS_DT_KEY_PURPOSE_OID
    // gnutls_certificate_verify_peers: 0 and *status 0 when the chain
    // verifies and (with a GNUTLS_DT_KEY_PURPOSE_OID) its purpose fits
    int (*verify_peers)(void* session, TypedData* data, unsigned elements, unsigned* status) = nullptr;
    std::string error;
};
const GnutlsPeerApi& gnutls_peer_api();

// One load attempt trying `names` in order (dlopen), for mhd_api() and the
// tests: a name that does not load, or a library lacking an entry point,
// gives an MhdApi whose `error` says so (for names that do not load, the
// first name's dlerror()) and whose pointers are all null.
MhdApi load_mhd(std::initializer_list<const char*> names);

}  // namespace uwsgitop
