package io.cdpkit.segmentation.internal;

import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.segmentation.SegmentDay;
import io.cdpkit.segmentation.SegmentEvent;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per segment and UTC day, the number of entries and exits, kept as core metadata records
 * ({@code segment-history/<segment>/<yyyy-MM-dd>} = {@code <entries>,<exits>}) written in the
 * transaction that changes the memberships, so every store that keeps metadata keeps them and
 * they commit or roll back with the change. Counts only: no profile id is written.
 *
 * <p>Retention: {@link #RETENTION_DAYS} days. The first write of a segment's day deletes its
 * records older than that; deleting a segment deletes all of its records; reads never report a
 * day older than the retention before the day asked up to.
 *
 * <p>Stateless, thread-safe; the storage passed in is the transaction's.
 */
public final class SegmentHistory {
  /** Prefix of the metadata keys. */
  static final String KEY = "segment-history/";
  /** Days a segment's history is kept. */
  public static final int RETENTION_DAYS = 400;

  private SegmentHistory() {}

  /** A segment's day: one record. */
  private record Day(String segment, LocalDate day) implements Comparable<Day> {
    @Override
    public int compareTo(Day o) {
      int c = segment.compareTo(o.segment);
      return c != 0 ? c : day.compareTo(o.day);
    }
  }

  /**
   * Adds the entries and exits of {@code events} to their segments' days. The first write of a
   * segment's day (its record is new) also deletes the segment's records older than the
   * retention, so a segment keeps at most {@link #RETENTION_DAYS} records however its days of
   * change fall: one scan of its records per segment and day.
   */
  static void record(MetadataStorage md, List<SegmentEvent> events) {
    Map<Day, long[]> counts = new TreeMap<>();
    for (SegmentEvent e : events) {
      Day d = new Day(e.segment(), LocalDate.ofInstant(e.at(), ZoneOffset.UTC));
      counts.computeIfAbsent(d, k -> new long[2])[
          e.kind() == SegmentEvent.Kind.ENTERED ? 0 : 1]++;
    }
    for (Map.Entry<Day, long[]> c : counts.entrySet()) {
      Day d = c.getKey();
      String key = key(d.segment(), d.day());
      String stored = md.metadata(key).get(key);
      long[] old = parse(stored);
      md.putMetadata(key, (old[0] + c.getValue()[0]) + "," + (old[1] + c.getValue()[1]));
      if (stored == null) {
        String oldest = key(d.segment(), d.day().minusDays(RETENTION_DAYS - 1));
        for (String k : md.metadata(KEY + d.segment() + "/").keySet()) {
          if (k.compareTo(oldest) < 0) {
            md.deleteMetadata(k);
          }
        }
      }
    }
  }

  /** Deletes every record of a segment. */
  static void delete(MetadataStorage md, String segment) {
    for (String key : md.metadata(KEY + segment + "/").keySet()) {
      md.deleteMetadata(key);
    }
  }

  /**
   * Each day from {@code from} to {@code to} (both included), days without a record as zeros.
   */
  static List<SegmentDay> read(ReadTransaction tx, String segment, LocalDate from,
      LocalDate to) {
    Map<String, String> stored = tx.require(MetadataStorage.class)
        .metadata(KEY + segment + "/");
    LocalDate oldest = to.minusDays(RETENTION_DAYS - 1);
    List<SegmentDay> out = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      long[] c = d.isBefore(oldest) ? new long[2] : parse(stored.get(key(segment, d)));
      out.add(new SegmentDay(d, c[0], c[1]));
    }
    return out;
  }

  static String key(String segment, LocalDate day) {
    return KEY + segment + "/" + day;
  }

  private static long[] parse(String value) {
    if (value == null) {
      return new long[2];
    }
    int comma = value.indexOf(',');
    return new long[] {Long.parseLong(value.substring(0, comma)),
        Long.parseLong(value.substring(comma + 1))};
  }
}
