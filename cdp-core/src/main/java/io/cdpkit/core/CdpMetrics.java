package io.cdpkit.core;

import io.cdpkit.core.internal.EngineStats;
import io.cdpkit.core.internal.Tally;
import io.cdpkit.core.internal.TallyMeters;
import io.cdpkit.core.model.WorkspaceId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of a {@link Cdp}'s engine: events ingested and rejected, ingest latency,
 * merges and unmerges, store retries and transaction time. The host binds it to its registry:
 *
 * <pre>{@code
 * CdpMetrics metrics = new CdpMetrics(cdp);
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>The engine counts with {@code LongAdder}s of its own whether or not a binder is bound;
 * the counters here read them (Micrometer's {@code FunctionCounter}), so nothing on the ingest
 * path calls Micrometer for them. Times are measured only while a binder is bound, and merges and
 * unmerges are counted only from then on (the counting wraps each write transaction). This is
 * the only class of the module that uses Micrometer, which is an optional dependency: an
 * engine that never creates a {@code CdpMetrics} runs without it on the class path.
 *
 * <p>Meters (see the module README for the full table): {@code cdpkit.events.ingested}
 * (workspace, status), {@code cdpkit.events.rejected} (workspace, reason),
 * {@code cdpkit.ingest.duration} (kind), {@code cdpkit.profiles.merged},
 * {@code cdpkit.profiles.unmerged}, {@code cdpkit.store.retries} and
 * {@code cdpkit.store.transaction.duration} (workspace), and the gauge {@code cdpkit.profiles}
 * (workspace): live profiles, read with {@link Profiles#count()} at most once per workspace
 * within the count cache ({@link #DEFAULT_COUNT_CACHE} unless given), for the workspaces open
 * when {@link #bindTo} runs. Tag values are workspace ids and closed sets of codes, never a
 * personal value.
 *
 * <p>Use one {@code CdpMetrics} per {@code Cdp}, bound to any number of registries; a second
 * one for the same {@code Cdp} takes over the timers of the first. Thread-safe.
 */
public final class CdpMetrics implements MeterBinder, AutoCloseable {
  /** How long a profile count is reused unless told otherwise: one minute. */
  public static final Duration DEFAULT_COUNT_CACHE = Duration.ofMinutes(1);

  private final Cdp cdp;
  private final long countCacheNanos;
  private final EngineStats stats;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  /** What to undo on close: the listeners added to the engine's tallies. */
  private final List<Runnable> undo = new CopyOnWriteArrayList<>();

  /** Meters for this {@code Cdp}; nothing is registered before {@link #bindTo}. */
  public CdpMetrics(Cdp cdp) {
    this(cdp, DEFAULT_COUNT_CACHE);
  }

  /**
   * Meters for this {@code Cdp}, with profile counts reused for {@code countCache} (a count
   * reads every profile on a store that keeps no count: see {@link Profiles#count()}).
   *
   * @throws IllegalArgumentException when countCache is negative
   */
  public CdpMetrics(Cdp cdp, Duration countCache) {
    this.cdp = Objects.requireNonNull(cdp, "cdp");
    this.stats = cdp.pipeline().stats();
    Objects.requireNonNull(countCache, "countCache");
    if (countCache.isNegative()) {
      throw new IllegalArgumentException("countCache must not be negative: " + countCache);
    }
    this.countCacheNanos = countCache.toNanos();
  }

  /**
   * Registers the meters with {@code registry} and starts timing. Counters show what was counted
   * since the {@code Cdp} was built; merges, unmerges and times only from the first bind.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    registries.add(registry);
    counters(registry, stats.ingested, "cdpkit.events.ingested", "events",
        "Events ingested, by the status the engine gave them");
    counters(registry, stats.rejected, "cdpkit.events.rejected", "events",
        "Events rejected, by the kind of rule they broke");
    counters(registry, stats.merges, "cdpkit.profiles.merged", "profiles",
        "Profiles merged into another (ledger entries of kind merged)");
    counters(registry, stats.unmerges, "cdpkit.profiles.unmerged", "profiles",
        "Profiles split off by an unmerge (ledger entries of kind unmerged)");
    counters(registry, stats.storeRetries, "cdpkit.store.retries", "retries",
        "Write transactions of the pipeline the store ran again after a retryable failure");
    for (WorkspaceId ws : cdp.openWorkspaces()) {
      CachedCount c = new CachedCount(cdp.workspace(ws).profiles());
      Gauge.builder("cdpkit.profiles", c, CachedCount::read).tag("workspace", ws.value())
          .baseUnit("profiles").strongReference(true)
          .description("Live profiles of the workspace (read at most once per count cache)")
          .register(registry);
    }
    stats.countLedger(true);
    stats.timing(new EngineStats.Timing() {
      @Override
      public void ingest(String kind, long nanos) {
        for (MeterRegistry r : registries) {
          Timer.builder("cdpkit.ingest.duration")
              .description("Time of one ingest call, validation to commit")
              .tag("kind", kind).register(r).record(nanos, TimeUnit.NANOSECONDS);
        }
      }

      @Override
      public void transaction(WorkspaceId workspace, long nanos) {
        for (MeterRegistry r : registries) {
          Timer.builder("cdpkit.store.transaction.duration")
              .description("Time of one write transaction of the pipeline, retries included")
              .tag("workspace", workspace.value()).register(r)
              .record(nanos, TimeUnit.NANOSECONDS);
        }
      }
    });
  }

  /** Stops timing and counting merges; the registered meters stay (they stop moving). */
  @Override
  public void close() {
    stats.timing(null);
    stats.countLedger(false);
    for (Runnable r : new ArrayList<>(undo)) {
      r.run();
    }
    undo.clear();
    registries.clear();
  }

  /** A workspace's last profile count. Thread-safe. */
  private final class CachedCount {
    private final Profiles profiles;
    private volatile long last = -1;
    private volatile long readAt;

    CachedCount(Profiles profiles) {
      this.profiles = profiles;
    }

    synchronized double read() {
      long now = System.nanoTime();
      if (last < 0 || now - readAt >= countCacheNanos) {
        last = profiles.count();
        readAt = now;
      }
      return last;
    }
  }

  private void counters(MeterRegistry registry, Tally tally, String name, String unit,
      String description) {
    undo.add(TallyMeters.register(registry, tally, name, unit, description));
  }
}
