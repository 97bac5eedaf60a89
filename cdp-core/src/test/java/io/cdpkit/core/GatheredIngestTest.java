package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GatheredIngestTest {
  static final Instant T = Instant.parse("2026-04-01T09:00:00Z");

  /** A store that counts write transactions and can fail or hold them. */
  static final class Probe implements Store {
    final Store inner = Store.inMemory();
    final AtomicInteger writes = new AtomicInteger();
    volatile String poison;
    volatile CountDownLatch holding;
    volatile CountDownLatch held;

    @Override
    public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
      writes.incrementAndGet();
      return inner.write(ws, tx -> {
        T result = work.apply(poisoned(tx));
        CountDownLatch h = holding;
        if (h != null) {
          held.countDown();
          try {
            h.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return result;
      });
    }

    private WriteTransaction poisoned(WriteTransaction tx) {
      return (WriteTransaction) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {WriteTransaction.class}, (proxy, m, args) -> {
            if (m.getName().equals("insertEvent")
                && ((StoredEvent) args[0]).messageId().equals(poison)) {
              throw new StorageException("the disk is full (test)", false, null);
            }
            try {
              return m.invoke(tx, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
      return inner.read(ws, work);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  static List<Event> events(int n, long seed) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(25);
      Instant at = T.plusSeconds(i);
      out.add(switch (r.nextInt(3)) {
        case 0 -> Event.identify().messageId("m" + i).anonymousId("ck-" + c + "-" + r.nextInt(2))
            .userId("C-" + c).trait("email", "c" + c + "@example.com").timestamp(at).build();
        case 1 -> Event.track("Order Completed").messageId("m" + i).userId("C-" + c)
            .property("order_id", "O-" + i).property("total", new BigDecimal("10.00"))
            .property("currency", "EUR").timestamp(at).build();
        default -> Event.page("Home").messageId("m" + i).anonymousId("ck-" + c + "-"
            + r.nextInt(2)).timestamp(at).build();
      });
    }
    return out;
  }

  static Map<Identifier, Optional<Profile>> profiles(Cdp cdp, int customers) {
    Map<Identifier, Optional<Profile>> out = new java.util.LinkedHashMap<>();
    for (int c = 0; c < customers; c++) {
      for (Identifier id : List.of(Identifier.customerId("C-" + c),
          Identifier.anonymousId("ck-" + c + "-0"), Identifier.anonymousId("ck-" + c + "-1"))) {
        out.put(id, cdp.profiles().find(id));
      }
    }
    return out;
  }

  static void assertSameProfiles(Cdp a, Cdp b, int customers) {
    Map<Identifier, Optional<Profile>> pa = profiles(a, customers);
    Map<Identifier, Optional<Profile>> pb = profiles(b, customers);
    for (Identifier id : pa.keySet()) {
      assertThat(pa.get(id).isPresent()).as("%s present", id).isEqualTo(pb.get(id).isPresent());
      pa.get(id).ifPresent(p -> {
        assertThat(Set(p.identifiers())).as("identifiers of %s", id)
            .isEqualTo(Set(pb.get(id).get().identifiers()));
        assertThat(p.state()).as("state of %s", id).isEqualTo(pb.get(id).get().state());
      });
    }
  }

  private static <T> java.util.Set<T> Set(List<T> l) {
    return java.util.Set.copyOf(l);
  }

  @Test
  @DisplayName("concurrent single ingests share transactions and give the profiles of a sequential ingest")
  void gathersAndMatchesSequential() throws Exception {
    List<Event> events = events(1_200, 7);
    Probe probe = new Probe();
    try (Cdp gathered = Cdp.builder().store(probe)
            .gatherIngests(Duration.ofMillis(5), 64).build();
        Cdp sequential = Cdp.builder().build()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          done.add(pool.submit(() -> {
            for (int i; (i = next.getAndIncrement()) < events.size(); ) {
              IngestResult r = gathered.ingest(events.get(i));
              assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
              assertThat(r.profileId()).isNotNull();
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      for (Event e : events) {
        sequential.ingest(e);
      }
      assertThat(probe.writes.get()).as("write transactions for %d events", events.size())
          .isLessThan(events.size() / 2);
      assertSameProfiles(gathered, sequential, 25);
      assertThat(gathered.profiles().eventCounts()).isEqualTo(sequential.profiles().eventCounts());
    }
  }

  @Test
  @DisplayName("an event that fails the store fails only its own caller; the rest of its group is stored")
  void failureStaysWithItsCaller() throws Exception {
    List<Event> events = events(40, 11);
    Probe probe = new Probe();
    probe.poison = "m17";
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(Duration.ofMillis(200), 40).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(events.size());
      try {
        List<Future<IngestResult>> results = new ArrayList<>();
        for (Event e : events) {
          results.add(pool.submit(() -> cdp.ingest(e)));
        }
        for (int i = 0; i < events.size(); i++) {
          Future<IngestResult> f = results.get(i);
          if (i == 17) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StorageException.class);
          } else {
            assertThat(f.get(30, TimeUnit.SECONDS).status())
                .isEqualTo(IngestResult.Status.STORED);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      long stored = cdp.profiles().eventCounts().values().stream().mapToLong(Long::longValue)
          .sum();
      assertThat(stored).isEqualTo(events.size() - 1);
    }
  }

  @Test
  @DisplayName("no caller returns before the transaction holding its event has committed")
  void nothingAcknowledgedBeforeCommit() throws Exception {
    Probe probe = new Probe();
    probe.holding = new CountDownLatch(1);
    probe.held = new CountDownLatch(1);
    List<Event> events = events(6, 3);
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(Duration.ofMillis(50), 6).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(events.size());
      AtomicInteger returned = new AtomicInteger();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (Event e : events) {
          done.add(pool.submit(() -> {
            cdp.ingest(e);
            returned.incrementAndGet();
          }));
        }
        assertThat(probe.held.await(30, TimeUnit.SECONDS)).isTrue();
        // The transaction is open and holds events: give any early return the time to happen.
        Thread.sleep(200);
        assertThat(returned.get()).as("calls returned while their transaction was open")
            .isZero();
        probe.holding.countDown();
        for (Future<?> f : done) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertThat(returned.get()).isEqualTo(events.size());
      } finally {
        probe.holding.countDown();
        pool.shutdownNow();
      }
    }
  }

  @Test
  @DisplayName("an invalid event is rejected to its caller before it joins a group")
  void invalidEventRejectedAlone() throws Exception {
    try (Cdp cdp = Cdp.builder().gatherIngests(Duration.ofMillis(20), 8).build()) {
      Event bad = Event.identify().messageId("bad").userId("C-bad").trait("email", "no address")
          .timestamp(T).build();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<IngestResult> good = pool.submit(() -> cdp.ingest(events(1, 5).get(0)));
        assertThatThrownBy(() -> cdp.ingest(bad)).isInstanceOf(InvalidEventException.class);
        assertThat(good.get(30, TimeUnit.SECONDS).status()).isEqualTo(IngestResult.Status.STORED);
      } finally {
        pool.shutdownNow();
      }
      assertThat(cdp.profiles().find(Identifier.customerId("C-bad"))).isEmpty();
    }
  }

  @Test
  @DisplayName("the same messageId twice in one group is stored once")
  void duplicateInOneGroup() throws Exception {
    Event e = events(1, 9).get(0);
    try (Cdp cdp = Cdp.builder().gatherIngests(Duration.ofMillis(300), 2).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<IngestResult> a = pool.submit(() -> cdp.ingest(e));
        Future<IngestResult> b = pool.submit(() -> cdp.ingest(e));
        List<IngestResult.Status> statuses = List.of(a.get(30, TimeUnit.SECONDS).status(),
            b.get(30, TimeUnit.SECONDS).status());
        assertThat(statuses).containsExactlyInAnyOrder(IngestResult.Status.STORED,
            IngestResult.Status.DUPLICATE);
        assertThat(a.get().profileId()).isEqualTo(b.get().profileId());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  @DisplayName("gathering settings are checked when set")
  void builderChecks() {
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ZERO, 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofSeconds(2), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(2), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatch");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(2), 10)
        .gatherIngests(Duration.ofMillis(3), 10))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
  }
}
