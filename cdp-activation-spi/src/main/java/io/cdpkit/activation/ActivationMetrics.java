package io.cdpkit.activation;

import io.cdpkit.core.internal.TallyMeters;
import io.cdpkit.core.model.WorkspaceId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of an {@link Activation}:
 * <ul>
 *   <li>{@code cdpkit.activation.deliveries} (counter; workspace, channel, outcome
 *       {@code delivered}, {@code failed}, {@code dead}, {@code suppressed}): hand-overs to a
 *       channel and what came of them, counted once recorded in the delivery history;
 *   <li>{@code cdpkit.outbox.pending} (gauge; workspace): outbox entries waiting to be sent;
 *   <li>{@code cdpkit.outbox.oldest.age} (time gauge, seconds; workspace): time since the oldest
 *       of them was decided.
 * </ul>
 *
 * <pre>{@code
 * new ActivationMetrics(activation).bindTo(registry); // once the Cdp is built
 * }</pre>
 *
 * <p>The outbox gauges read {@link Activation#outboxHealth} (a scan of the pending entries) at
 * most once per workspace within the cache time (5 seconds unless given), so a scrape is cheap
 * however often it comes. They are registered for the workspaces opened when
 * {@link #bindTo} runs (the default one always); bind again, or use a second binder, for
 * workspaces opened later. Deliveries are counted by the engine with {@code LongAdder}s whether
 * or not a binder is bound. Micrometer is an optional dependency of this module; only this
 * class uses it.
 *
 * <p>Thread-safe.
 */
public final class ActivationMetrics implements MeterBinder, AutoCloseable {
  /** How long an outbox reading is reused unless told otherwise. */
  public static final Duration DEFAULT_CACHE = Duration.ofSeconds(5);

  private final Activation activation;
  private final long cacheNanos;
  private final ConcurrentHashMap<WorkspaceId, Cached> outboxes = new ConcurrentHashMap<>();
  private final List<Runnable> undo = new CopyOnWriteArrayList<>();

  /** Meters for this activation, with outbox readings reused for {@link #DEFAULT_CACHE}. */
  public ActivationMetrics(Activation activation) {
    this(activation, DEFAULT_CACHE);
  }

  /**
   * Meters for this activation, with outbox readings reused for {@code cache}.
   *
   * @throws IllegalArgumentException when cache is negative
   */
  public ActivationMetrics(Activation activation, Duration cache) {
    this.activation = Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(cache, "cache");
    if (cache.isNegative()) {
      throw new IllegalArgumentException("cache must not be negative: " + cache);
    }
    this.cacheNanos = cache.toNanos();
  }

  /**
   * Registers the meters.
   *
   * @throws IllegalStateException when the activation is not attached to a {@code Cdp} yet
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    undo.add(TallyMeters.register(registry, activation.deliveries(),
        "cdpkit.activation.deliveries", "messages",
        "Hand-overs to a channel, by what came of them"));
    java.util.Set<WorkspaceId> workspaces = new java.util.HashSet<>(activation.workspaces());
    workspaces.add(WorkspaceId.DEFAULT);
    for (WorkspaceId ws : workspaces) {
      Cached c = outboxes.computeIfAbsent(ws, Cached::new);
      Gauge.builder("cdpkit.outbox.pending", c, x -> x.read().pending())
          .tag("workspace", ws.value()).baseUnit("entries").strongReference(true)
          .description("Outbox entries waiting to be sent (or sent again)").register(registry);
      TimeGauge.builder("cdpkit.outbox.oldest.age", c, TimeUnit.NANOSECONDS,
          x -> x.read().oldestAge().toNanos())
          .tag("workspace", ws.value()).strongReference(true)
          .description("Time since the oldest pending outbox entry was decided")
          .register(registry);
    }
  }

  /** Stops registering delivery counters for channels first counted from now on. */
  @Override
  public void close() {
    for (Runnable r : undo) {
      r.run();
    }
    undo.clear();
  }

  /** One workspace's last outbox reading. Thread-safe. */
  private final class Cached {
    private final WorkspaceId workspace;
    private volatile Activation.@Nullable OutboxHealth last;
    private volatile long readAt;

    Cached(WorkspaceId workspace) {
      this.workspace = workspace;
    }

    Activation.OutboxHealth read() {
      Activation.OutboxHealth h = last;
      long now = System.nanoTime();
      if (h == null || now - readAt >= cacheNanos) {
        h = activation.outboxHealth(workspace);
        last = h;
        readAt = now;
      }
      return h;
    }
  }
}
