package org.brokkr.codecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PakTest {
  private static final String REFERENCE_PAK = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";
  private static final String REFERENCE_HASH = "4c697273df3d764cba950bb5c04368097685f09259f5bd880d892cf1ff9f4cdd";
  private static final String BASE58 = "[1-9A-HJ-NP-Za-km-z]";

  @Test
  void referenceVectorHashesTheLongTokenOnly() {
    assertEquals(REFERENCE_HASH, Pak.hashLongToken("GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8"));
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented(REFERENCE_PAK));
  }

  @Test
  void aForeignPrefixOrAGarbageShortTokenIsRefused() {
    String longToken = "GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";
    assertTrue(Pak.hashOfPresented("a_b_" + longToken).isEmpty(), "foreign prefix and short token");
    assertTrue(Pak.hashOfPresented("acme_BR3rVsDa_" + longToken).isEmpty(), "foreign prefix");
    assertTrue(Pak.hashOfPresented("brokkr_XX3rVsDa_" + longToken).isEmpty(), "short token without its prefix");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVs_" + longToken).isEmpty(), "short token too short");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVsDaX_" + longToken).isEmpty(), "short token too long");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVs0a_" + longToken).isEmpty(), "0 is not base58");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U0").isEmpty(), "long token not base58");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVsDa_" + "z".repeat(177)).isEmpty(), "long token too long");
  }

  @Test
  void theConfiguredFormatDecides() {
    Pak.Format acme = new Pak.Format("acme", "XY", 10, 32);
    Pak.Minted minted = Pak.mint(acme);
    assertEquals(Optional.of(minted.hash()), Pak.hashOfPresented(minted.pak(), acme));
    assertTrue(Pak.hashOfPresented(minted.pak()).isEmpty(), "the default format refuses another format's key");
    assertTrue(Pak.hashOfPresented(REFERENCE_PAK, acme).isEmpty());
  }

  @Test
  void acceptsBearerInAnyCaseAndTheBareForm() {
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented("Bearer " + REFERENCE_PAK));
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented("bearer " + REFERENCE_PAK));
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented("BEARER " + REFERENCE_PAK));
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented("Bearer   " + REFERENCE_PAK + "  "));
    assertEquals(Optional.of(REFERENCE_HASH), Pak.hashOfPresented("  " + REFERENCE_PAK));
  }

  @Test
  void otherSchemesAndDecorationsAreRefused() {
    for (String scheme : new String[] {"Basic", "Token", "Bearer:", "ApiKey", "Bearerx"}) {
      assertTrue(Pak.hashOfPresented(scheme + " " + REFERENCE_PAK).isEmpty(), scheme);
    }
    assertTrue(Pak.hashOfPresented("Bearer " + REFERENCE_PAK + " extra").isEmpty());
    assertTrue(Pak.hashOfPresented("Bearer Bearer " + REFERENCE_PAK).isEmpty());
    assertTrue(Pak.hashOfPresented("Bearer: " + REFERENCE_PAK.replace("_", "-")).isEmpty());
  }

  @Test
  void requiresExactlyThreeParts() {
    assertTrue(Pak.hashOfPresented(null).isEmpty());
    assertTrue(Pak.hashOfPresented("").isEmpty());
    assertTrue(Pak.hashOfPresented("Bearer x").isEmpty());
    assertTrue(Pak.hashOfPresented("Bearer ").isEmpty());
    assertTrue(Pak.hashOfPresented("garbage").isEmpty());
    assertTrue(Pak.hashOfPresented("brokkr_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8").isEmpty(), "two parts");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVsDa_GK3QN7_CDUz").isEmpty(), "four parts");
    assertTrue(Pak.hashOfPresented("brokkr_BR3rVsDa_").isEmpty(), "empty long token");
  }

  @Test
  void mintedPaksHaveTheReferenceShapeAndVerify() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Pak.Minted minted = Pak.mint(Pak.Format.DEFAULT);
      String pak = minted.pak();
      assertTrue(pak.matches("brokkr_BR" + BASE58 + "{6}_" + BASE58 + "{30,34}"), pak);
      String[] parts = pak.split("_");
      assertEquals(3, parts.length);
      assertEquals(8, parts[1].length(), "short token is truncated to 8 characters");
      assertTrue(Pak.isHashShaped(minted.hash()));
      assertEquals(minted.hash(), minted.hash().toLowerCase(), "hash is lower-case hex");
      assertEquals(Pak.sha256Hex(parts[2]), minted.hash());
      assertEquals(Optional.of(minted.hash()), Pak.hashOfPresented("Bearer " + pak));
      assertTrue(seen.add(pak), "minted PAKs are unique");
    }
  }

  @Test
  void mintFollowsAConfiguredFormat() {
    Pak.Minted minted = Pak.mint(new Pak.Format("acme", "XY", 10, 32));
    String[] parts = minted.pak().split("_");
    assertEquals("acme", parts[0]);
    assertTrue(parts[1].matches("XY" + BASE58 + "{8}"), parts[1]);
    assertTrue(parts[2].length() >= 40, "32 random bytes encode to about 43 base58 characters: " + parts[2]);
    for (int length = 1; length <= 12; length++) {
      Pak.Format format = new Pak.Format("p", "LONGPREFIX", length, 16);
      Pak.Minted tiny = Pak.mint(format);
      assertEquals(Optional.of(tiny.hash()), Pak.hashOfPresented(tiny.pak(), format), tiny.pak());
    }
  }

  @Test
  void base58KeepsLeadingZeroBytesAsOnes() {
    assertEquals("1", Pak.base58(new byte[] {0}));
    assertEquals("11", Pak.base58(new byte[] {0, 0}));
    assertEquals("2", Pak.base58(new byte[] {1}));
    assertEquals("z", Pak.base58(new byte[] {57}));
    assertEquals("21", Pak.base58(new byte[] {58}));
  }

  @Test
  void sameHashComparesExactly() {
    assertTrue(Pak.sameHash(REFERENCE_HASH, REFERENCE_HASH));
    assertFalse(Pak.sameHash(REFERENCE_HASH, REFERENCE_HASH.replace('4', '5')));
    assertFalse(Pak.sameHash(null, REFERENCE_HASH));
    assertFalse(Pak.sameHash(REFERENCE_HASH, null));
    assertNotEquals(REFERENCE_HASH, Pak.sha256Hex("GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U9"));
  }

  @Test
  void hashShapeIs64HexCharacters() {
    assertTrue(Pak.isHashShaped(REFERENCE_HASH));
    assertTrue(Pak.isHashShaped(REFERENCE_HASH.toUpperCase()));
    assertFalse(Pak.isHashShaped(REFERENCE_HASH.substring(1)));
    assertFalse(Pak.isHashShaped(REFERENCE_HASH.replace('4', 'g')));
    assertFalse(Pak.isHashShaped(null));
  }
}
