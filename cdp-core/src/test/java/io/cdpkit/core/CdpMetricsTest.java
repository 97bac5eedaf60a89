package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.internal.EngineStats;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CdpMetricsTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  static final String EMAIL = "zebedee.quillfeather@example.org";
  static final String NAME = "Zebedee Quillfeather";

  final Cdp cdp = Cdp.builder()
      .clock(Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC)).build();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).functionCounter();
    return c == null ? 0 : c.count();
  }

  long timerCount(String name, String... tags) {
    var t = registry.find(name).tags(tags).timer();
    return t == null ? 0 : t.count();
  }

  static Event identify(String msg, String userId) {
    return Event.identify().messageId(msg).userId(userId).trait("email", EMAIL)
        .trait("name", NAME).timestamp(T0).build();
  }

  @Test
  @DisplayName("ingest counts stored, duplicate and rejected events, each once, and times each "
      + "call")
  void ingestCounts() {
    new CdpMetrics(cdp).bindTo(registry);
    cdp.ingest(identify("m1", "C-1"));
    cdp.ingest(identify("m1", "C-1")); // a replay
    assertThatThrownBy(() -> cdp.ingest(Event.track("Order Completed").messageId("m2")
        .userId("C-1").property("total", "not a number " + EMAIL).timestamp(T0).build()))
        .isInstanceOf(InvalidEventException.class);
    BatchResult batch = cdp.ingest(List.of(identify("m3", "C-2"), identify("m3", "C-2"),
        Event.track("Order Completed").messageId("m4").userId("C-2")
            .property("currency", "XX-" + NAME).property("total", 3).timestamp(T0).build()));
    assertThat(batch.stored()).isEqualTo(1);
    assertThat(batch.duplicates()).isEqualTo(1);
    assertThat(batch.rejected()).isEqualTo(1);

    String ws = WorkspaceId.DEFAULT.value();
    assertThat(counter("cdpkit.events.ingested", "workspace", ws, "status", "stored"))
        .isEqualTo(2);
    assertThat(counter("cdpkit.events.ingested", "workspace", ws, "status", "duplicate"))
        .isEqualTo(2);
    assertThat(registry.find("cdpkit.events.rejected").functionCounters().stream()
        .mapToDouble(c -> c.count()).sum()).isEqualTo(2);
    assertThat(registry.find("cdpkit.events.rejected").functionCounters())
        .allSatisfy(c -> assertThat(EngineStats.REASON_CODES).contains(c.getId().getTag("reason")));
    assertThat(timerCount("cdpkit.ingest.duration", "kind", "single")).isEqualTo(3);
    assertThat(timerCount("cdpkit.ingest.duration", "kind", "batch")).isEqualTo(1);
    assertThat(registry.find("cdpkit.store.transaction.duration").timer().count())
        .isGreaterThanOrEqualTo(3);
    assertNoPersonalValues();
  }

  @Test
  @DisplayName("cdpkit.profiles counts live profiles per open workspace, merges included, and"
      + " is read again only after the count cache")
  void profileGauge() {
    WorkspaceId other = WorkspaceId.of("other");
    cdp.workspace(other).ingest(identify("o1", "C-9"));
    CdpMetrics metrics = new CdpMetrics(cdp, java.time.Duration.ZERO);
    metrics.bindTo(registry);
    var here = registry.find("cdpkit.profiles").tag("workspace", "default").gauge();
    var there = registry.find("cdpkit.profiles").tag("workspace", "other").gauge();
    assertThat(here.value()).isZero();
    assertThat(there.value()).isEqualTo(1);
    cdp.ingest(List.of(identify("m1", "C-1"), identify("m2", "C-2"),
        Event.track("Page Viewed").messageId("m3").anonymousId("a-1").timestamp(T0).build()));
    assertThat(here.value()).isEqualTo(3);
    // a merge: the visitor's anonymous profile joins C-1's
    cdp.ingest(Event.identify().messageId("m4").userId("C-1").anonymousId("a-1")
        .timestamp(T0).build());
    assertThat(here.value()).isEqualTo(2);
    assertThat(cdp.profiles().count()).isEqualTo(2);
    assertThat(there.value()).isEqualTo(1);

    SimpleMeterRegistry cached = new SimpleMeterRegistry();
    new CdpMetrics(cdp, java.time.Duration.ofHours(1)).bindTo(cached);
    var slow = cached.find("cdpkit.profiles").tag("workspace", "default").gauge();
    assertThat(slow.value()).isEqualTo(2);
    cdp.ingest(identify("m5", "C-5"));
    assertThat(slow.value()).as("reused within the cache").isEqualTo(2);
    assertThat(here.value()).isEqualTo(3);
    assertThatThrownBy(() -> new CdpMetrics(cdp, java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("countCache");
    assertNoPersonalValues();
  }

  @Test
  @DisplayName("a rejected JSON body and its bad messages count by reason; events before the bind"
      + " are counted too")
  void jsonAndEarlyCounts() {
    cdp.ingest(identify("m0", "C-0")); // before the bind
    new CdpMetrics(cdp).bindTo(registry);
    String ws = WorkspaceId.DEFAULT.value();
    assertThat(counter("cdpkit.events.ingested", "workspace", ws, "status", "stored"))
        .isEqualTo(1);
    cdp.ingestJson(("{\"batch\":[{\"type\":\"track\",\"messageId\":\"j1\",\"userId\":\"C-9\"},"
        + "{\"type\":\"identify\",\"messageId\":\"j2\",\"userId\":\"C-9\"}]}")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(counter("cdpkit.events.rejected", "workspace", ws, "reason", "missing"))
        .isEqualTo(1); // a track without its event name
    assertThat(counter("cdpkit.events.ingested", "workspace", ws, "status", "stored"))
        .isEqualTo(2);
    assertThatThrownBy(() -> cdp.ingestJson(("{\"name\":\"" + NAME)
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(InvalidEventException.class);
    assertThat(registry.find("cdpkit.events.rejected").functionCounters().stream()
        .mapToDouble(c -> c.count()).sum()).isEqualTo(2);
    assertThat(timerCount("cdpkit.ingest.duration", "kind", "json")).isEqualTo(2);
    assertNoPersonalValues();
  }

  @Test
  @DisplayName("a merge counts one merged profile, an unmerge one split-off profile")
  void mergesAndUnmerges() {
    new CdpMetrics(cdp).bindTo(registry);
    cdp.ingest(Event.identify().messageId("a").anonymousId("cookie-1").trait("email", EMAIL)
        .timestamp(T0).build());
    cdp.ingest(Event.identify().messageId("b").userId("C-1").timestamp(T0).build());
    String ws = WorkspaceId.DEFAULT.value();
    assertThat(counter("cdpkit.profiles.merged", "workspace", ws)).isZero();
    cdp.ingest(Event.identify().messageId("c").userId("C-1").anonymousId("cookie-1")
        .timestamp(T0.plusSeconds(60)).build());
    assertThat(counter("cdpkit.profiles.merged", "workspace", ws)).isEqualTo(1);
    assertThat(counter("cdpkit.profiles.unmerged", "workspace", ws)).isZero();

    cdp.profiles().unmerge(Identifier.customerId("C-1"), Identifier.anonymousId("cookie-1"));
    assertThat(counter("cdpkit.profiles.unmerged", "workspace", ws)).isEqualTo(1);
    assertThat(counter("cdpkit.profiles.merged", "workspace", ws)).isEqualTo(1);
    assertNoPersonalValues();
  }

  /** A store that fails each n-th write attempt once with a retryable error and runs it again. */
  static final class RetryingStore implements Store {
    final Store inner = Store.inMemory();
    final int every;
    int attempts;

    RetryingStore(int every) {
      this.every = every;
    }

    @Override
    public synchronized <T> T write(WorkspaceId ws,
        Function<? super WriteTransaction, ? extends T> work) {
      if (++attempts % every == 0) {
        try {
          inner.write(ws, tx -> {
            work.apply(tx);
            throw new StorageException("serialization failure", true, null);
          });
        } catch (StorageException expected) {
          // rolled back; run it again, as a database store does
        }
      }
      return inner.write(ws, work);
    }

    @Override
    public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
      return inner.read(ws, work);
    }
  }

  @Test
  @DisplayName("each transaction the store runs again counts one retry; nothing is counted twice")
  void storeRetries() {
    RetryingStore store = new RetryingStore(2);
    try (Cdp c = Cdp.builder().store(store)
        .clock(Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC)).build()) {
      new CdpMetrics(c).bindTo(registry);
      int before = store.attempts;
      for (int i = 0; i < 4; i++) {
        c.ingest(identify("r" + i, "C-" + i));
      }
      String ws = WorkspaceId.DEFAULT.value();
      assertThat(store.attempts - before).isEqualTo(4);
      // every second of the four writes failed once and ran again
      assertThat(counter("cdpkit.store.retries", "workspace", ws)).isEqualTo(2);
      assertThat(counter("cdpkit.events.ingested", "workspace", ws, "status", "stored"))
          .isEqualTo(4);
      assertThat(registry.find("cdpkit.store.transaction.duration").timer().count())
          .isEqualTo(4);
    }
  }

  /** A store whose audit log refuses consent lines: an event with consent fails in the store. */
  static final class AuditRefusingStore implements Store {
    final Store inner = Store.inMemory();

    @Override
    public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
      return inner.write(ws, tx -> work.apply(refusing(tx)));
    }

    @Override
    public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
      return inner.read(ws, work);
    }

    static WriteTransaction refusing(WriteTransaction tx) {
      return (WriteTransaction) Proxy.newProxyInstance(WriteTransaction.class.getClassLoader(),
          new Class<?>[] {WriteTransaction.class}, (proxy, m, args) -> {
            Object r = invoke(m, tx, args);
            if (args != null && args.length == 1 && args[0] == PrivacyStorage.class) {
              if (r instanceof Optional<?> o) {
                return o.map(p -> refusingAudit((PrivacyStorage) p));
              }
              return refusingAudit((PrivacyStorage) r);
            }
            return r;
          });
    }

    static PrivacyStorage refusingAudit(PrivacyStorage p) {
      return (PrivacyStorage) Proxy.newProxyInstance(PrivacyStorage.class.getClassLoader(),
          new Class<?>[] {PrivacyStorage.class}, (proxy, m, args) -> {
            if (m.getName().equals("appendAudit")
                && ((AuditEntry) args[0]).operation().equals("consent")) {
              throw new IllegalStateException("audit log full");
            }
            return invoke(m, p, args);
          });
    }

    static Object invoke(Method m, Object target, Object[] args) throws Throwable {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException ex) {
        throw ex.getCause();
      }
    }
  }

  @Test
  @DisplayName("a merge rolled back with its event (failed inside the batch's transaction) is not "
      + "counted; the event counts as store_refused")
  void rolledBackMergeIsNotCounted() {
    try (Cdp c = Cdp.builder().store(new AuditRefusingStore())
        .clock(Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC)).build()) {
      new CdpMetrics(c).bindTo(registry);
      BatchResult r = c.ingest(List.of(
          Event.identify().messageId("a").anonymousId("cookie-1").timestamp(T0).build(),
          Event.identify().messageId("b").userId("C-1").timestamp(T0).build(),
          Event.identify().messageId("c").userId("C-1").anonymousId("cookie-1")
              .consent("marketing", "email", true).timestamp(T0).build(),
          Event.identify().messageId("d").userId("C-2").timestamp(T0).build()));
      assertThat(r.stored()).isEqualTo(3);
      assertThat(r.rejected()).isEqualTo(1);
      String ws = WorkspaceId.DEFAULT.value();
      assertThat(counter("cdpkit.profiles.merged", "workspace", ws)).isZero();
      assertThat(counter("cdpkit.events.rejected", "workspace", ws, "reason", "store_refused"))
          .isEqualTo(1);
    }
  }

  @Test
  @DisplayName("after close, times are no longer recorded; counters stay registered")
  void closeStopsTiming() {
    CdpMetrics m = new CdpMetrics(cdp);
    m.bindTo(registry);
    cdp.ingest(identify("m1", "C-1"));
    m.close();
    cdp.ingest(identify("m2", "C-1"));
    assertThat(timerCount("cdpkit.ingest.duration", "kind", "single")).isEqualTo(1);
    assertThat(counter("cdpkit.events.ingested", "workspace", WorkspaceId.DEFAULT.value(),
        "status", "stored")).isEqualTo(2);
  }

  @Test
  @DisplayName("reason codes come from the kind of rule, never from a value")
  void reasonCodes() {
    assertThat(EngineStats.reasonCode(new InvalidEventException("/messageId", "is required")))
        .isEqualTo("missing");
    assertThat(EngineStats.reasonCode(new InvalidEventException("/traits/email",
        "is not an e-mail address"))).isEqualTo("malformed");
    assertThat(EngineStats.reasonCode(new InvalidEventException("/properties/total",
        "must be a number"))).isEqualTo("wrong_type");
    assertThat(EngineStats.reasonCode(new InvalidEventException("/userId",
        "must be 1 to 256 characters, not blank"))).isEqualTo("too_large");
    assertThat(EngineStats.reasonCode(new InvalidEventException("/timestamp",
        "must lie in the years 1970 to 9999 (UTC)"))).isEqualTo("out_of_range");
    assertThat(EngineStats.reasonCode(new InvalidEventException("", "something " + EMAIL)))
        .isEqualTo("other");
  }

  void assertNoPersonalValues() {
    List<Meter> meters = registry.getMeters();
    assertThat(meters).isNotEmpty();
    for (Meter m : meters) {
      String id = m.getId().getName() + " " + m.getId().getTags();
      for (String personal : List.of(EMAIL, NAME, "zebedee", "quillfeather", "C-1", "C-2",
          "cookie-1")) {
        assertThat(id.toLowerCase(Locale.ROOT)).doesNotContain(personal.toLowerCase(Locale.ROOT));
      }
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getValue()).doesNotContain("@");
      }
    }
  }
}
