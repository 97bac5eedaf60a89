package io.cdpkit.storage.jdbc;

import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.ConsentPolicy;
import io.cdpkit.activation.FrequencyCap;
import io.cdpkit.activation.Recheck;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The activation engine on the JDBC store. A story (consent granted, denied and missing, a
 * segment entry, a delayed cart reminder with a recheck, a frequency cap, a retryable failure
 * then success, and a restart while a message waits) leaves the same delivery history per
 * person on H2 (file), PostgreSQL and MariaDB as on the in-memory store. And two nodes, each a
 * {@code Cdp} with its own store and pool on one PostgreSQL or MariaDB database, dispatching
 * from two threads each, deliver every decided message exactly once between them, both taking
 * part. A send whose outcome was lost still counts as an attempt.
 */
class ActivationOnJdbcTest {
  static final Instant START = Instant.parse("2026-03-15T10:00:00Z");
  static final List<String> PEOPLE = List.of("ada", "ben", "cem", "dan", "eva");

  @TempDir
  Path dir;

  /** Channels that record the messages they are handed and answer as the test says. */
  static final class SpyProvider implements ChannelProvider {
    final String node;
    final Function<Message, DeliveryResult> answer;
    /** Every message handed to a channel of this provider: the node, then the message. */
    final List<Map.Entry<String, Message>> sent;

    SpyProvider(String node, Function<Message, DeliveryResult> answer,
        List<Map.Entry<String, Message>> sent) {
      this.node = node;
      this.answer = answer;
      this.sent = sent;
    }

