package io.cdpkit.segmentation;

import io.cdpkit.core.internal.TallyMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
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
 * start, once each change has committed; the counters read them.
 *
 * <p>{@code cdpkit.segment.size} (gauge; workspace, segment): members now, read with
 * {@link Segments#size} at most once per segment within the size cache
 * ({@link #DEFAULT_SIZE_CACHE} unless given), for the segments defined in the workspaces open
 * when {@link #bindTo} runs (bind again for segments saved later). A gauge of a deleted segment
 * reads 0. Micrometer is an optional dependency of this module; only this class uses it.
 *
 * <p>Thread-safe.
 */
public final class SegmentMetrics implements MeterBinder, AutoCloseable {
  /** How long a segment size is reused unless told otherwise: 30 seconds. */
  public static final Duration DEFAULT_SIZE_CACHE = Duration.ofSeconds(30);

  private final Segmentation segmentation;
  private final long sizeCacheNanos;
  private final List<Runnable> undo = new CopyOnWriteArrayList<>();

  /** Meters for this extension; nothing is registered before {@link #bindTo}. */
  public SegmentMetrics(Segmentation segmentation) {
    this(segmentation, DEFAULT_SIZE_CACHE);
  }

  /**
   * Meters for this extension, with segment sizes reused for {@code sizeCache}.
   *
   * @throws IllegalArgumentException when sizeCache is negative
   */
  public SegmentMetrics(Segmentation segmentation, Duration sizeCache) {
    this.segmentation = Objects.requireNonNull(segmentation, "segmentation");
    Objects.requireNonNull(sizeCache, "sizeCache");
    if (sizeCache.isNegative()) {
      throw new IllegalArgumentException("sizeCache must not be negative: " + sizeCache);
    }
    this.sizeCacheNanos = sizeCache.toNanos();
  }

  /**
   * Registers the meters.
   *
   * @throws IllegalStateException when the extension is not attached to a {@code Cdp} yet
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    undo.add(TallyMeters.register(registry, segmentation.changes(), "cdpkit.segment.changes",
        "profiles", "Profiles that entered or left a segment"));
    for (Segments segments : segmentation.openWorkspaces()) {
      for (var d : segments.list()) {
        CachedSize c = new CachedSize(segments, d.id());
        Gauge.builder("cdpkit.segment.size", c, CachedSize::read)
            .tag("workspace", segments.workspace().value()).tag("segment", d.id())
            .baseUnit("profiles").strongReference(true)
            .description("Members of the segment (read at most once per size cache)")
            .register(registry);
      }
    }
  }

  /** One segment's last size. Thread-safe. */
  private final class CachedSize {
    private final Segments segments;
    private final String segment;
    private long last = -1;
    private long readAt;

    CachedSize(Segments segments, String segment) {
      this.segments = segments;
      this.segment = segment;
    }

    synchronized double read() {
      long now = System.nanoTime();
      if (last < 0 || now - readAt >= sizeCacheNanos) {
        try {
          last = segments.size(segment);
        } catch (IllegalArgumentException deleted) {
          last = 0;
        }
        readAt = now;
      }
      return last;
    }
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
