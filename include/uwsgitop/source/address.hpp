// address.hpp — what the positional ADDRESS argument (or UWSGITOP_ADDRESS) means.
//
// Accepted forms (a superset of the Python uwsgitop's):
//   HOST:PORT        TCP; HOST is IPv4 or a name (every resolved address tried)
//   :PORT            TCP on localhost
//   [IPV6]:PORT      TCP over IPv6
//   /path.sock ./rel.sock ../rel.sock   unix socket (plain stats or --stats-http, detected)
//   @name            abstract unix socket, bound by uWSGI as "\0name\0"
//   http://HOST:PORT[/path]  https://...   --stats-http through libcurl
//   http+unix:///path.sock  (also unix-http:/path.sock)   --stats-http on a unix socket
//   file:PATH        a saved snapshot (raw bytes of one read)
//   -                a snapshot on standard input
// parse_address never touches the network or the file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

enum class AddressKind { Tcp, Unix, Abstract, Http, HttpUnix, File, Stdin };

struct Address {
    AddressKind kind = AddressKind::Tcp;
    std::string text;   // as the user gave it (used in messages)
    std::string host;   // Tcp: host without brackets; Http: unused (url holds it)
    uint16_t port = 0;  // Tcp
    std::string path;   // Unix/HttpUnix: socket path; Abstract: name without '@'; File: path
    std::string url;    // Http: the URL handed to libcurl
};

// Fills `out` or returns a one-line error naming the text (escaped, cut in its
// middle past 120 columns) and what is wrong.
Status parse_address(std::string_view text, Address& out);

// Multi-line list of the accepted forms, for usage errors and --help.
const char* address_forms_help();

}  // namespace uwsgitop
