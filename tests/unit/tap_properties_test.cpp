// Tests for common/tap_properties.hpp against dbus/net.tapd1.Tap.xml (the source of truth), and
// for client/tap_fields.hpp: every property has exactly one TapInfo field, in the XML's order.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "tap_fields.hpp"
#include "tap_properties.hpp"

namespace tapd {
namespace {

// A property as the XML declares it, or as the header lists it.
struct Declared {
    std::string name, signature;
    bool changes = false;
    bool operator==(const Declared&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Declared& d) {
    return os << d.name << " " << d.signature << (d.changes ? " changes" : " const");
}

std::vector<Declared> from_xml() {
    std::ifstream in(TAPD_TEST_TAP_XML);
    EXPECT_TRUE(in) << "cannot read " << TAPD_TEST_TAP_XML;
    std::stringstream text;
    text << in.rdbuf();
    std::string xml = text.str();
    // Each property carries its EmitsChangedSignal annotation ("true" or "const").
    std::regex property(
        R"re(<property name="(\w+)" type="([^"]+)" access="read">\s*)re"
        R"re(<annotation name="org\.freedesktop\.DBus\.Property\.EmitsChangedSignal" )re"
        R"re(value="(\w+)"/>)re");
    std::vector<Declared> out;
    for (std::sregex_iterator it(xml.begin(), xml.end(), property), end; it != end; ++it)
        out.push_back({(*it)[1], (*it)[2], (*it)[3] == "true"});
    size_t declared = 0;
    for (size_t at = xml.find("<property "); at != std::string::npos;
         at = xml.find("<property ", at + 1))
        ++declared;
    EXPECT_EQ(out.size(), declared) << "a <property> of the XML is not in the form this test reads";
    return out;
}

TEST(TapProperties, AreTheXmlsPropertiesWithTheirTypesInItsOrder) {
    std::vector<Declared> listed;
    for_each_tap_property([&](const auto& p) {
        listed.push_back({std::string(p.name), std::string(p.signature), p.changes});
    });
    EXPECT_EQ(listed, from_xml());
}

TEST(TapProperties, ThatChangeAreTheOnesPropertiesChangedNames) {
    EXPECT_EQ(changing_tap_properties(),
              (std::vector<std::string>{"Addresses", "Routes", "Masquerade"}));
}

TEST(TapFields, HoldEveryPropertyOnceInTheXmlsOrder) {
    std::vector<std::string> properties, fields;
    for_each_tap_property([&](const auto& p) { properties.emplace_back(p.name); });
    TapInfo t;
    for_each_tap_field(t, [&](const auto& p, const char*, auto&) { fields.emplace_back(p.name); });
    EXPECT_EQ(fields, properties);
}

TEST(TapFields, WriteIntoTheFieldOfEachProperty) {
    TapInfo t;
    for_each_tap_field(t, [](const auto& p, const char*, auto& field) {
        if constexpr (std::is_same_v<typename std::remove_cvref_t<decltype(p)>::type, uint32_t>)
            field = static_cast<uint32_t>(p.name.size());
    });
    EXPECT_EQ(t.index, 5u);      // "Index"
    EXPECT_EQ(t.owner_uid, 8u);  // "OwnerUid"
    EXPECT_EQ(t.mtu, 3u);        // "MTU"
}

TEST(TapFields, AreNamedByTapctlsJsonKeys) {
    std::vector<std::string> keys;
    const TapInfo t;
    for_each_tap_field(t, [&](const auto&, const char* key, const auto&) { keys.push_back(key); });
    EXPECT_EQ(keys, (std::vector<std::string>{"name", "index", "owner_uid", "addresses", "routes",
                                              "masquerade", "persistent", "mtu", "mac", "kind"}));
}

}  // namespace
}  // namespace tapd
