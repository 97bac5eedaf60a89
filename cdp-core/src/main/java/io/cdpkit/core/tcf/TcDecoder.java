package io.cdpkit.core.tcf;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Reads TC strings v2 into {@link TcString}s; see {@link TcString} for the rules. Every read is
 * bounds-checked against the segment's bits, so bad input ends in an
 * {@link InvalidTcStringException} and never in an index error. Work is linear in the string's
 * length (a range entry sets its ids as one range, whatever its width).
 *
 * <p>Stateless.
 */
final class TcDecoder {
  static final String CORE = "core";
  static final String DISCLOSED_VENDORS = "disclosedVendors";
  static final String ALLOWED_VENDORS = "allowedVendors";
  static final String PUBLISHER_TC = "publisherTC";

  /** The core segment and one of each optional type. */
  private static final int MAX_SEGMENTS = 4;

  private TcDecoder() {}

  static TcString decode(String s) {
    if (s.isEmpty()) {
      throw new InvalidTcStringException("", "", -1, "is empty");
    }
    if (s.length() > TcString.MAX_LENGTH) {
      throw new InvalidTcStringException(
          "", "", -1, "is longer than " + TcString.MAX_LENGTH + " characters");
    }
    List<String> parts = split(s);
    if (parts.size() > MAX_SEGMENTS) {
      throw new InvalidTcStringException(
          "", "", -1, "has more than " + MAX_SEGMENTS + " segments");
    }
    TcString.Builder b = TcString.builder();
    readCore(new BitReader(parts.get(0), CORE), b);
    boolean[] seen = new boolean[4];
    for (int i = 1; i < parts.size(); i++) {
      BitReader r = new BitReader(parts.get(i), "segment " + (i + 1));
      int type = (int) r.read(3, "segmentType");
      if (type == 0 || type > 3) {
        throw new InvalidTcStringException(r.segment, "segmentType", 0, type == 0
            ? "type 0 (core) may only be the first segment"
            : "unknown segment type (1 to 3 are defined)");
      }
      if (seen[type]) {
        throw new InvalidTcStringException(r.segment, "segmentType", 0,
            "a segment of this type came before");
      }
      seen[type] = true;
      if (type == 1) {
        r.segment = DISCLOSED_VENDORS;
        b.disclosedVendors(readVendors(r, ""));
      } else if (type == 2) {
        r.segment = ALLOWED_VENDORS;
        b.allowedVendors(readVendors(r, ""));
      } else {
        r.segment = PUBLISHER_TC;
        b.publisherTc(readPublisherTc(r));
      }
    }
    return b.build();
  }