    @Override
    public String id() {
      return "spy";
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
          sent.add(Map.entry(node, message));
          return answer.apply(message);
        }
      };
    }
  }

  // ------------------------------------------------------------------ the story

  /** A running node of the story: a Cdp with segment "gold" and the story's rules. */
  private static final class StoryNode {
    final Cdp cdp;
    final Activation activation;
    int messages;

    StoryNode(Store store, MutableClock clock, ChannelProvider mail, int messages) {
      Segmentation segmentation = Segmentation.builder().build();
      this.activation = Activation.builder()
          .channel("mail", mail, Map.of())
          .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("gold")).channel("mail")
              .purpose("marketing")
              .template(Template.parse("{\"subject\": \"Welcome {{trait.firstName|friend}}\"}"))
              .build())
          .rule(Rule.builder("cart").trigger(Trigger.event("Checkout Started"))
              .delay(Duration.ofHours(1)).recheck(Recheck.noEventSince("Order Completed"))
              .channel("mail").purpose("marketing")
              .template(Template.parse("{\"cart\": \"{{event.properties.cartId}}\"}")).build())
          .rule(Rule.builder("views").trigger(Trigger.event("Product Viewed")).channel("mail")
              .purpose("marketing").build())
          .cap(new FrequencyCap("mail", 2, Duration.ofDays(7)))
          .retry(new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofMinutes(10)))
          .random(new Random(7))
          .build();
      this.cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
          .extension(activation).build();
      segmentation.segments().save(SegmentDefinition.builder("gold")
          .where(Conditions.trait("tier").eq("gold")).build());
      this.messages = messages;
    }

    void ingest(Event.Builder e, String person, Instant at) {
      cdp.ingest(e.messageId("m" + messages++).userId(person).timestamp(at).build());
    }

    void identify(String person, Instant at, Map<String, Object> traits) {
      Event.Builder e = Event.identify().identifier(Identifier.email(person + "@example.com"));
      traits.forEach(e::trait);
      ingest(e, person, at);
    }

    void consent(String person, Instant at, boolean granted) {
      ingest(Event.track("Consent Changed").consent("marketing", "email", granted), person, at);
    }
  }

  /**
   * Runs the story; returns each person's delivery history, a line per attempt or decision not
   * to send: minutes since the start, rule, channel, attempt, outcome and reason.
   */
  static Map<String, List<String>> story(Supplier<Store> stores) {
    MutableClock clock = new MutableClock(START);
    SpyProvider mail = new SpyProvider("node", m -> m.rule().equals("cart") && m.attempt() == 1
        ? DeliveryResult.retryable("503") : DeliveryResult.delivered(),
        new CopyOnWriteArrayList<>());
    Store store = stores.get();
    StoryNode n = new StoryNode(store, clock, mail, 0);
    try {
      n.consent("ada", clock.instant(), true);
      n.consent("ben", clock.instant(), false);
      n.consent("dan", clock.instant(), true);
      n.consent("eva", clock.instant(), true);
      n.identify("ada", clock.instant(), Map.of("tier", "gold", "firstName", "Ada"));
      n.identify("ben", clock.instant(), Map.of("tier", "gold"));
      n.identify("cem", clock.instant(), Map.of("tier", "gold"));
      n.identify("dan", clock.instant(), Map.of());
      n.identify("eva", clock.instant(), Map.of());
      n.activation.drain(); // welcome: ada delivered; ben denied; cem without consent

      clock.advance(Duration.ofMinutes(1));
      n.ingest(Event.track("Checkout Started").property("cartId", "K-ada"), "ada",
          clock.instant());
      n.ingest(Event.track("Checkout Started").property("cartId", "K-dan"), "dan",
          clock.instant());
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofMinutes(1));
        n.ingest(Event.track("Product Viewed").property("sku", "S" + i), "eva",
            clock.instant());
      }
      n.activation.drain(); // views: eva twice, then capped; the carts are not due

      clock.advance(Duration.ofMinutes(20));
      n.ingest(Event.track("Order Completed").property("order_id", "O-dan")
          .property("total", 25).property("currency", "EUR"), "dan", clock.instant());

      // A restart while the carts wait: the outbox is read back from the store.
      int messages = n.messages;
      n.cdp.close();
      store.close();
      store = stores.get();
      n = new StoryNode(store, clock, mail, messages);

      clock.advance(Duration.ofHours(1));
      n.activation.drain(); // carts: ada fails once (503); dan ordered meanwhile
      clock.advance(Duration.ofMinutes(2));
      n.activation.drain(); // ada's cart again, delivered

      n.consent("eva", clock.instant(), false);
      clock.advance(Duration.ofDays(8));
      n.ingest(Event.track("Product Viewed").property("sku", "S9"), "eva", clock.instant());
      n.activation.drain(); // eva withdrew

      Map<String, List<String>> out = new TreeMap<>();
      for (String person : PEOPLE) {
        ProfileId p = n.cdp.profiles().find(Identifier.customerId(person)).orElseThrow().id();
        List<String> lines = new ArrayList<>();
        for (var d : n.activation.deliveries(p)) {
          lines.add(Duration.between(START, d.at()).toMinutes() + " min " + d.rule() + " "
              + d.channel() + " #" + d.attempt() + " " + d.outcome()
              + (d.reason() == null ? "" : ":" + d.reason()));
        }
        // Lines of one instant come in key order, which follows random profile ids: sort them.
        out.put(person, sortedWithinInstants(lines));
      }
      return out;
    } finally {
      n.cdp.close();
      store.close();
    }
  }

  private static List<String> sortedWithinInstants(List<String> lines) {
    List<String> out = new ArrayList<>(lines);
    out.sort(Comparator.comparingLong((String l) -> Long.parseLong(l.substring(0,
        l.indexOf(' ')))).thenComparing(Comparator.naturalOrder()));
    return out;
  }

  @Test
  @DisplayName("the story is not vacuous: it delivers, fails and retries, and every gate it"
      + " sets up stops a message")
  void storyCoversEveryGate() {
    Store memory = Store.inMemory();
    Set<String> outcomes = new TreeSet<>();
    story(() -> memory).values().forEach(lines -> lines.forEach(
        l -> outcomes.add(l.substring(l.indexOf('#') + 3))));
    assertThat(outcomes).containsExactlyInAnyOrder("delivered", "failed:503",
        "suppressed:consent-denied", "suppressed:no-consent",
        "suppressed:recheck:event-since:Order Completed", "suppressed:frequency-cap:2/PT168H");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres", "mariadb"})
  @DisplayName("the story leaves the same delivery history per person as on the in-memory"
      + " store, across a restart")
  void sameHistoryAsInMemory(String kind) {
    Store memory = Store.inMemory();
    Map<String, List<String>> expected = story(() -> memory);
    if (kind.equals("h2")) {
      assertThat(story(() -> JdbcStore.h2File(dir))).isEqualTo(expected);
      return;
    }
    TestDatabases.Scratch db = kind.equals("postgres") ? TestDatabases.postgres()
        : TestDatabases.mariadb();
    try {
      assertThat(story(() -> JdbcStore.create(db.dataSource()))).isEqualTo(expected);
    } finally {
      TestDatabases.drop(db);
    }
  }

  // ------------------------------------------------------------------ two nodes

  static final int DECIDED = 300;
  static final int THREADS_PER_NODE = 2;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("two nodes on one database, dispatching from two threads each, deliver every"
      + " decided message exactly once, and both deliver some")
  void twoNodesDeliverEachOnce(String kind) throws Exception {
    TestDatabases.Scratch db = kind.equals("postgres") ? TestDatabases.postgres()
        : TestDatabases.mariadb();
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(db.url());
    cfg.setUsername(db.user());
    cfg.setMaximumPoolSize(6);
    cfg.setPoolName(db.name() + "-b");
    MutableClock clock = new MutableClock(START);
    List<Map.Entry<String, Message>> sent = new CopyOnWriteArrayList<>();
    Function<Message, DeliveryResult> slow = m -> {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 4));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return DeliveryResult.delivered();
    };
    try (HikariDataSource second = new HikariDataSource(cfg);
        JdbcStore storeA = JdbcStore.create(db.dataSource());
        JdbcStore storeB = JdbcStore.create(second)) {
      Activation a = checkoutActivation(new SpyProvider("a", slow, sent));
      Activation b = checkoutActivation(new SpyProvider("b", slow, sent));
      try (Cdp nodeA = Cdp.builder().store(storeA).clock(clock).extension(a).build();
          Cdp nodeB = Cdp.builder().store(storeB).clock(clock).extension(b).build()) {
        for (int i = 0; i < DECIDED; i++) {
          Cdp node = i % 2 == 0 ? nodeA : nodeB;
          node.ingest(Event.track("Checkout Started").messageId("c" + i).userId("C-" + i % 120)
              .identifier(Identifier.email("c" + i % 120 + "@example.com"))
              .property("cartId", "K-" + i).timestamp(clock.instant()).build());
        }
        List<OutboxEntry> decided = outbox(storeA, OutboxEntry.Status.PENDING);
        assertThat(decided).as("decided before dispatching").hasSize(DECIDED);

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < THREADS_PER_NODE; t++) {
          workers.add(worker(a, storeA, go, failures));
          workers.add(worker(b, storeB, go, failures));
        }
        go.countDown();
        for (Thread w : workers) {
          w.join(TimeUnit.SECONDS.toMillis(60));
          assertThat(w.isAlive()).as("a worker still dispatching after a minute").isFalse();
        }
        assertThat(failures).isEmpty();

        Map<String, List<String>> nodesByKey = new TreeMap<>();
        for (Map.Entry<String, Message> s : sent) {
          nodesByKey.computeIfAbsent(s.getValue().idempotencyKey(), k -> new ArrayList<>())
              .add(s.getKey());
        }
        Map<String, List<String>> twice = new TreeMap<>(nodesByKey);
        twice.values().removeIf(nodes -> nodes.size() == 1);
        assertThat(twice).as("messages delivered more than once, with the nodes that sent them")
            .isEmpty();
        assertThat(nodesByKey.keySet()).as("the keys delivered are the keys decided")
            .isEqualTo(new TreeSet<>(decided.stream().map(OutboxEntry::key).toList()));
        assertThat(outbox(storeB, OutboxEntry.Status.DONE)).hasSize(DECIDED);
        Map<String, Integer> perNode = new TreeMap<>();
        sent.forEach(s -> perNode.merge(s.getKey(), 1, Integer::sum));
        assertThat(perNode).as("messages each node delivered")
            .containsOnlyKeys("a", "b").allSatisfy((node, n) -> assertThat(n).isPositive());
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  // ------------------------------------------------------------------ lost outcomes

  @Test
  @DisplayName("bug fixed: a send whose outcome is lost (its node died) counts as an attempt:"
      + " the next send is attempt 2, and a message that kills its node every time becomes a"
      + " dead letter after the last attempt")
  void lostOutcomesCountAsAttempts() {
    MutableClock clock = new MutableClock(START);
    List<Map.Entry<String, Message>> sent = new CopyOnWriteArrayList<>();
    AtomicBoolean dying = new AtomicBoolean();
    SpyProvider mail = new SpyProvider("node", m -> {
      dying.set(true); // the node dies after this send, before it records the outcome
      return DeliveryResult.delivered();
    }, sent);
    try (JdbcStore jdbc = JdbcStore.h2InMemory("lost-outcomes-" + UUID.randomUUID())) {
      Store store = new Store() {
        @Override
        public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
          if (dying.getAndSet(false)) {
            throw new IllegalStateException("the node died");
          }
          return jdbc.write(ws, work);
        }

        @Override
        public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
          return jdbc.read(ws, work);
        }

        @Override
        public <C> Optional<C> capability(Class<C> type) {
          return jdbc.capability(type); // the outbox claims among them
        }
      };
      Activation activation = Activation.builder()
          .channel("mail", mail, Map.of())
          .rule(Rule.builder("receipt").trigger(Trigger.event("Checkout Started"))
              .channel("mail").purpose("service").build())
          .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service"))
          .retry(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofMinutes(1)))
          .lease(Duration.ofMinutes(1))
          .build();
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(activation).build()) {
        cdp.ingest(Event.track("Checkout Started").messageId("c1").userId("C-1")
            .identifier(Identifier.email("c1@example.com")).timestamp(clock.instant()).build());
        for (int i = 0; i < 5; i++) {
          try {
            activation.dispatch();
          } catch (IllegalStateException died) {
            assertThat(died).hasMessage("the node died");
          }
          clock.advance(Duration.ofMinutes(2)); // the lease runs out: another node takes over
        }
        var dead = activation.deadLetters(WorkspaceId.DEFAULT, null, 10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).lastError()).isEqualTo("no outcome recorded after 3 attempts");
      }
    }
    // Message.attempt: "1 for the first attempt, then 2, 3, ..."; and after the last of 3
    // attempts the message is a dead letter, not sent again.
    assertThat(sent).extracting(s -> s.getValue().attempt()).containsExactly(1, 2, 3);
  }

  private static Activation checkoutActivation(ChannelProvider p) {
    return Activation.builder()
        .channel("mail", p, Map.of())
        .rule(Rule.builder("receipt").trigger(Trigger.event("Checkout Started")).channel("mail")
            .purpose("service").build())
        .consentPolicy(ConsentPolicy.STRICT.withContractBasis("service"))
        .batchSize(5)
        .build();
  }

  /** A thread that dispatches until no outbox entry is pending. */
  private static Thread worker(Activation activation, Store store, CountDownLatch go,
      List<Throwable> failures) {
    Thread t = new Thread(() -> {
      try {
        go.await();
        while (true) {
          if (activation.dispatch() == 0) {
            if (outbox(store, OutboxEntry.Status.PENDING).isEmpty()) {
              return;
            }
            Thread.sleep(5); // what is left is claimed by another worker
          }
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    });
    t.start();
    return t;
  }

  private static List<OutboxEntry> outbox(Store store, OutboxEntry.Status status) {
    return store.read(WorkspaceId.DEFAULT, tx -> {
      List<OutboxEntry> out = new ArrayList<>();
      String after = null;
      while (true) {
        List<OutboxEntry> page = outboxOf(tx).outbox(status, after, 500);
        out.addAll(page);
        if (page.size() < 500) {
          return out;
        }
        after = page.get(page.size() - 1).key();
      }
    });
  }
}
