package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

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
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Cdp.Builder#gatherIngests}: group commit of single ingests. */
class GatheredIngestTest {
  static final Instant T = Instant.parse("2026-04-01T09:00:00Z");
  static final Duration LONG = Duration.ofSeconds(1);

  /**
   * A store that counts write transactions, records which events each one held, and can fail
   * an event ({@link #poison}) or hold transactions open before they commit ({@link #release}).
   */
  static final class Probe implements Store {
    final Store inner = Store.inMemory();
    final AtomicInteger writes = new AtomicInteger();
    /** The messageIds of each committed transaction. */
    final List<List<String>> committed = Collections.synchronizedList(new ArrayList<>());
    /** The messageIds of each failed transaction (its prefetch: the whole group). */
    final List<List<String>> failed = Collections.synchronizedList(new ArrayList<>());
    /** Transactions waiting, uncommitted, for {@link #release}. */
    final AtomicInteger holding = new AtomicInteger();
    volatile String poison;
    volatile CountDownLatch release;

    @Override
    public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
      writes.incrementAndGet();
      List<String> group = new ArrayList<>();
      try {
        T result = inner.write(ws, tx -> {
          group.clear();
          T r = work.apply(recording(tx, group));
          CountDownLatch l = release;
          if (l != null) {
            holding.incrementAndGet();
            awaitUninterruptibly(l);
          }
          return r;
        });
        committed.add(List.copyOf(group));
        return result;
      } catch (RuntimeException | Error e) {
        failed.add(List.copyOf(group));
        throw e;
      }
    }

