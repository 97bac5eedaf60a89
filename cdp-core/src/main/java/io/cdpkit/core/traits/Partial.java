package io.cdpkit.core.traits;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

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
}
