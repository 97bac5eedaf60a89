package io.cdpkit.core.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Registers a {@link Tally}'s counters with a Micrometer registry as {@link FunctionCounter}s,
 * for the metrics binders of every module. With the binders, the only class that uses
 * Micrometer: it is loaded only when a binder is bound.
 *
 * <p>Thread-safe (stateless).
 */
public final class TallyMeters {
  private TallyMeters() {}

  /**
   * Registers one counter per combination of the tally's tag values, now and as new ones are
   * counted; returns what stops registering new ones.
   */
  public static Runnable register(MeterRegistry registry, Tally tally, String name, String unit,
      String description) {
    List<String> keys = tally.tagKeys();
    Tally.Listener l = (values, adder) -> {
      Tags tags = Tags.empty();
      for (int i = 0; i < keys.size(); i++) {
        tags = tags.and(keys.get(i), values.get(i));
      }
      FunctionCounter.builder(name, adder, LongAdder::sum).tags(tags).baseUnit(unit)
          .description(description).register(registry);
    };
    tally.listen(l);
    return () -> tally.unlisten(l);
  }
}
