// factory.cpp — make_source(): the concrete source for an address.
// Building a source never connects or opens anything; that happens on fetch.
#include "connector.hpp"

namespace uwsgitop {

std::unique_ptr<Source> make_source(const Address& address, const FetchLimits& limits) {
    switch (address.kind) {
        case AddressKind::Tcp:
        case AddressKind::Unix:
        case AddressKind::Abstract:
        case AddressKind::HttpUnix:
            return detail::make_socket_source(address, limits);
        case AddressKind::Http:
            return detail::make_curl_source(address, limits);
        case AddressKind::File:
            return detail::make_file_source(address, limits);
        case AddressKind::Stdin:
            return detail::make_stdin_source(address, limits);
    }
    return detail::make_socket_source(address, limits);
}

}  // namespace uwsgitop
