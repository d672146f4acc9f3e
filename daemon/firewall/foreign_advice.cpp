// Foreign forward rules in words: the log line and the command that lets a tap's traffic through.
#include "foreign_rules.hpp"

namespace tapd::nft {

std::string describe(const ForeignDrop& d, const std::string& tap) {
    std::string who = tap.empty() ? "a masquerading tap's" : tap + "'s";
    return "table " + d.family + " " + d.table + " chain " + d.chain + " (hook forward) " +
           (d.certain ? "drops " : "may drop ") + who + " " + d.directions +
           " traffic: " + d.culprit;
}

std::string fix_for(const ForeignDrop& d, const std::string& tap, const std::string& uplink) {
    std::string t = tap.empty() ? "TAP" : tap;
    std::string u = uplink.empty() ? "UPLINK" : uplink;
    const std::string replies = " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT";
    if (d.docker_user)
        return "iptables -I DOCKER-USER -i " + t + " -j ACCEPT; iptables -I DOCKER-USER -o " + t +
               replies;
    if (d.ufw) return "ufw route allow in on " + t + " out on " + u;
    if (d.firewalld) return "firewall-cmd --zone=trusted --add-interface=" + t;
    if (d.iptables)
        return "iptables -I " + d.chain + " -i " + t + " -j ACCEPT; iptables -I " + d.chain +
               " -o " + t + replies;
    std::string at = "nft insert rule " + d.family + " " + d.table + " " + d.chain + " ";
    return at + "iifname " + t + " accept; " + at + "oifname " + t +
           " ct state established,related accept";
}

}  // namespace tapd::nft
