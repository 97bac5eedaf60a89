package io.cdpkit.segmentation;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.segmentation.internal.Engine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * The members of some segments at one instant, from a batch evaluation: a compressed bitmap per
 * segment over the profiles read, so counts and overlaps cost little.
 *
 * <p>Immutable.
 */
public final class SegmentSnapshot {
  private final Engine.BatchResult result;

  SegmentSnapshot(Engine.BatchResult result) {
    this.result = result;
  }

  /** The instant the segments were evaluated at. */
  public Instant at() {
    return result.at();
  }

  /** How many profiles were evaluated. */
  public int profiles() {
    return result.profiles().length;
  }

  /** The segments evaluated. */
  public Set<String> segments() {
    return result.bitmaps().keySet();
  }

  /** Members of a segment. */
  public long count(String segment) {
    return bitmap(segment).getLongCardinality();
  }

  /** Profiles in both segments. */
  public long overlap(String a, String b) {
    return RoaringBitmap.andCardinality(bitmap(a), bitmap(b));
  }

  /** Whether a profile was a member. */
  public boolean contains(String segment, ProfileId profile) {
    RoaringBitmap m = bitmap(segment);
    ProfileId[] ids = result.profiles();
    int i = java.util.Arrays.binarySearch(ids, profile,
        (x, y) -> x.value().compareTo(y.value()));
    return i >= 0 && m.contains(i);
  }

  /** The members of a segment, in id order. */
  public List<ProfileId> members(String segment) {
    RoaringBitmap m = bitmap(segment);
    List<ProfileId> out = new ArrayList<>(m.getCardinality());
    ProfileId[] ids = result.profiles();
    m.forEach((int i) -> out.add(ids[i]));
    return out;
  }

  /** Bytes the bitmaps take in memory. */
  public long sizeInBytes() {
    long n = 0;
    for (RoaringBitmap m : result.bitmaps().values()) {
      n += m.getLongSizeInBytes();
    }
    return n;
  }

  private RoaringBitmap bitmap(String segment) {
    RoaringBitmap m = result.bitmaps().get(segment);
    if (m == null) {
      throw new IllegalArgumentException("segment " + segment + " was not evaluated");
    }
    return m;
  }
}
