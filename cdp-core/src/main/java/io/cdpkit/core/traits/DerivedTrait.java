package io.cdpkit.core.traits;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A computed trait that is a function of the profile's state, other computed traits and the
 * current instant, rather than an aggregation of events: days since the last order, a churn-risk
 * flag, an RFM score. It keeps no state of its own, so it is exactly as current as what it reads.
 *
 * <p>Implementations must be pure (the same context gives the same value), fast (they run for
 * every evaluation of a segment that reads them), and must say in {@link #nextChange} the next
 * instant their value can change with time alone, or segments that read them will not notice
 * time passing.
 *
 * <p>Implementations must be thread-safe; the ones made by {@link #of} are immutable.
 */
public interface DerivedTrait {
  /** Names match {@code [a-z][a-z0-9_]{0,63}}. */
  Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  /** The trait's name, unique among all computed traits. */
  String name();

  /** Computed traits it reads through {@link TraitContext#value}. */
  Set<String> inputs();

  /** The value at {@code ctx.now()}, or empty. */
  Optional<Object> value(TraitContext ctx);

  /**
   * The next instant after {@code ctx.now()} at which the value can change without new events,
   * or empty when it cannot. May be early (a check that finds no change costs one evaluation),
   * never late. The default: the earliest next change of its inputs.
   */
  default Optional<Instant> nextChange(TraitContext ctx) {
    Instant best = null;
    for (String in : inputs()) {
      Optional<Instant> n = ctx.nextChange(in);
      if (n.isPresent() && (best == null || n.get().isBefore(best))) {
        best = n.get();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * A derived trait from a function whose value changes with time only through its inputs.
   *
   * @throws IllegalArgumentException when the name does not match
   */
  static DerivedTrait of(String name, Set<String> inputs,
      Function<TraitContext, Optional<Object>> fn) {
    Objects.requireNonNull(fn, "fn");
    if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
      throw new IllegalArgumentException("derived trait name must match [a-z][a-z0-9_]{0,63}");
    }
    Set<String> in = Set.copyOf(inputs);
    return new DerivedTrait() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> inputs() {
        return in;
      }

      @Override
      public Optional<Object> value(TraitContext ctx) {
        return fn.apply(ctx);
      }

      @Override
      public String toString() {
        return "DerivedTrait[" + name + "]";
      }
    };
  }
}
