package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gate's typed reasons, and activation running on the host's executor and scheduler. */
class TypedGateTest {
  static final Instant NOW = Instant.parse("2026-04-01T08:00:00Z");

  @Test
  @DisplayName("every reason's stored code parses back to the same typed reason; an unknown"
      + " code stays as it is")
  void codesRoundTrip() {
    List<SuppressionReason> all = List.of(new SuppressionReason.RuleRemoved(),
        new SuppressionReason.ChannelRemoved(), new SuppressionReason.ProfileGone(),
        new SuppressionReason.Restricted(), new SuppressionReason.NotMember("gold-tier"),
        new SuppressionReason.EventSince("Order Completed"), new SuppressionReason.NoConsent(),
        new SuppressionReason.ConsentDenied(), new SuppressionReason.ConsentExpired(),
        new SuppressionReason.NoAddress(List.of("email", "phone")),
        new SuppressionReason.AddressGone(), new SuppressionReason.AddressTaken(),
        new SuppressionReason.LeaseLost(),
        new SuppressionReason.MissingField("trait.firstName"),
        new SuppressionReason.TemplateFailed("ArithmeticException"),
        new SuppressionReason.SuppressionMatched("bought-recently"),
        new SuppressionReason.FrequencyCapped(3, Duration.ofDays(7)),
        new SuppressionReason.Unknown("from-a-newer-version"));
    Set<Class<?>> covered = new java.util.HashSet<>();
    for (SuppressionReason r : all) {
      assertThat(SuppressionReason.parse(r.code())).isEqualTo(r);
      covered.add(r.getClass());
    }
    assertThat(covered).containsExactlyInAnyOrder(
        SuppressionReason.class.getPermittedSubclasses());
    // The strings stored before the reasons were typed.
    assertThat(new SuppressionReason.FrequencyCapped(3, Duration.ofDays(7)).code())
        .isEqualTo("frequency-cap:3/PT168H"); // Duration#toString, as always stored
    assertThat(new SuppressionReason.NoAddress(List.of("email")).code())
        .isEqualTo("no-address:[email]");
    assertThat(new SuppressionReason.ConsentDenied().code()).isEqualTo("consent-denied");
    assertThat(SuppressionReason.parse("frequency-cap:x/P7D"))
        .isEqualTo(new SuppressionReason.Unknown("frequency-cap:x/P7D"));
  }

  @Test
  @DisplayName("the check at hand-over fails closed: when the store cannot be read there,"
      + " nothing is sent and the attempt is retried")
  void handoverFailsClosed() {
    io.cdpkit.core.spi.storage.Store real = io.cdpkit.core.spi.storage.Store.inMemory();
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean();
    io.cdpkit.core.spi.storage.Store store = (io.cdpkit.core.spi.storage.Store)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.cdpkit.core.spi.storage.Store.class}, (proxy, method, args) -> {
              if (method.getName().equals("read") && broken.get()) {
                throw new io.cdpkit.core.StorageException("read failed", true,
                    null);
              }
              try {
                return method.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
    SpyProvider spy = new SpyProvider("spy", "email", IdentifierType.EMAIL);
    MutableClock clock = new MutableClock(NOW);
    Activation activation = Activation.builder().channel("mail", spy, Map.of())
        .rule(Rule.builder("hello").trigger(Trigger.event("Hello")).channel("mail")
            .purpose("marketing").build())
        .build();
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(activation).build()) {
      cdp.ingest(Event.identify().messageId("c").userId("u")
          .identifier(Identifier.email("u@example.com")).consent("marketing", "email", true)
          .build());
      cdp.ingest(Event.track("Hello").messageId("h").userId("u").build());
      broken.set(true);
      assertThat(activation.dispatch()).isEqualTo(1);
      broken.set(false);
      assertThat(spy.sent()).isEmpty();
      ProfileId p = cdp.profiles().find(Identifier.customerId("u")).orElseThrow().id();
      assertThat(activation.deliveries(p)).singleElement().satisfies(d -> {
        assertThat(d.outcome()).isEqualTo("failed");
        assertThat(d.reason()).isEqualTo("check at hand-over failed: StorageException");
      });
      clock.advance(Duration.ofHours(2));
      activation.drain();
      assertThat(spy.sent()).hasSize(1);
    }
  }

  @Test
  @DisplayName("channel calls run on the host's executor, and dispatch on the host's scheduler;"
      + " suppressions come back typed")
  void hostExecutorAndScheduler() throws Exception {
    ExecutorService host = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "host-worker");
      t.setDaemon(true);
      return t;
    });
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "host-scheduler");
      t.setDaemon(true);
      return t;
    });
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();
    SpyProvider spy = new SpyProvider("spy", "email", IdentifierType.EMAIL);
    spy.answer = m -> {
      threads.add(Thread.currentThread().getName());
      calls.incrementAndGet();
      return io.cdpkit.activation.spi.DeliveryResult.delivered();
    };
    MutableClock clock = new MutableClock(NOW);
    Activation activation = Activation.builder().executor(host)
        .channel("mail", spy, Map.of("concurrency", "2"))
        .rule(Rule.builder("hello").trigger(Trigger.event("Hello")).channel("mail")
            .purpose("marketing").build())
        .pollInterval(Duration.ofMillis(20))
        .build();
    try (Cdp cdp = Cdp.builder().clock(clock).extension(activation).build()) {
      for (int i = 0; i < 5; i++) {
        cdp.ingest(Event.identify().messageId("c" + i).userId("u" + i)
            .identifier(Identifier.email("u" + i + "@example.com"))
            .consent("marketing", "email", i != 4).build());
        cdp.ingest(Event.track("Hello").messageId("h" + i).userId("u" + i).build());
      }
      try (AutoCloseable running = activation.startOn(scheduler)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (calls.get() < 4 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      assertThat(calls.get()).isEqualTo(4);
      assertThat(threads).containsOnly("host-worker");
      assertThat(spy.sent()).extracting(Message::recipients).allSatisfy(
          r -> assertThat(r).hasSize(1));
      ProfileId denied = cdp.profiles().find(Identifier.customerId("u4")).orElseThrow().id();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      List<Delivery> lines = new ArrayList<>();
      while (lines.isEmpty() && System.nanoTime() < deadline) {
        lines = activation.deliveries(denied);
      }
      assertThat(lines).singleElement().satisfies(d -> assertThat(
          Activation.suppressionReason(d)).contains(new SuppressionReason.ConsentDenied()));
      assertThat(activation.handoverWindow().messages()).isEqualTo(4);
    } finally {
      scheduler.shutdownNow();
      host.shutdownNow();
    }
  }
}
