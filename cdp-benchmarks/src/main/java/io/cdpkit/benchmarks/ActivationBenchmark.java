package io.cdpkit.benchmarks;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Activation throughput on each store: how many activations are decided per second while
 * events are ingested ({@code decide}), and how many outbox entries are claimed, gated
 * (consent, address, caps, template) and delivered per second to a channel that does nothing
 * ({@code dispatch}).
 *
 * <p>The shoppers ({@value #SHOPPERS}) each have an e-mail address and a marketing consent on
 * e-mail; a few heavy shoppers produce most views (Zipf-like skew). Every {@code Product Viewed}
 * event fires one rule, so {@code decide} measures ingest with one decision (an outbox insert)
 * per event, ingested in lists of {@value #INGEST_BATCH}; {@code -p rules=0} is the same
 * ingest without activation, for the cost of the decision. {@code dispatch} first ingests {@value #EVENTS} decided views (not timed), then
 * drains the outbox: one claim, one gate transaction and one outcome transaction per batch of
 * {@code batch} entries, with the channel's calls on its workers.
 *
 * <p>Each iteration is one invocation handling {@value #EVENTS} events or entries on a fresh
 * store (a fresh PostgreSQL schema); JMH reports microseconds per event or entry (single shot),
 * so per second is a million divided by the score.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar ActivationBenchmark -p store=memory,h2file,postgres
 * </pre>
 *
 * <p>A JMH state, driven by one thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class ActivationBenchmark {
  static final int SHOPPERS = 2_000;
  static final int EVENTS = 20_000;
  static final int INGEST_BATCH = 100;
  static final Instant START = Instant.parse("2026-06-01T08:00:00Z");

  /** The store: memory, h2mem, h2file, postgres or mariadb. */
  @Param({"memory", "h2file", "postgres"})
  public String store = "memory";

  /** Rules firing on each view: 1, or 0 for the ingest baseline ({@code decide} only). */
  @Param({"1"})
  public int rules = 1;

  /** Outbox entries claimed per dispatch. */
  @Param({"500"})
  public int batch = 500;

  private List<Event> setup = List.of();
  private List<Event> views = List.of();
  private @Nullable BenchStores stores;
  private @Nullable Cdp cdp;
  private @Nullable Activation activation;
  private final LongAdder delivered = new LongAdder();

  @Setup(Level.Trial)
  public void generate() {
    List<Event> s = new ArrayList<>();
    for (int i = 0; i < SHOPPERS; i++) {
      s.add(Event.identify().messageId("id-" + i).userId("c" + i)
          .identifier(Identifier.email("shopper" + i + "@example.com"))
          .consent("marketing", "email", true).timestamp(START).build());
    }
    setup = s;
    SplittableRandom r = new SplittableRandom(42);
    List<Event> v = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      // Skewed: the square of a uniform draw favours low ids (heavy shoppers).
      double u = r.nextDouble();
      int shopper = (int) (u * u * SHOPPERS);
      v.add(Event.track("Product Viewed").messageId("v-" + i).userId("c" + shopper)
          .property("productId", "P" + r.nextInt(500))
          .timestamp(START.plusSeconds(60 + i)).build());
    }
    views = v;
  }

  /** A fresh store and Cdp per iteration; for {@code dispatch}, the decisions are made here. */
  @Setup(Level.Iteration)
  public void open(org.openjdk.jmh.infra.BenchmarkParams params) {
    stores = BenchStores.open(store, 100_000);
    Clock clock = Clock.fixed(START.plusSeconds(60 + EVENTS), ZoneOffset.UTC);
    Activation.Builder b = Activation.builder().batchSize(batch)
        .channel("noop", new NoopProvider(delivered), Map.of("concurrency", "4"));
    if (rules > 0) {
      b.rule(Rule.builder("viewed").trigger(Trigger.event("Product Viewed")).channel("noop")
          .purpose("marketing")
          .maxEventAge(java.time.Duration.ofDays(1))
          .template(Template.parse("{\"productId\": \"{{event.properties.productId}}\"}"))
          .build());
    }
    activation = b.build();
    cdp = Cdp.builder().store(stores.store()).clock(clock).extension(activation).build();
    cdp.ingest(setup);
    if (params.getBenchmark().endsWith("dispatch")) {
      decide();
    }
    delivered.reset();
  }

  @TearDown(Level.Iteration)
  public void close(org.openjdk.jmh.infra.BenchmarkParams params) {
    if (params.getBenchmark().endsWith("dispatch") && rules > 0) {
      long pending = stores.store().read(WorkspaceId.DEFAULT, tx -> (long) tx
          .require(OutboxStorage.class).outbox(OutboxEntry.Status.PENDING, null, 10).size());
      if (delivered.sum() != EVENTS || pending != 0) {
        throw new IllegalStateException("delivered " + delivered.sum() + " of " + EVENTS
            + ", " + pending + " still pending");
      }
    }
    activation.close();
    cdp.close();
    stores.close();
  }

  /**
   * Ingests every view in lists of {@value #INGEST_BATCH} (one store transaction each, as a
   * host importing a stream would): one decision per event.
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void decide() {
    for (int i = 0; i < views.size(); i += INGEST_BATCH) {
      cdp.ingest(views.subList(i, Math.min(views.size(), i + INGEST_BATCH)));
    }
  }

  /** Claims, gates and delivers every decided entry. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long dispatch() {
    return activation.drain();
  }

  /** A channel that delivers nothing and counts. */
  static final class NoopProvider implements ChannelProvider {
    private final LongAdder delivered;

    NoopProvider(LongAdder delivered) {
      this.delivered = delivered;
    }

    @Override
    public String id() {
      return "noop";
    }

    @Override
    public int spiMajorVersion() {
      return SPI_MAJOR_VERSION;
    }

    @Override
    public String consentChannel() {
      return "email";
    }

    @Override
    public Channel create(ChannelContext context) {
      return new Channel() {
        @Override
        public List<IdentifierType> addresses() {
          return List.of(IdentifierType.EMAIL);
        }

        @Override
        public DeliveryResult deliver(Message message) {
          delivered.increment();
          return DeliveryResult.delivered();
        }
      };
    }
  }
}