  private static List<String> split(String s) {
    List<String> parts = new ArrayList<>(MAX_SEGMENTS);
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '.') {
        if (i == start) {
          throw new InvalidTcStringException("", "", -1,
              "segment " + (parts.size() + 1) + " is empty");
        }
        parts.add(s.substring(start, i));
        if (parts.size() > MAX_SEGMENTS) {
          return parts;
        }
        start = i + 1;
      }
    }
    return parts;
  }

  private static void readCore(BitReader r, TcString.Builder b) {
    int version = (int) r.read(6, "version");
    if (version != TcString.VERSION) {
      throw new InvalidTcStringException(CORE, "version", 0,
          "must be " + TcString.VERSION + " (only TC strings v2 are decoded)");
    }
    b.created(r.instant("created"));
    b.lastUpdated(r.instant("lastUpdated"));
    b.cmpId((int) r.read(12, "cmpId"));
    b.cmpVersion((int) r.read(12, "cmpVersion"));
    b.consentScreen((int) r.read(6, "consentScreen"));
    b.consentLanguage(r.letters("consentLanguage"));
    b.vendorListVersion((int) r.read(12, "vendorListVersion"));
    b.tcfPolicyVersion((int) r.read(6, "tcfPolicyVersion"));
    b.isServiceSpecific(r.bool("isServiceSpecific"));
    b.useNonStandardStacks(r.bool("useNonStandardStacks"));
    b.specialFeatureOptIns(r.idBits(TcString.SPECIAL_FEATURES, "specialFeatureOptIns"));
    b.purposesConsent(r.idBits(TcString.PURPOSES, "purposesConsent"));
    b.purposesLITransparency(r.idBits(TcString.PURPOSES, "purposesLITransparency"));
    b.purposeOneTreatment(r.bool("purposeOneTreatment"));
    b.publisherCC(r.letters("publisherCC"));
    b.vendorConsents(readVendors(r, "vendorConsents."));
    b.vendorLegitimateInterests(readVendors(r, "vendorLegitimateInterests."));
    int n = (int) r.read(12, "publisherRestrictions.numPubRestrictions");
    for (int i = 0; i < n; i++) {
      String prefix = "publisherRestrictions[" + i + "].";
      int at = r.pos;
      int purposeId = (int) r.read(6, prefix + "purposeId");
      if (purposeId == 0) {
        throw new InvalidTcStringException(CORE, prefix + "purposeId", at,
            "is 0; purposes start at 1");
      }
      PublisherRestriction.Type type =
          PublisherRestriction.Type.ofCode((int) r.read(2, prefix + "restrictionType"));
      IdSet vendors = readRanges(r, prefix, IdSet.MAX_ID, "65535");
      b.publisherRestriction(new PublisherRestriction(purposeId, type, vendors));
    }
  }

  /**
   * A vendor set: {@code maxVendorId}, {@code isRangeEncoding}, then a bit field of
   * {@code maxVendorId} bits or range entries bounded by {@code maxVendorId}.
   */
  private static IdSet readVendors(BitReader r, String prefix) {
    int max = (int) r.read(16, prefix + "maxVendorId");
    boolean ranges = r.bool(prefix + "isRangeEncoding");
    if (ranges) {
      return readRanges(r, prefix, max, "maxVendorId");
    }
    return r.idBits(max, prefix + "bitField");
  }

  private static IdSet readRanges(BitReader r, String prefix, int max, String maxName) {
    int n = (int) r.read(12, prefix + "numEntries");
    BitSet ids = new BitSet();
    for (int i = 0; i < n; i++) {
      String entry = prefix + "entries[" + i + "].";
      boolean isRange = r.bool(entry + "isARange");
      int startAt = r.pos;
      int start = (int) r.read(16, entry + "startOrOnlyVendorId");
      if (start == 0) {
        throw new InvalidTcStringException(r.segment, entry + "startOrOnlyVendorId", startAt,
            "is 0; vendor ids start at 1");
      }
      if (start > max) {
        throw new InvalidTcStringException(r.segment, entry + "startOrOnlyVendorId", startAt,
            "is above " + maxName);
      }
      int end = start;
      if (isRange) {
        int endAt = r.pos;
        end = (int) r.read(16, entry + "endVendorId");
        if (end < start) {
          throw new InvalidTcStringException(r.segment, entry + "endVendorId", endAt,
              "is before the range's start");
        }
        if (end > max) {
          throw new InvalidTcStringException(r.segment, entry + "endVendorId", endAt,
              "is above " + maxName);
        }
      }
      ids.set(start, end + 1);
    }
    return IdSet.owning(ids);
  }

  private static PublisherTc readPublisherTc(BitReader r) {
    IdSet consent = r.idBits(TcString.PURPOSES, "pubPurposesConsent");
    IdSet li = r.idBits(TcString.PURPOSES, "pubPurposesLITransparency");
    int n = (int) r.read(6, "numCustomPurposes");
    IdSet customConsent = r.idBits(n, "customPurposesConsent");
    IdSet customLi = r.idBits(n, "customPurposesLITransparency");
    return new PublisherTc(consent, li, n, customConsent, customLi);
  }

  /** Reads a base64url segment bit by bit, checking every read against its end. */
  static final class BitReader {
    private final byte[] sixes;
    private final int bits;
    String segment;
    int pos;

    BitReader(String text, String segment) {
      this.segment = segment;
      int end = text.length();
      // Up to two '=' of padding at the end are ignored.
      for (int k = 0; k < 2 && end > 0 && text.charAt(end - 1) == '='; k++) {
        end--;
      }
      if (end == 0) {
        throw new InvalidTcStringException(segment, "", -1, "has no characters before padding");
      }
      sixes = new byte[end];
      for (int i = 0; i < end; i++) {
        int v = value(text.charAt(i));
        if (v < 0) {
          throw new InvalidTcStringException(segment, "", i * 6,
              "character " + (i + 1) + " is not base64url (A-Z a-z 0-9 - _, '=' only as "
                  + "padding at the end)");
        }
        sixes[i] = (byte) v;
      }
      bits = end * 6;
    }

    private static int value(char c) {
      if (c >= 'A' && c <= 'Z') {
        return c - 'A';
      }
      if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
      }
      if (c >= '0' && c <= '9') {
        return c - '0' + 52;
      }
      if (c == '-') {
        return 62;
      }
      if (c == '_') {
        return 63;
      }
      return -1;
    }

    private void need(int n, String field) {
      if (n > bits - pos) {
        throw new InvalidTcStringException(segment, field, pos,
            "the segment ends before this field (" + n + " bits needed, " + (bits - pos)
                + " left)");
      }
    }

    private boolean bit(int i) {
      return ((sixes[i / 6] >> (5 - i % 6)) & 1) != 0;
    }

    /** An unsigned integer of {@code n} bits, {@code n <= 62}. */
    long read(int n, String field) {
      need(n, field);
      long v = 0;
      for (int i = 0; i < n; i++) {
        v = (v << 1) | (bit(pos + i) ? 1 : 0);
      }
      pos += n;
      return v;
    }

    boolean bool(String field) {
      return read(1, field) == 1;
    }

    Instant instant(String field) {
      return Instant.ofEpochMilli(read(36, field) * 100);
    }

    String letters(String field) {
      int at = pos;
      need(12, field);
      char[] out = new char[2];
      for (int i = 0; i < 2; i++) {
        int v = (int) read(6, field);
        if (v > 25) {
          throw new InvalidTcStringException(segment, field, at, "letter " + (i + 1)
              + " is not A-Z (6-bit values 0 to 25)");
        }
        out[i] = (char) ('A' + v);
      }
      return new String(out);
    }

    /** {@code n} bits, bit {@code i} (from 0) standing for id {@code i + 1}. */
    IdSet idBits(int n, String field) {
      need(n, field);
      BitSet ids = new BitSet(n + 1);
      for (int i = 0; i < n; i++) {
        if (bit(pos + i)) {
          ids.set(i + 1);
        }
      }
      pos += n;
      return IdSet.owning(ids);
    }
  }
}
