package io.cdpkit.activation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutboxPersonalRecordsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final WorkspaceId WS = WorkspaceId.of("shop");
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00.123456789Z");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final ProfileId AYSE_OLD = ProfileId.of("p-ayse-old");
  private static final ProfileId BOB = ProfileId.of("p-bob");

  private final PersonalRecords records = new OutboxPersonalRecords();

  private static Set<ProfileId> ayse() {
    return new LinkedHashSet<>(List.of(AYSE, AYSE_OLD));
  }

  /** Ayşe's records under two profile ids, and Bob's. */
  private static Store seeded() {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      OutboxStorage o = tx.require(OutboxStorage.class);
      o.insertOutbox(OutboxEntry.pending("k-b", "welcome", AYSE, "email", T0, T0.plusSeconds(60),
          "{\"kind\":\"event\",\"messageId\":\"m-1\"}"));
      o.insertOutbox(new OutboxEntry("k-a", "winback", AYSE, "sms", T0, T0, 3,
          OutboxEntry.Status.DEAD, "not json", null, null, "550 no such user"));
      o.insertOutbox(OutboxEntry.pending("k-old", "welcome", AYSE_OLD, "email", T0, T0, "{}"));
      o.insertOutbox(OutboxEntry.pending("k-bob", "welcome", BOB, "email", T0, T0, "{}"));
      o.putDelivery(new Delivery("d-2", AYSE, T0.plusSeconds(5), "welcome", "email", "k-b", 1,
          "delivered", null, "{\"purpose\":\"marketing\"}"));
      o.putDelivery(new Delivery("d-1", AYSE, T0, "winback", "sms", "k-a", 0, "suppressed",
          "consent-denied", "{\"stage\":\"gate\"}"));
      o.putDelivery(new Delivery("d-old", AYSE_OLD, T0, "welcome", "email", "k-old", 1, "failed",
          "451 later", "plain"));
      o.putDelivery(new Delivery("d-bob", BOB, T0, "welcome", "email", "k-bob", 1, "delivered",
          null, "{}"));
      return null;
    });
    return store;
  }

  @Test
  @DisplayName("the export lists the person's outbox entries and delivery lines of every profile"
      + " id given, with the fields and JSON shapes of the export, and no one else's")
  void export() throws Exception {
    try (Store store = seeded()) {
      ObjectNode doc = JSON.createObjectNode();
      store.read(WS, tx -> {
        records.export(tx, ayse(), doc);
        return null;
      });

      String t0 = T0.toString();
      String t1 = T0.plusSeconds(60).toString();
      String t5 = T0.plusSeconds(5).toString();
      assertThat(doc).isEqualTo(JSON.readTree("""
          {"outbox": [
            {"key": "k-a", "rule": "winback", "profile": "p-ayse", "channel": "sms",
             "decidedAt": "%1$s", "dueAt": "%1$s", "attempts": 3, "status": "dead",
             "trigger": "not json", "lastError": "550 no such user"},
            {"key": "k-b", "rule": "welcome", "profile": "p-ayse", "channel": "email",
             "decidedAt": "%1$s", "dueAt": "%2$s", "attempts": 0, "status": "pending",
             "trigger": {"kind": "event", "messageId": "m-1"}},
            {"key": "k-old", "rule": "welcome", "profile": "p-ayse-old", "channel": "email",
             "decidedAt": "%1$s", "dueAt": "%1$s", "attempts": 0, "status": "pending",
             "trigger": {}}],
           "deliveries": [
            {"id": "d-1", "at": "%1$s", "profile": "p-ayse", "rule": "winback",
             "channel": "sms", "key": "k-a", "attempt": 0, "outcome": "suppressed",
             "reason": "consent-denied", "detail": {"stage": "gate"}},
            {"id": "d-2", "at": "%3$s", "profile": "p-ayse", "rule": "welcome",
             "channel": "email", "key": "k-b", "attempt": 1, "outcome": "delivered",
             "detail": {"purpose": "marketing"}},
            {"id": "d-old", "at": "%1$s", "profile": "p-ayse-old", "rule": "welcome",
             "channel": "email", "key": "k-old", "attempt": 1, "outcome": "failed",
             "reason": "451 later", "detail": "plain"}]}
          """.formatted(t0, t1, t5)));
      // Key order within each object is that of today's export.
      assertThat(doc.get("outbox").get(0).fieldNames()).toIterable().containsExactly("key",
          "rule", "profile", "channel", "decidedAt", "dueAt", "attempts", "status", "trigger",
          "lastError");
      assertThat(doc.get("deliveries").get(0).fieldNames()).toIterable().containsExactly("id",
          "at", "profile", "rule", "channel", "key", "attempt", "outcome", "reason", "detail");
    }
  }

  @Test
  @DisplayName("erasure deletes the person's entries and lines under every profile id given,"
      + " counts them, keeps everyone else's, and frees the keys for claims no more")
  void erase() {
    try (Store store = seeded()) {
      Map<String, Integer> counts = store.write(WS, tx -> records.erase(tx, ayse()));

      assertThat(counts).containsExactly(Map.entry("outboxEntries", 3),
          Map.entry("deliveries", 3));
      store.read(WS, tx -> {
        OutboxStorage o = tx.require(OutboxStorage.class);
        for (ProfileId p : ayse()) {
          assertThat(o.outboxOfProfile(p)).isEmpty();
          assertThat(o.deliveries(p)).isEmpty();
        }
        assertThat(o.outbox(List.of("k-a", "k-b", "k-old"))).isEmpty();
        assertThat(o.outboxOfProfile(BOB)).extracting(OutboxEntry::key).containsExactly("k-bob");
        assertThat(o.deliveries(BOB)).extracting(Delivery::id).containsExactly("d-bob");
        return null;
      });
      assertThat(store.capability(io.cdpkit.activation.spi.storage.OutboxClaims.class)
          .orElseThrow().claim(WS, T0.plusSeconds(3600), "w", T0.plusSeconds(7200), 10))
          .extracting(OutboxEntry::key).containsExactly("k-bob");
      Map<String, Integer> again = store.write(WS, tx -> records.erase(tx, ayse()));
      assertThat(again).containsExactly(Map.entry("outboxEntries", 0),
          Map.entry("deliveries", 0));
    }
  }

  @Test
  @DisplayName("on a store without an outbox, export adds nothing and erasure deletes nothing")
  void storeWithoutOutbox() {
    ReadTransaction read = without(ReadTransaction.class);
    WriteTransaction write = without(WriteTransaction.class);
    ObjectNode doc = JSON.createObjectNode();

    records.export(read, ayse(), doc);

    assertThat(doc.isEmpty()).isTrue();
    assertThat(records.erase(write, ayse())).isEmpty();
  }

  @Test
  @DisplayName("the core finds it with ServiceLoader")
  void registered() {
    assertThat(ServiceLoader.load(PersonalRecords.class).stream()
        .map(ServiceLoader.Provider::type)).contains(OutboxPersonalRecords.class);
  }

  /** A transaction of a store that has no capability; any other call fails the test. */
  private static <T> T without(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().equals("capability")) {
            return Optional.empty();
          }
          throw new AssertionError("unexpected call " + method.getName());
        }));
  }
}
