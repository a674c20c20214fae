package org.brokkr.broker.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void ipv4NetworksAndSingleAddresses() {
    Cidr net = Cidr.parse("10.0.0.0/8");
    assertTrue(net.contains(Cidr.literal("10.255.1.2")));
    assertFalse(net.contains(Cidr.literal("11.0.0.1")));
    assertTrue(Cidr.parse("192.168.1.7").contains(Cidr.literal("192.168.1.7")));
    assertFalse(Cidr.parse("192.168.1.7").contains(Cidr.literal("192.168.1.8")));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("203.0.113.9")));
    assertTrue(Cidr.parse("10.1.2.3/8").contains(Cidr.literal("10.9.9.9")), "host bits of the network are ignored");
  }

  @Test
  void ipv6AndIpv4MappedAddresses() {
    Cidr net = Cidr.parse("fd00::/8");
    assertTrue(net.contains(Cidr.literal("fd12:3456::1")));
    assertFalse(net.contains(Cidr.literal("fe80::1")));
    assertTrue(Cidr.parse("127.0.0.1/32").contains(Cidr.literal("::ffff:127.0.0.1")), "a mapped peer matches its IPv4 network");
    assertTrue(Cidr.parse("::1").contains(Cidr.literal("[::1]")));
    assertFalse(Cidr.parse("::/0").contains(Cidr.literal("10.0.0.1")), "families never mix");
  }

  @Test
  void namesAndGarbageAreNotAddresses() {
    assertNull(Cidr.literal("localhost"));
    assertNull(Cidr.literal("10.0.0.1:8080"));
    assertNull(Cidr.literal(""));
    assertNull(Cidr.literal("1".repeat(100)));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/-1"));
  }
}
