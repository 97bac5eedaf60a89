package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreScan;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine over a journaled in-memory store: retail-like events (skewed visitors, logins that
 * stitch, orders in stores and on the web), an unmerge and an erasure, every write transaction
 * journaled; the bodies replayed into a fresh store give the same dump. Also prints, without
 * asserting, what encoding and replaying cost per event.
 */
class JournalOnCdpTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;
  private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

  /** A store that journals every write transaction of an in-memory store. */
  static final class JournalingStore implements Store {
    final Store inner = Store.inMemory();
    final List<byte[]> bodies = new ArrayList<>();
    long encodeNanos;
    long encodedOps;

    @Override
    public <T> T write(WorkspaceId workspace,
        Function<? super WriteTransaction, ? extends T> work) {
      return inner.write(workspace, tx -> {
        JournalingTransaction j = new JournalingTransaction(tx);
        T result = work.apply(j);
        long t0 = System.nanoTime();
        byte[] body = j.encode();
        encodeNanos += System.nanoTime() - t0;
        if (!j.isEmpty()) {
          bodies.add(body);
        }
        return result;
      });
    }

    @Override
    public <T> T read(WorkspaceId workspace,
        Function<? super ReadTransaction, ? extends T> work) {
      return inner.read(workspace, work);
    }

    @Override
    public <C> Optional<C> capability(Class<C> type) {
      return inner.capability(type);
    }
  }

  /** Retail-like events, after cdp-benchmarks' RetailEvents (which this module cannot use). */
  static List<Event> retail(int count, int visitors, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    String[] anon = new String[visitors];
    for (int v = 0; v < visitors; v++) {
      anon[v] = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
    }
    boolean[] known = new boolean[visitors];
    List<Event> out = new ArrayList<>(count);
    long ms = 0;
    for (int i = 0; i < count; i++) {
      ms += rnd.nextInt(100);
      Instant at = START.plusMillis(ms);
      int v = (int) (Math.pow(rnd.nextDouble(), 3) * visitors); // a few heavy visitors
      boolean customer = v % 5 == 0;
      String userId = "C-" + (100_000 + v);
      double r = rnd.nextDouble();
      Event.Builder b;
      if (r < 0.35) {
        b = Event.page("Product Detail").property("path", "/product-detail")
            .property("referrer", rnd.nextInt(4) == 0 ? "https://www.google.com/" : null);
      } else if (r < 0.70) {
        b = Event.track("Product Viewed").property("product_id", "P-" + rnd.nextInt(5000))
            .property("category", "shoes").property("price", BigDecimal.valueOf(
                990 + rnd.nextInt(20_000), 2));
      } else if (r < 0.80 && customer) {
        known[v] = true;
        b = Event.identify().trait("email", "Customer." + v + "@Example.com")
            .trait("first_name", "Kim").trait("loyalty_tier", v % 7 == 0 ? "gold" : "silver");
        if (v % 10 < 2) {
          b.trait("phone", String.format(Locale.ROOT, "+31 6 1%07d", v));
        }
      } else if (r < 0.90) {
        b = Event.track("Product Added").property("product_id", "P-" + rnd.nextInt(5000))
            .property("quantity", 1L + rnd.nextInt(3));
      } else {
        b = Event.track("Order Completed").property("order_id", "O-" + i)
            .property("total", BigDecimal.valueOf(990 + rnd.nextInt(25_000), 2))
            .property("currency", "EUR");
      }
      b.messageId(new UUID(rnd.nextLong(), rnd.nextLong()).toString()).timestamp(at)
          .anonymousId(anon[v]).channel("web");
      if (customer && known[v]) {
        b.userId(userId);
      }
      out.add(b.build());
    }
    return out;
  }

  @Test
  @DisplayName("the engine's writes over retail-like events, an unmerge and an erasure, replayed"
      + " from the journal, give the same store")
  void replayedEngineStateIsEqual() {
    int events = Integer.getInteger("journal.events", 20_000);
    List<Event> stream = retail(events, Math.max(10, events / 10), 0x5EED);
    JournalingStore store = new JournalingStore();
    Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).build()) {
      for (int i = 0; i < stream.size(); i += 100) {
        cdp.ingest(stream.subList(i, Math.min(stream.size(), i + 100)));
      }
      try {
        cdp.profiles().unmerge(Identifier.customerId("C-100000"),
            Identifier.email("customer.0@example.com"));
      } catch (RuntimeException notLinked) {
        // this draw did not link them
      }
      cdp.privacy().erase(Identifier.customerId("C-100005"));
    }
    Store replica = Store.inMemory();
    long replayNanos = 0;
    long bytes = 0;
    for (byte[] body : store.bodies) {
      bytes += body.length;
      long t0 = System.nanoTime();
      replica.write(WS, tx -> {
        JournalCodec.replay(body, tx);
        return null;
      });
      replayNanos += System.nanoTime() - t0;
    }
    List<Identifier> probes = new ArrayList<>();
    for (int v = 0; v < 50; v++) {
      probes.add(Identifier.customerId("C-" + (100_000 + v)));
      probes.add(Identifier.email("customer." + v + "@example.com"));
    }
    StoreScan.Probes p = new StoreScan.Probes(probes,
        stream.subList(0, 200).stream().map(Event::messageId).toList(), List.of());
    String expected = StoreScan.dump(store.inner, WS, p);
    assertThat(expected).contains("profile").contains("event");
    assertThat(StoreScan.dump(replica, WS, p)).isEqualTo(expected);

    // Not asserted: what the journal costs per event, and how much of it is JSON.
    RecordCodec codec = RecordCodec.create();
    List<StoredEvent> stored = new ArrayList<>(store.inner.read(WS,
        tx -> tx.events(stream.stream().map(Event::messageId).toList())).values());
    long t0 = System.nanoTime();
    long chars = 0;
    for (StoredEvent e : stored) {
      chars += codec.writeEvent(e).length();
    }
    long writeJson = System.nanoTime() - t0;
    List<String> texts = stored.stream().map(codec::writeEvent).toList();
    t0 = System.nanoTime();
    for (String s : texts) {
      codec.readEvent(s);
    }
    long readJson = System.nanoTime() - t0;
    System.out.printf(Locale.ROOT, "journal: %d events, %d bodies, %.0f bytes/event;"
            + " encode %.2f us/event, replay (into the in-memory store) %.2f us/event;"
            + " of which event JSON write %.2f us/event (%.0f chars), read %.2f us/event%n",
        events, store.bodies.size(), (double) bytes / events, store.encodeNanos / 1e3 / events,
        replayNanos / 1e3 / events, writeJson / 1e3 / stored.size(),
        (double) chars / stored.size(), readJson / 1e3 / stored.size());
    List<io.cdpkit.core.spi.storage.ProfileRecord> profiles = store.inner.read(WS,
        tx -> tx.profilesAfter(null, Integer.MAX_VALUE));
    t0 = System.nanoTime();
    long pchars = 0;
    List<String> ptexts = new ArrayList<>();
    for (var r : profiles) {
      String s = codec.writeProfile(r);
      pchars += s.length();
      ptexts.add(s);
    }
    long writeProfiles = System.nanoTime() - t0;
    t0 = System.nanoTime();
    for (String s : ptexts) {
      codec.readProfile(s);
    }
    long readProfiles = System.nanoTime() - t0;
    System.out.printf(Locale.ROOT, "journal: %d profiles, profile JSON %.0f chars, write %.2f us,"
            + " read %.2f us per profile%n", profiles.size(), (double) pchars / profiles.size(),
        writeProfiles / 1e3 / profiles.size(), readProfiles / 1e3 / profiles.size());
  }
}
