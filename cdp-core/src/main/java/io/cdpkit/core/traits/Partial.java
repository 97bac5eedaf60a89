package io.cdpkit.core.traits;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The part of an aggregation that some events contribute: a commutative, associative join, so
 * partials of disjoint sets of events combine in any order or grouping to the same result (and
 * the min, max, first, last and distinct ones are idempotent as well). One per {@link Aggregation}
 * kind; {@link #join} only combines partials of the same kind. Stores persist partials through
 * {@link io.cdpkit.core.spi.storage.RecordCodec}.
 *
 * <p>Immutable.
 */
public sealed interface Partial {
  /** The join of this and another partial of the same kind. */
  Partial join(Partial other);

  /** Matching events. */
  record Count(long n) implements Partial {
    @Override
    public Partial join(Partial o) {
      return new Count(Math.addExact(n, ((Count) o).n));
    }
  }

  /** Sum and number of numeric values, for {@code SUM} and {@code AVERAGE}. */
  record Sum(BigDecimal sum, long n) implements Partial {
    public Sum {
      Objects.requireNonNull(sum, "sum");
    }

    @Override
    public Partial join(Partial o) {
      Sum s = (Sum) o;
      return new Sum(sum.add(s.sum), Math.addExact(n, s.n));
    }
  }

  /** The smallest value. */
  record Min(Object value) implements Partial {
    public Min {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public Partial join(Partial o) {
      return Values.ORDER.compare(value, ((Min) o).value) <= 0 ? this : o;
    }
  }

  /** The largest value. */
  record Max(Object value) implements Partial {
    public Max {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public Partial join(Partial o) {
      return Values.ORDER.compare(value, ((Max) o).value) >= 0 ? this : o;
    }
  }

  /**
   * A value and the event it came from, for {@code FIRST} and {@code LAST}.
   *
   * @param value the value
   * @param time the event's time
   * @param messageId the event's messageId
   * @param last {@code true} to keep the latest, {@code false} the earliest
   */
  record Point(Object value, Instant time, String messageId, boolean last) implements Partial {
    static final Comparator<Point> ORDER =
        Comparator.comparing(Point::time).thenComparing(Point::messageId)
            .thenComparing(Point::value, Values.ORDER);

    public Point {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
    }

    @Override
    public Partial join(Partial o) {
      Point p = (Point) o;
      int c = ORDER.compare(this, p);
      return last == (c >= 0) ? this : p;
    }
  }

  /** How often and how lately a value was seen. */
  record Seen(long count, Instant first, Instant last) {
    public Seen {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(last, "last");
    }

    Seen plus(Seen o) {
      return new Seen(Math.addExact(count, o.count), first.isBefore(o.first) ? first : o.first,
          last.isAfter(o.last) ? last : o.last);
    }
  }

  /**
   * Each value with how often and when it was first and last seen, for {@code MOST_FREQUENT},
   * {@code DISTINCT_COUNT} and {@code UNIQUE_LIST}. Keys are {@link Values#canonical canonical}.
   */
  record Tally(Map<Object, Seen> values) implements Partial {
    public Tally {
      values = Map.copyOf(values);
    }

    @Override
    public Partial join(Partial o) {
      Map<Object, Seen> other = ((Tally) o).values;
      if (other.isEmpty()) {
        return this;
      }
      if (values.isEmpty()) {
        return o;
      }
      HashMap<Object, Seen> m = new HashMap<>(values);
      other.forEach((k, v) -> m.merge(k, v, Seen::plus));
      return new Tally(m);
    }
  }

  /**
   * A key of a {@link Timeline}: an event time and the session id the events at that time
   * carried ({@code ""} for none), with how many events and how many of them were views (page and
   * screen events).
   *
   * @param time the event time
   * @param session the session id, at most {@value Timeline#MAX_SESSION_LENGTH} characters;
   *     {@code ""} for events without one
   * @param events events at this key, at least 1
   * @param views page and screen events among them
   */
  record Hit(Instant time, String session, long events, long views) {
    /** Order of the timeline: time, then session id. */
    static final Comparator<Hit> ORDER =
        Comparator.comparing(Hit::time).thenComparing(Hit::session);

    public Hit {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(session, "session");
      if (session.length() > Timeline.MAX_SESSION_LENGTH) {
        throw new IllegalArgumentException("session id is longer than "
            + Timeline.MAX_SESSION_LENGTH + " characters");
      }
      if (events < 1 || views < 0 || views > events) {
        throw new IllegalArgumentException("a hit needs 1 or more events and 0 to events views");
      }
    }
  }

  /**
   * The latest event times of a profile, for {@code TIMELINE}: one {@link Hit} per distinct
   * (event time, session id), ascending, at most the latest {@value #MAX_HITS}. Joining sums the
   * counts of equal keys and keeps the latest {@value #MAX_HITS} keys; dropping the oldest keys
   * commutes with the join (a key among the latest of the whole is among the latest of each part
   * that holds it, with its full counts), so any grouping of the same events gives the same
   * timeline.
   *
   * @param hits the hits, strictly ascending by time then session id
   */
  record Timeline(List<Hit> hits) implements Partial {
    /** Most hits kept: the latest distinct (event time, session id) pairs. */
    public static final int MAX_HITS = 1000;
    /** Longest session id kept, in characters; longer ones are cut. */
    public static final int MAX_SESSION_LENGTH = 200;

    /**
     * Checks the order and the size.
     *
     * @throws IllegalArgumentException when the hits are not strictly ascending or too many
     */
    public Timeline {
      hits = List.copyOf(hits);
      if (hits.size() > MAX_HITS) {
        throw new IllegalArgumentException("a timeline keeps at most " + MAX_HITS + " hits");
      }
      for (int i = 1; i < hits.size(); i++) {
        if (Hit.ORDER.compare(hits.get(i - 1), hits.get(i)) >= 0) {
          throw new IllegalArgumentException("timeline hits must be strictly ascending");
        }
      }
    }

    @Override
    public Partial join(Partial o) {
      List<Hit> a = hits;
      List<Hit> b = ((Timeline) o).hits;
      if (b.isEmpty()) {
        return this;
      }
      if (a.isEmpty()) {
        return o;
      }
      // Merge from the newest end, stopping once MAX_HITS keys are taken.
      ArrayList<Hit> out = new ArrayList<>(Math.min(MAX_HITS, a.size() + b.size()));
      int i = a.size() - 1;
      int j = b.size() - 1;
      while ((i >= 0 || j >= 0) && out.size() < MAX_HITS) {
        int c = i < 0 ? -1 : j < 0 ? 1 : Hit.ORDER.compare(a.get(i), b.get(j));
        if (c > 0) {
          out.add(a.get(i--));
        } else if (c < 0) {
          out.add(b.get(j--));
        } else {
          Hit x = a.get(i--);
          Hit y = b.get(j--);
          out.add(new Hit(x.time(), x.session(), Math.addExact(x.events(), y.events()),
              Math.addExact(x.views(), y.views())));
        }
      }
      java.util.Collections.reverse(out);
      return new Timeline(out);
    }

    /** Events in the timeline. */
    public long events() {
      long n = 0;
      for (Hit h : hits) {
        n = Math.addExact(n, h.events());
      }
      return n;
    }
  }

  /**
   * The distinct values seen most recently, for {@code RECENT}: each value with the latest time
   * it was seen, at most the {@value #MAX_VALUES} latest (by time, then the smaller value under
   * {@link Values#ORDER}). The join keeps the later time of each value and then the latest
   * {@value #MAX_VALUES}; since times only grow under the join, dropping the older values
   * commutes with it, and the join is idempotent. Keys are {@link Values#canonical canonical};
   * strings are cut to {@value #MAX_VALUE_LENGTH} characters.
   *
   * @param values each value with the latest time it was seen
   */
  record Recent(Map<Object, Instant> values) implements Partial {
    /** Most values kept. */
    public static final int MAX_VALUES = 50;
    /** Longest string value kept, in characters; longer ones are cut. */
    public static final int MAX_VALUE_LENGTH = 200;

    /** Newest first: later time, then the smaller value. */
    static final Comparator<Map.Entry<Object, Instant>> NEWEST_FIRST =
        Map.Entry.<Object, Instant>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey(Values.ORDER));

    /**
     * Copies the values.
     *
     * @throws IllegalArgumentException when there are more than {@value #MAX_VALUES}
     */
    public Recent {
      values = Map.copyOf(values);
      if (values.size() > MAX_VALUES) {
        throw new IllegalArgumentException("recent values keep at most " + MAX_VALUES);
      }
    }

    /** The latest {@value #MAX_VALUES} of some values and times. */
    static Recent latest(Map<Object, Instant> values) {
      if (values.size() <= MAX_VALUES) {
        return new Recent(values);
      }
      List<Map.Entry<Object, Instant>> l = new ArrayList<>(values.entrySet());
      l.sort(NEWEST_FIRST);
      Map<Object, Instant> m = new HashMap<>();
      for (Map.Entry<Object, Instant> e : l.subList(0, MAX_VALUES)) {
        m.put(e.getKey(), e.getValue());
      }
      return new Recent(m);
    }

    /** The values, newest first. */
    public List<Object> newestFirst() {
      List<Map.Entry<Object, Instant>> l = new ArrayList<>(values.entrySet());
      l.sort(NEWEST_FIRST);
      List<Object> out = new ArrayList<>(l.size());
      for (Map.Entry<Object, Instant> e : l) {
        out.add(e.getKey());
      }
      return List.copyOf(out);
    }

    @Override
    public Partial join(Partial o) {
      Map<Object, Instant> other = ((Recent) o).values;
      if (other.isEmpty()) {
        return this;
      }
      if (values.isEmpty()) {
        return o;
      }
      HashMap<Object, Instant> m = new HashMap<>(values);
      other.forEach((k, v) -> m.merge(k, v, (x, y) -> x.isAfter(y) ? x : y));
      return latest(m);
    }
  }

  /** What a loyalty ledger entry does to a program's points (see {@link LoyaltyTraits}). */
  enum LedgerKind {
    /** {@code Loyalty Points Earned}: a credit that counts as earned. */
    EARNED,
    /** {@code Loyalty Points Redeemed}: a debit. */
    REDEEMED,
    /** {@code Loyalty Points Expired}: a debit that first settles points already lapsed. */
    EXPIRED,
    /** {@code Loyalty Points Adjusted}: a credit when positive, a debit when negative. */
    ADJUSTED
  }

  /**
   * One loyalty event in a {@link Ledger}.
   *
   * @param time the event's time
   * @param messageId the event's messageId (the entry's identity)
   * @param program the program, stripped and lower-cased
   * @param kind what the event does
   * @param points the points as sent: at least 0, except for {@code ADJUSTED}, which may be
   *     negative
   * @param expiresAt the event's {@code expires_at}, or {@code null}
   */
  record LedgerEntry(Instant time, String messageId, String program, LedgerKind kind,
      long points, @Nullable Instant expiresAt) {
    /** Event time, then messageId: the order a ledger is replayed in. */
    static final Comparator<LedgerEntry> ORDER = Comparator.comparing(LedgerEntry::time)
        .thenComparing(LedgerEntry::messageId);
    /** A total order over all components, to pick one entry of two with the same messageId. */
    private static final Comparator<LedgerEntry> TOTAL = ORDER
        .thenComparing(LedgerEntry::program).thenComparing(LedgerEntry::kind)
        .thenComparingLong(LedgerEntry::points)
        .thenComparing(LedgerEntry::expiresAt, Comparator.nullsFirst(Comparator.naturalOrder()));

    public LedgerEntry {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(program, "program");
      Objects.requireNonNull(kind, "kind");
      if (points < 0 && kind != LedgerKind.ADJUSTED) {
        throw new IllegalArgumentException("points of a " + kind + " entry must not be negative");
      }
    }
  }

  /**
   * The loyalty events of a profile, one entry per messageId, ordered by event time then
   * messageId, for {@code LEDGER}. The join is the union (idempotent); should two entries ever
   * share a messageId, the greater under a total order of their components is kept, so the join
   * stays commutative. Its size grows with the profile's loyalty events (one entry each).
   */
  record Ledger(List<LedgerEntry> entries) implements Partial {
    /**
     * @throws IllegalArgumentException when the entries are not strictly ascending by event time
     *     then messageId, or repeat a messageId
     */
    public Ledger {
      entries = List.copyOf(entries);
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0 && LedgerEntry.ORDER.compare(entries.get(i - 1), entries.get(i)) >= 0) {
          throw new IllegalArgumentException("ledger entries must be ascending by time and"
              + " messageId");
        }
        if (!ids.add(entries.get(i).messageId())) {
          throw new IllegalArgumentException("ledger entries must not repeat a messageId");
        }
      }
    }

    /** A ledger of one entry. */
    public static Ledger of(LedgerEntry entry) {
      return new Ledger(List.of(entry));
    }

    @Override
    public Partial join(Partial o) {
      List<LedgerEntry> other = ((Ledger) o).entries;
      if (other.isEmpty() || other.equals(entries)) {
        return this;
      }
      if (entries.isEmpty()) {
        return o;
      }
      Map<String, LedgerEntry> byId = new HashMap<>();
      for (List<LedgerEntry> l : List.of(entries, other)) {
        for (LedgerEntry e : l) {
          byId.merge(e.messageId(), e,
              (a, b) -> LedgerEntry.TOTAL.compare(a, b) >= 0 ? a : b);
        }
      }
      List<LedgerEntry> all = new ArrayList<>(byId.values());
      all.sort(LedgerEntry.ORDER);
      // Two entries with distinct messageIds never compare equal under ORDER.
      return new Ledger(all);
    }
  }
}
