package io.cdpkit.core.tcf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.core.CdpException;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each kind of bad TC string fails with an {@link InvalidTcStringException} naming the segment,
 * field, bit and reason, and never quoting the string.
 */
class TcStringMalformedTest {
  /** The first IAB vector: a valid core segment. */
  private static final String VALID = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";

  private static final TcString BASE = TcString.builder()
      .created(Instant.parse("2024-05-01T00:00:00Z"))
      .lastUpdated(Instant.parse("2024-05-01T00:00:00Z"))
      .cmpId(300).cmpVersion(2).consentLanguage("NL").publisherCC("NL").tcfPolicyVersion(4)
      .vendorListVersion(120).purposesConsent(IdSet.of(1, 3, 4)).build();

  /** Bits of the core segment up to the vendor consents, for hand-made vendor sections. */
  private static final int CORE_FIXED_BITS = 213;

  private static InvalidTcStringException fails(String s) {
    InvalidTcStringException e = catchThrowableOfType(InvalidTcStringException.class,
        () -> TcString.decode(s));
    assertThat(e).as("decoding must fail").isNotNull();
    assertThat(e).isInstanceOf(CdpException.class);
    if (s.length() > 4) {
      assertThat(e.getMessage()).doesNotContain(s);
    }
    return e;
  }

