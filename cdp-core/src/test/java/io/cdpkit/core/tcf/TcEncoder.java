package io.cdpkit.core.tcf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A TC string v2 encoder for tests, written from the specification's field tables and not from
 * the decoder: it chooses at random between bit field and range encodings, splits and shuffles
 * range entries, puts the optional segments in random order and pads them in the ways encoders
 * do, so that the decoder meets every shape a valid string can take.
 *
 * <p>Not thread-safe (the {@link Random} it is given).
 */
final class TcEncoder {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  private final Random rnd;

  TcEncoder(Random rnd) {
    this.rnd = rnd;
  }

  /** A valid encoding of {@code t}; with the same random choices, always the same. */
  String encode(TcString t) {
    List<String> optional = new ArrayList<>();
    t.disclosedVendors().ifPresent(ids -> {
      BitWriter w = new BitWriter().write(1, 3);
      vendors(w, ids);
      optional.add(w.toBase64(rnd));
    });
    t.allowedVendors().ifPresent(ids -> {
      BitWriter w = new BitWriter().write(2, 3);
      vendors(w, ids);
      optional.add(w.toBase64(rnd));
    });
    t.publisherTc().ifPresent(p -> {
      BitWriter w = new BitWriter().write(3, 3);
      w.ids(p.pubPurposesConsent(), 24).ids(p.pubPurposesLITransparency(), 24);
      w.write(p.numCustomPurposes(), 6);
      w.ids(p.customPurposesConsent(), p.numCustomPurposes());
      w.ids(p.customPurposesLITransparency(), p.numCustomPurposes());
      optional.add(w.toBase64(rnd));
    });
    Collections.shuffle(optional, rnd);
    BitWriter core = coreUpToVendors(t);
    vendors(core, t.vendorConsents());
    vendors(core, t.vendorLegitimateInterests());
    core.write(t.publisherRestrictions().size(), 12);
    for (PublisherRestriction r : t.publisherRestrictions()) {
      core.write(r.purposeId(), 6).write(r.type().code(), 2);
      rangeEntries(core, r.vendors());
    }
    StringBuilder sb = new StringBuilder(core.toBase64(rnd));
    for (String s : optional) {
      sb.append('.').append(s);
    }
    return sb.toString();
  }

  /** The core segment's fields from the version up to, not including, the vendor consents. */
  static BitWriter coreUpToVendors(TcString t) {
    BitWriter w = new BitWriter();
    w.write(2, 6);
    w.write(t.created().toEpochMilli() / 100, 36);
    w.write(t.lastUpdated().toEpochMilli() / 100, 36);
    w.write(t.cmpId(), 12).write(t.cmpVersion(), 12).write(t.consentScreen(), 6);
    w.letters(t.consentLanguage());
    w.write(t.vendorListVersion(), 12).write(t.tcfPolicyVersion(), 6);
    w.bool(t.isServiceSpecific()).bool(t.useNonStandardStacks());
    w.ids(t.specialFeatureOptIns(), 12);
    w.ids(t.purposesConsent(), 24).ids(t.purposesLITransparency(), 24);
    w.bool(t.purposeOneTreatment());
    w.letters(t.publisherCC());
    return w;
  }

  /** {@code maxVendorId} (at least the largest id, sometimes more), then bits or ranges. */
  private void vendors(BitWriter w, IdSet ids) {
    int max = ids.max();
    if (rnd.nextInt(4) == 0) {
      max = Math.min(IdSet.MAX_ID, max + rnd.nextInt(40));
    }
    w.write(max, 16);
    boolean ranges = rnd.nextBoolean();
    w.bool(ranges);
    if (ranges) {
      rangeEntries(w, ids, max);
    } else {
      w.ids(ids, max);
    }
  }

  private void rangeEntries(BitWriter w, IdSet ids) {
    rangeEntries(w, ids, IdSet.MAX_ID);
  }

  /** Maximal runs, some split in two, in shuffled order; one id alone as a single entry. */
  private void rangeEntries(BitWriter w, IdSet ids, int max) {
    List<int[]> runs = new ArrayList<>();
    int[] all = ids.stream().toArray();
    int i = 0;
    while (i < all.length) {
      int j = i;
      while (j + 1 < all.length && all[j + 1] == all[j] + 1) {
        j++;
      }
      int start = all[i];
      int end = all[j];
      if (end > start && rnd.nextInt(3) == 0) {
        int cut = start + rnd.nextInt(end - start);
        runs.add(new int[] {start, cut});
        runs.add(new int[] {cut + 1, end});
      } else {
        runs.add(new int[] {start, end});
      }
      i = j + 1;
    }
    Collections.shuffle(runs, rnd);
    w.write(runs.size(), 12);
    for (int[] run : runs) {
      boolean single = run[0] == run[1] && rnd.nextBoolean();
      w.bool(!single).write(run[0], 16);
      if (!single) {
        w.write(run[1], 16);
      }
    }
  }

  /** Bits, most significant first. Not thread-safe. */
  static final class BitWriter {
    private final StringBuilder bits = new StringBuilder();

    BitWriter write(long value, int n) {
      if (value < 0 || (n < 63 && value >= 1L << n)) {
        throw new IllegalArgumentException(value + " does not fit " + n + " bits");
      }
      for (int i = n - 1; i >= 0; i--) {
        bits.append((value >> i & 1) == 1 ? '1' : '0');
      }
      return this;
    }

    BitWriter bool(boolean b) {
      return write(b ? 1 : 0, 1);
    }

    BitWriter letters(String two) {
      return write(two.charAt(0) - 'A', 6).write(two.charAt(1) - 'A', 6);
    }

    /** {@code n} bits, bit {@code i} for id {@code i + 1}. */
    BitWriter ids(IdSet ids, int n) {
      for (int id = 1; id <= n; id++) {
        bool(ids.contains(id));
      }
      return this;
    }

    int length() {
      return bits.length();
    }

    /** Zero-padded to whole characters, sometimes to whole bytes, sometimes with '='. */
    String toBase64(Random rnd) {
      StringBuilder b = new StringBuilder(bits);
      int pad = rnd.nextInt(3);
      if (pad == 1) {
        while (b.length() % 8 != 0) {
          b.append('0');
        }
      }
      return toBase64(b.toString(), pad == 2 ? "=" : "");
    }

    /** Exactly these bits, zero-padded to whole characters. */
    String toBase64() {
      return toBase64(bits.toString(), "");
    }

    private static String toBase64(String b, String suffix) {
      StringBuilder padded = new StringBuilder(b);
      while (padded.length() % 6 != 0) {
        padded.append('0');
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < padded.length(); i += 6) {
        out.append(ALPHABET.charAt(Integer.parseInt(padded.substring(i, i + 6), 2)));
      }
      return out.append(suffix).toString();
    }
  }
}
