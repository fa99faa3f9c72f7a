// libFuzzer target: any text as an ADDRESS (and as a targets-file line).
// parse_address must never crash, and an accepted address must name a kind
// with the fields that kind needs.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/fleet/fleet.hpp"

using namespace uwsgitop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    Address a;
    if (parse_address(text, a).is_ok()) {
        switch (a.kind) {
            case AddressKind::Tcp:
                if (a.port == 0) std::abort();
                break;
            case AddressKind::Unix:
            case AddressKind::HttpUnix:
            case AddressKind::Abstract:
            case AddressKind::File:
                if (a.path.empty()) std::abort();
                break;
            case AddressKind::Http:
                if (a.url.empty()) std::abort();
                break;
            case AddressKind::Stdin:
                break;
        }
    }
    const Target t = target_from_text(text);
    if (t.address.empty() && !text.empty()) std::abort();
    return 0;
}