  private static void assertError(InvalidTcStringException e, String segment, String field,
      int bit, String reasonPart) {
    assertThat(e.segment()).isEqualTo(segment);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.bitOffset()).isEqualTo(bit);
    assertThat(e.reason()).contains(reasonPart);
  }

  /** The core up to the vendor consents, then {@code rest} (a vendor consent section ...). */
  private static TcEncoder.BitWriter core() {
    TcEncoder.BitWriter w = TcEncoder.coreUpToVendors(BASE);
    assertThat(w.length()).isEqualTo(CORE_FIXED_BITS);
    return w;
  }

  @Test
  @DisplayName("a truncated core segment names the field it ends in and where it starts")
  void truncated() {
    // 20 characters are 120 bits: up to consentLanguage (bits 108-119); vendorListVersion next.
    assertError(fails(VALID.substring(0, 20)), "core", "vendorListVersion", 120,
        "ends before this field");
    assertError(fails(VALID.substring(0, 3)), "core", "created", 6, "36 bits needed, 12 left");
  }

  @Test
  @DisplayName("a string cut inside the vendor bit field names the bit field")
  void truncatedBitField() {
    String s = core().write(500, 16).bool(false).toBase64();
    assertError(fails(s), "core", "vendorConsents.bitField", CORE_FIXED_BITS + 17,
        "500 bits needed");
  }

  @Test
  @DisplayName("a character outside base64url names its position")
  void badBase64() {
    assertError(fails(VALID.substring(0, 9) + "+" + VALID.substring(10)), "core", "", 54,
        "character 10 is not base64url");
    assertError(fails(VALID.substring(0, 9) + "/" + VALID.substring(10)), "core", "", 54,
        "not base64url");
    assertError(fails(VALID.substring(0, 9) + "=" + VALID.substring(10)), "core", "", 54,
        "'=' only as padding");
    assertError(fails(VALID + "==="), "core", "", VALID.length() * 6, "not base64url");
    assertError(fails(VALID.substring(0, 30) + "é" + VALID.substring(31)), "core", "", 180,
        "character 31");
  }

  @Test
  @DisplayName("padding is accepted at the end of a segment")
  void padding() {
    assertThat(TcString.decode(VALID + "==")).isEqualTo(TcString.decode(VALID));
    assertError(fails("=="), "core", "", -1, "no characters before padding");
  }

  @Test
  @DisplayName("a version other than 2 is refused, naming the field at bit 0")
  void wrongVersion() {
    // A TCF v1.1 consent string (version 1).
    assertError(fails("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"), "core", "version", 0,
        "must be 2");
    String v3 = "D" + VALID.substring(1); // 'D' = 000011: version 3
    assertError(fails(v3), "core", "version", 0, "must be 2");
  }

  @Test
  @DisplayName("a range entry whose end is before its start is refused")
  void rangeOutOfOrder() {
    String s = core().write(100, 16).bool(true).write(1, 12)
        .bool(true).write(50, 16).write(40, 16).toBase64();
    assertError(fails(s), "core", "vendorConsents.entries[0].endVendorId",
        CORE_FIXED_BITS + 17 + 12 + 1 + 16, "before the range's start");
  }

  @Test
  @DisplayName("range entries above maxVendorId or at 0 are refused")
  void rangeOutOfBounds() {
    String above = core().write(100, 16).bool(true).write(2, 12)
        .bool(false).write(7, 16)
        .bool(true).write(90, 16).write(101, 16).toBase64();
    assertError(fails(above), "core", "vendorConsents.entries[1].endVendorId",
        CORE_FIXED_BITS + 17 + 12 + 17 + 1 + 16, "above maxVendorId");
    String startAbove = core().write(100, 16).bool(true).write(1, 12)
        .bool(false).write(101, 16).toBase64();
    assertError(fails(startAbove), "core", "vendorConsents.entries[0].startOrOnlyVendorId",
        CORE_FIXED_BITS + 17 + 12 + 1, "above maxVendorId");
    String zero = core().write(100, 16).bool(true).write(1, 12)
        .bool(true).write(0, 16).write(5, 16).toBase64();
    assertError(fails(zero), "core", "vendorConsents.entries[0].startOrOnlyVendorId",
        CORE_FIXED_BITS + 17 + 12 + 1, "is 0");
  }

  @Test
  @DisplayName("unordered and overlapping range entries are read as their union")
  void rangesInAnyOrder() {
    String s = core().write(100, 16).bool(true).write(3, 12)
        .bool(true).write(50, 16).write(60, 16)
        .bool(false).write(3, 16)
        .bool(true).write(55, 16).write(70, 16)
        .write(0, 16).bool(false) // vendor legitimate interests: none
        .write(0, 12) // no publisher restrictions
        .toBase64();
    TcString t = TcString.decode(s);
    assertThat(t.vendorConsents().toList()).startsWith(3, 50, 51).endsWith(69, 70).hasSize(22);
  }

  @Test
  @DisplayName("publisher restrictions: purpose 0 and ranges with the end first are refused")
  void publisherRestrictions() {
    TcEncoder.BitWriter w = core().write(0, 16).bool(false).write(0, 16).bool(false);
    int at = w.length();
    String purposeZero = w.write(1, 12).write(0, 6).write(0, 2).write(0, 12).toBase64();
    assertError(fails(purposeZero), "core", "publisherRestrictions[0].purposeId", at + 12,
        "is 0");
    String backwards = core().write(0, 16).bool(false).write(0, 16).bool(false)
        .write(1, 12).write(2, 6).write(1, 2).write(1, 12)
        .bool(true).write(9, 16).write(8, 16).toBase64();
    assertError(fails(backwards), "core", "publisherRestrictions[0].entries[0].endVendorId",
        at + 12 + 8 + 12 + 1 + 16, "before the range's start");
  }

  @Test
  @DisplayName("letters outside A-Z in the consent language are refused")
  void badLetters() {
    TcEncoder.BitWriter w = new TcEncoder.BitWriter().write(2, 6).write(0, 36).write(0, 36)
        .write(0, 12).write(0, 12).write(0, 6).write(4, 6).write(30, 6);
    assertError(fails(w.toBase64()), "core", "consentLanguage", 108, "letter 2 is not A-Z");
  }

  @Test
  @DisplayName("segments: empty, unknown type, repeated type, a second core, too many")
  void segments() {
    assertError(fails(""), "", "", -1, "is empty");
    assertError(fails(VALID + "."), "", "", -1, "segment 2 is empty");
    assertError(fails("." + VALID), "", "", -1, "segment 1 is empty");
    String type5 = new TcEncoder.BitWriter().write(5, 3).write(0, 20).toBase64();
    assertError(fails(VALID + "." + type5), "segment 2", "segmentType", 0, "unknown");
    String disclosed = new TcEncoder.BitWriter().write(1, 3).write(0, 16).bool(false)
        .toBase64();
    assertThat(TcString.decode(VALID + "." + disclosed).disclosedVendors()).contains(IdSet.of());
    assertError(fails(VALID + "." + disclosed + "." + disclosed), "segment 3", "segmentType", 0,
        "came before");
    assertError(fails(VALID + "." + VALID), "segment 2", "segmentType", 0, "first segment");
    assertError(fails(VALID + ".A.A.A.A"), "", "", -1, "more than 4 segments");
    String truncatedPublisher = new TcEncoder.BitWriter().write(3, 3).write(0, 29).toBase64();
    assertError(fails(VALID + "." + truncatedPublisher), "publisherTC",
        "pubPurposesLITransparency", 27, "ends before");
  }

  @Test
  @DisplayName("a string over the length limit is refused before it is read")
  void tooLong() {
    String s = VALID + "A".repeat(TcString.MAX_LENGTH);
    assertError(fails(s), "", "", -1, "longer than 65536");
    assertThat(TcString.decode(VALID + "A".repeat(TcString.MAX_LENGTH - VALID.length())))
        .isEqualTo(TcString.decode(VALID));
  }
}
