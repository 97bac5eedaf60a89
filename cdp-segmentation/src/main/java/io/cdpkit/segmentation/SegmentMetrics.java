package io.cdpkit.segmentation;

import io.cdpkit.core.internal.TallyMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters of a {@link Segmentation}: {@code cdpkit.segment.changes}, a counter of the
 * entries and exits its listeners were told of, tagged {@code workspace}, {@code segment} (the
 * segment's id, which the host chose) and {@code kind} ({@code entered} or {@code exited}).
 *
 * <pre>{@code
 * new SegmentMetrics(segmentation).bindTo(registry);
 * }</pre>
 *
 * <p>The extension counts with {@code LongAdder}s whether or not this binder is bound, from its
 * start, once each change has committed; the counters read them. Segment sizes are not a meter:
 * the membership storage answers them only by paging through members. Micrometer is an optional
 * dependency of this module; only this class uses it.
 *
 * <p>Thread-safe.
 */
public final class SegmentMetrics implements MeterBinder, AutoCloseable {
  private final Segmentation segmentation;
  private final List<Runnable> undo = new CopyOnWriteArrayList<>();

  /** Meters for this extension; nothing is registered before {@link #bindTo}. */
  public SegmentMetrics(Segmentation segmentation) {
    this.segmentation = Objects.requireNonNull(segmentation, "segmentation");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    undo.add(TallyMeters.register(registry, segmentation.changes(), "cdpkit.segment.changes",
        "profiles", "Profiles that entered or left a segment"));
  }

  /** Stops registering counters for segments first counted from now on. */
  @Override
  public void close() {
    for (Runnable r : undo) {
      r.run();
    }
    undo.clear();
  }
}
