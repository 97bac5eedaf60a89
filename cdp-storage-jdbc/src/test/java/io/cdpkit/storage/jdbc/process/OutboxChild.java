package io.cdpkit.storage.jdbc.process;

import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.ConsentPolicy;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The child JVM of {@link OutboxCrashTest}: a {@code Cdp} with an {@link Activation} on a JDBC
 * store, whose one rule sends every {@code Checkout Started} of a {@link Checkouts} stream
 * through a {@link RecorderProvider} channel (purpose {@code service}, sent on the contract
 * basis: no consent events needed). It starts the activation worker, then ingests the stream
 * from where the store left off while the worker dispatches.
 *
 * <pre>
 * OutboxChild MODE h2 DIR - RECORDER OFFSET_MS SEED SHOPPERS EVENTS
 * OutboxChild MODE jdbc URL USER RECORDER OFFSET_MS SEED SHOPPERS EVENTS
 *     Warms up on an in-memory H2 store; then, on the store, with the system's clock moved by
 *     OFFSET_MS, starts the activation worker and prints READY, then
 *     ingests events from a few before the first one the store lacks, in singles and small
 *     batches, printing "ACK n" after each commit (every event before n is acknowledged).
 *     MODE run: paces ingestion, prints DONE when the stream is in, and dispatches until
 *     killed. MODE finish: ingests at full speed, waits until no outbox entry is pending,
 *     prints DONE and exits 0 (1 when that takes over a minute).
 * </pre>
 */
public final class OutboxChild {
  static final String RULE = "checkout-started";
  static final String CHANNEL = "recorder";
  /** How long a claim lasts: at least twice the channel's timeout, as the engine requires. */
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration TIMEOUT = Duration.ofMillis(500);
  /** Events ingested again after a restart, before the first one the store lacks. */
  static final int OVERLAP = 5;
  /** The pause between ingest calls of a child that is to be killed. */
  static final long PACE_MS = 8;
  /** Events ingested into an in-memory H2 store before READY. */
  static final int WARM_UP = 150;

  private OutboxChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    boolean finish = args[0].equals("finish");
    Path recorder = Path.of(args[4]);
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofMillis(Long.parseLong(args[5])));
    long seed = Long.parseLong(args[6]);
    List<Event> events = Checkouts.stream(seed, Integer.parseInt(args[7]),
        Integer.parseInt(args[8]));
    warmUp(seed, Integer.parseInt(args[7]));
    HikariDataSource pool = args[1].equals("h2") ? null : pool(args[2], args[3]);
    JdbcStore store = pool == null ? JdbcStore.h2File(Path.of(args[2])) : JdbcStore.create(pool);
    Activation activation = activation(recorder);
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(activation).build()) {
      int from = Math.max(0, resumePoint(store, events) - OVERLAP);
      activation.start();
      out.println("READY");
      Random r = new Random(seed + from);
      int i = from;
      while (i < events.size()) {
        int to = Math.min(events.size(), i + 1 + r.nextInt(r.nextBoolean() ? 1 : 8));
        if (to - i == 1) {
          check(cdp.ingest(events.get(i)));
        } else {
          check(cdp.ingest(events.subList(i, to)));
        }
        i = to;
        out.println("ACK " + i);
        if (!finish) {
          Thread.sleep(PACE_MS);
        }
      }
      if (!finish) {
        out.println("DONE");
        Thread.sleep(Long.MAX_VALUE); // the worker dispatches until the parent kills us
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (!store.read(WorkspaceId.DEFAULT,
          tx -> outboxOf(tx).outbox(OutboxEntry.Status.PENDING, null, 1)).isEmpty()) {
        if (System.nanoTime() > deadline) {
          System.err.println("outbox entries still pending after a minute");
          System.exit(1);
        }
        Thread.sleep(50);
      }
    } finally {
      store.close();
      if (pool != null) {
        pool.close();
      }
    }
    out.println("DONE");
  }

  /**
   * Runs the code paths of ingestion and dispatch on an in-memory H2 store first, so that a
   * kill soon after READY falls into work at full speed, not into class loading.
   */
  private static void warmUp(long seed, int shoppers) throws Exception {
    Path file = Files.createTempFile("outbox-warm-up", ".csv");
    Activation activation = activation(file);
    try (JdbcStore store = JdbcStore.h2InMemory("warm-up");
        Cdp cdp = Cdp.builder().store(store).clock(Clock.fixed(
            Checkouts.T0.plus(Duration.ofHours(1)), ZoneOffset.UTC)).extension(activation)
            .build()) {
      List<Event> events = Checkouts.stream(~seed, shoppers, WARM_UP);
      for (int i = 0; i < events.size(); i += 4) {
        cdp.ingest(events.subList(i, Math.min(events.size(), i + 4)));
      }
      activation.drain();
    } finally {
      Files.delete(file);
    }
  }

  static Activation activation(Path recorder) {
    return Activation.builder()
        .channel(CHANNEL, new RecorderProvider(), Map.of("file", recorder.toString(),
            "timeout", TIMEOUT.toString(), "concurrency", "2"))
        .rule(Rule.builder(RULE).trigger(Trigger.event(Checkouts.FIRING)).channel(CHANNEL)
            .purpose("service")
            .template(Template.parse("{\"messageId\": \"{{event.messageId}}\"}")).build())
        .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service"))
        .lease(LEASE)
        .batchSize(16)
        .pollInterval(Duration.ofMillis(20))
        .retry(new RetryPolicy(30, Duration.ofMillis(50), Duration.ofMillis(400)))
        .build();
  }

  /**
   * The index of the first event the store lacks. One caller ingests the stream in order, one
   * commit per call, so the events held are a prefix of it.
   */
  static int resumePoint(Store store, List<Event> events) {
    return store.read(WorkspaceId.DEFAULT, tx -> {
      int lo = 0;
      int hi = events.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (tx.event(events.get(mid).messageId()).isPresent()) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    });
  }

  private static HikariDataSource pool(String url, String user) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setMaximumPoolSize(4);
    return new HikariDataSource(cfg);
  }

  private static void check(IngestResult r) {
    if (r.status() == IngestResult.Status.REJECTED) {
      throw new IllegalStateException("rejected: " + r.error());
    }
  }

  private static void check(BatchResult r) {
    if (r.rejected() > 0) {
      throw new IllegalStateException("rejected " + r.rejected());
    }
  }
}