    /** Records the group (what a batch prefetches, else what is inserted) and fails poison. */
    private WriteTransaction recording(WriteTransaction tx, List<String> group) {
      boolean[] prefetched = {false};
      return (WriteTransaction) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {WriteTransaction.class}, (proxy, m, args) -> {
            if (m.getName().equals("prefetch")) {
              prefetched[0] = true;
              for (Object id : (Collection<?>) args[0]) {
                group.add((String) id);
              }
            }
            if (m.getName().equals("insertEvent")) {
              String id = ((StoredEvent) args[0]).messageId();
              if (!prefetched[0]) {
                group.add(id);
              }
              if (id.equals(poison)) {
                throw new StorageException("the disk is full (test)", false, null);
              }
            }
            try {
              return m.invoke(tx, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    List<String> committedEvents() {
      synchronized (committed) {
        return committed.stream().flatMap(List::stream).toList();
      }
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

  static void awaitUninterruptibly(CountDownLatch l) {
    boolean interrupted = false;
    while (true) {
      try {
        l.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  static List<Event> events(int n, long seed, int customers) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(customers);
      Instant at = T.plusSeconds(r.nextInt(Math.max(1, n / 2)));
      out.add(switch (r.nextInt(3)) {
        case 0 -> Event.identify().messageId("m" + i).anonymousId("ck-" + c + "-" + r.nextInt(2))
            .userId("C-" + c).trait("email", "c" + c + "@example.com")
            .trait("tier", "t" + r.nextInt(3)).timestamp(at).build();
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
    Map<Identifier, Optional<Profile>> out = new LinkedHashMap<>();
    for (int c = 0; c < customers; c++) {
      for (Identifier id : List.of(Identifier.customerId("C-" + c),
          Identifier.anonymousId("ck-" + c + "-0"), Identifier.anonymousId("ck-" + c + "-1"))) {
        out.put(id, cdp.profiles().find(id));
      }
    }
    return out;
  }

  /** Same identifiers and state for every identifier of the universe; same event counts. */
  static void assertSameProfiles(Cdp actual, Cdp expected, int customers) {
    Map<Identifier, Optional<Profile>> pa = profiles(actual, customers);
    Map<Identifier, Optional<Profile>> pb = profiles(expected, customers);
    for (Identifier id : pa.keySet()) {
      assertThat(pa.get(id).isPresent()).as("%s present", id).isEqualTo(pb.get(id).isPresent());
      pa.get(id).ifPresent(p -> {
        assertThat(Set.copyOf(p.identifiers())).as("identifiers of %s", id)
            .isEqualTo(Set.copyOf(pb.get(id).orElseThrow().identifiers()));
        assertThat(p.state()).as("state of %s", id).isEqualTo(pb.get(id).orElseThrow().state());
      });
    }
    assertThat(actual.profiles().eventCounts()).isEqualTo(expected.profiles().eventCounts());
  }

  /** A thread that ingests one event and keeps what came of it. */
  static final class Caller extends Thread {
    final Workspace ws;
    final Event event;
    volatile IngestResult result;
    volatile Throwable error;
    volatile boolean interruptedAfter;

    Caller(Workspace ws, Event event) {
      super("caller-" + event.messageId());
      this.ws = ws;
      this.event = event;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        result = ws.ingest(event);
      } catch (Throwable t) {
        error = t;
      }
      interruptedAfter = Thread.currentThread().isInterrupted();
    }

    IngestResult outcome() throws InterruptedException {
      join(TimeUnit.SECONDS.toMillis(30));
      assertThat(isAlive()).as("%s still running", getName()).isFalse();
      if (error != null) {
        throw new AssertionError(getName() + " failed", error);
      }
      return result;
    }
  }

  static Caller start(Cdp cdp, Event e) {
    Caller c = new Caller(cdp.workspace(WorkspaceId.DEFAULT), e);
    c.start();
    return c;
  }

  /**
   * Waits (by polling thread states, not by a fixed sleep) until every thread has started and
   * is blocked or done, on two looks in a row.
   */
  static void awaitBlockedOrDone(List<? extends Thread> threads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int calm = 0;
    while (calm < 2) {
      boolean all = threads.stream().allMatch(t -> switch (t.getState()) {
        case WAITING, TIMED_WAITING, TERMINATED -> true;
        default -> false;
      });
      calm = all ? calm + 1 : 0;
      if (System.nanoTime() > deadline) {
        fail("threads did not block: " + threads.stream().map(Thread::getState).toList());
      }
      Thread.sleep(1);
    }
  }

  /** Waits until a thread is in a state (a leader waits for others in TIMED_WAITING). */
  static void awaitState(Thread t, Thread.State state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != state) {
      if (System.nanoTime() > deadline) {
        fail(t.getName() + " never reached " + state + ", is " + t.getState());
      }
      Thread.sleep(1);
    }
  }

  /**
   * Ingests the events, in this order, from {@code threads} threads that each take the next
   * one; every call must be STORED.
   */
  static void ingestConcurrently(Cdp cdp, List<Event> order, int threads)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          for (int i; (i = next.getAndIncrement()) < order.size(); ) {
            IngestResult r = cdp.ingest(order.get(i));
            assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
            assertThat(r.messageId()).isEqualTo(order.get(i).messageId());
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      th.setDaemon(true);
      th.start();
      running.add(th);
    }
    for (Thread th : running) {
      th.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(th.isAlive()).isFalse();
    }
    assertThat(errors).isEmpty();
  }

  record Group(Caller leader, Caller member) {}

  /** Starts a group's leader, then a member, and waits until both wait for the group. */
  static Group leaderAndMember(Cdp cdp, List<Event> events) throws InterruptedException {
    Caller leader = start(cdp, events.get(0));
    awaitState(leader, Thread.State.TIMED_WAITING);
    Caller member = start(cdp, events.get(1));
    awaitBlockedOrDone(List.of(leader, member));
    return new Group(leader, member);
  }

  @Test
  @DisplayName("8 threads ingesting single events share transactions and get the profiles of a sequential ingest")
  void gathersAndMatchesSequential() throws Exception {
    List<Event> events = events(800, 7, 25);
    Probe probe = new Probe();
    try (Cdp gathered = Cdp.builder().store(probe)
            .gatherIngests(Duration.ofMillis(5), 64).build();
        Cdp sequential = Cdp.builder().build()) {
      ingestConcurrently(gathered, events, 8);
      for (Event e : events) {
        sequential.ingest(e);
      }
      assertThat(probe.writes.get()).as("write transactions for %d events", events.size())
          .isLessThan(events.size());
      assertThat(probe.committed).anySatisfy(g -> assertThat(g).hasSizeGreaterThan(1));
      assertThat(probe.committed).allSatisfy(g -> assertThat(g).hasSizeLessThanOrEqualTo(64));
      assertSameProfiles(gathered, sequential, 25);
    }
  }

  @Test
  @DisplayName("an event that fails the store fails only its own caller, with the store's exception; the rest of its group is stored")
  void failureStaysWithItsCaller() throws Exception {
    int n = 16;
    List<Event> events = events(n, 11, 5);
    Probe probe = new Probe();
    probe.poison = "m7";
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, n).build()) {
      List<Caller> callers = new ArrayList<>();
      for (Event e : events) {
        callers.add(start(cdp, e));
      }
      for (Caller c : callers) {
        c.join(TimeUnit.SECONDS.toMillis(30));
        if (c.event.messageId().equals("m7")) {
          assertThat(c.error).isInstanceOf(StorageException.class)
              .hasMessage("the disk is full (test)");
        } else {
          assertThat(c.outcome().status()).as(c.getName()).isEqualTo(IngestResult.Status.STORED);
        }
      }
      // The poisoned event shared a transaction with others: it was rolled back to its
      // savepoint and the others of its group were committed in that same transaction.
      assertThat(probe.failed).noneMatch(g -> g.contains("m7"));
      List<String> poisonedGroup = probe.committed.stream()
          .filter(g -> g.contains("m7")).findFirst().orElseThrow();
      assertThat(poisonedGroup).hasSizeGreaterThan(1);
      // (the committed groups list what each transaction touched, m7 included; the event
      // counts below show it was not kept)
      long counted = cdp.profiles().eventCounts().values().stream().mapToLong(Long::longValue)
          .sum();
      assertThat(counted).isEqualTo(n - 1);
    }
  }

  @Test
  @DisplayName("no caller returns while the transaction holding its event is still open")
  void nothingAcknowledgedBeforeCommit() throws Exception {
    Probe probe = new Probe();
    probe.release = new CountDownLatch(1);
    List<Event> events = events(6, 3, 3);
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, events.size()).build()) {
      List<Caller> callers = new ArrayList<>();
      try {
        for (Event e : events) {
          callers.add(start(cdp, e));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (probe.holding.get() == 0) {
          assertThat(System.nanoTime()).as("a transaction is held open").isLessThan(deadline);
          Thread.sleep(1);
        }
        awaitBlockedOrDone(callers);
        assertThat(callers).as("callers that returned while their transaction was open")
            .allSatisfy(c -> assertThat(c.isAlive()).as(c.getName()).isTrue());
      } finally {
        probe.release.countDown();
      }
      for (Caller c : callers) {
        assertThat(c.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      }
      assertThat(probe.committedEvents()).hasSize(events.size());
    }
  }

  @Test
  @DisplayName("an invalid event is rejected to its own caller and does not join or disturb the group")
  void invalidEventRejectedAlone() throws Exception {
    Probe probe = new Probe();
    List<Event> good = events(2, 5, 2);
    // An explicit identifier that is unusable (an unusable e-mail trait is only dropped now).
    Event bad = Event.identify().messageId("bad").userId("C-bad")
        .identifier(io.cdpkit.core.model.IdentifierType.EMAIL, "no address").timestamp(T).build();
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, 2).build()) {
      Caller leader = start(cdp, good.get(0));
      awaitState(leader, Thread.State.TIMED_WAITING);
      assertThatThrownBy(() -> cdp.ingest(bad)).isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("e-mail");
      Caller second = start(cdp, good.get(1));
      assertThat(leader.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(second.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(probe.committed).containsExactly(List.of("m0", "m1"));
      assertThat(probe.failed).isEmpty();
      assertThat(cdp.profiles().find(Identifier.customerId("C-bad"))).isEmpty();
    }
  }

  @Test
  @DisplayName("the same messageId twice in one group is stored once: the second call gets DUPLICATE with the same profile")
  void duplicateInOneGroup() throws Exception {
    Event e = events(1, 9, 1).get(0);
    Probe probe = new Probe();
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, 2).build()) {
      Caller a = start(cdp, e);
      Caller b = start(cdp, e);
      IngestResult ra = a.outcome();
      IngestResult rb = b.outcome();
      assertThat(List.of(ra.status(), rb.status())).containsExactlyInAnyOrder(
          IngestResult.Status.STORED, IngestResult.Status.DUPLICATE);
      assertThat(ra.profileId()).isNotNull().isEqualTo(rb.profileId());
      assertThat(probe.writes.get()).as("one transaction for the group").isEqualTo(1);
      assertThat(cdp.profiles().eventCounts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("close() writes the forming group at once and returns only after it committed; later ingests are not gathered")
  void closeFlushes() throws Exception {
    Probe probe = new Probe();
    List<Event> events = events(4, 13, 2);
    Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, 10).build();
    List<Caller> callers = new ArrayList<>();
    for (Event e : events.subList(0, 3)) {
      callers.add(start(cdp, e));
    }
    awaitBlockedOrDone(callers);
    // Only a machine too slow to start three threads in a second fails this precondition.
    assumeThat(probe.writes.get()).as("the group still forming when close() is called").isZero();
    cdp.close();
    assertThat(probe.committedEvents()).as("committed when close() returned")
        .containsExactlyInAnyOrder("m0", "m1", "m2");
    for (Caller c : callers) {
      assertThat(c.outcome().status()).isEqualTo(IngestResult.Status.STORED);
    }
    int before = probe.writes.get();
    assertThat(cdp.ingest(events.get(3)).status()).isEqualTo(IngestResult.Status.STORED);
    assertThat(probe.writes.get()).isEqualTo(before + 1);
    cdp.close();
  }

  @Test
  @DisplayName("an interrupted leader writes its group at once; the call returns its result with the interrupt flag set")
  void interruptedLeader() throws Exception {
    Probe probe = new Probe();
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, 3).build()) {
      Group g = leaderAndMember(cdp, events(2, 17, 2));
      g.leader().interrupt();
      assertThat(g.leader().outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(g.leader().interruptedAfter).isTrue();
      assertThat(g.member().outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(g.member().interruptedAfter).isFalse();
      assertThat(probe.committed).containsExactly(List.of("m0", "m1"));
    }
  }

  @Test
  @DisplayName("an interrupted member keeps waiting for its group's commit and returns its result with the interrupt flag set")
  void interruptedMember() throws Exception {
    Probe probe = new Probe();
    List<Event> events = events(3, 19, 2);
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(LONG, 3).build()) {
      Group g = leaderAndMember(cdp, events);
      Caller member = g.member();
      member.interrupt();
      // An interruptible wait would now end the member's call; it must stay blocked instead.
      awaitBlockedOrDone(List.of(member));
      assertThat(member.isAlive()).as("member returned before its group was written").isTrue();
      Caller last = start(cdp, events.get(2));
      assertThat(member.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(member.interruptedAfter).isTrue();
      assertThat(g.leader().outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(last.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(probe.committed).containsExactly(List.of("m0", "m1", "m2"));
    }
  }

  @Test
  @DisplayName("groups never mix workspaces")
  void workspacesGatherApart() throws Exception {
    Probe probe = new Probe();
    List<Event> events = events(2, 23, 2);
    try (Cdp cdp = Cdp.builder().store(probe).gatherIngests(Duration.ofMillis(200), 2).build()) {
      Caller a = new Caller(cdp.workspace(WorkspaceId.of("a")), events.get(0));
      a.start();
      awaitState(a, Thread.State.TIMED_WAITING);
      Caller b = new Caller(cdp.workspace(WorkspaceId.of("b")), events.get(1));
      b.start();
      assertThat(a.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(b.outcome().status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(cdp.workspace(WorkspaceId.of("a")).profiles().eventCounts().values())
          .containsExactly(1L);
      assertThat(cdp.workspace(WorkspaceId.of("b")).profiles().eventCounts().values())
          .containsExactly(1L);
      assertThat(probe.committed).containsExactlyInAnyOrder(List.of("m0"), List.of("m1"));
    }
  }

  @Test
  @DisplayName("gathering settings are checked when set, and may be set once")
  void builderChecks() {
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ZERO, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must be more than 0 and at most 1000 ms, was PT0S");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(-1), 10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxDelay");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(1_001), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must be more than 0 and at most 1000 ms, was PT1.001S");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(null, 10))
        .isInstanceOf(NullPointerException.class).hasMessage("maxDelay");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(2), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatch must be 2 to 10000 (a group of 1 gathers nothing), was 1");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(2), 10_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxBatch");
    assertThatThrownBy(() -> Cdp.builder().gatherIngests(Duration.ofMillis(2), 10)
        .gatherIngests(Duration.ofMillis(3), 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("gatherIngests was already set to maxDelay PT0.002S, maxBatch 10");
    Cdp.builder().gatherIngests(Duration.ofSeconds(1), 10_000);
    Cdp.builder().gatherIngests(Duration.ofNanos(1), 2);
  }
}
