package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The law of the order rows: any sequence of orders (order ids repeat, as a receipt sent twice
 * does), partial and full refunds, logins that merge a visitor's profile into a customer's, and
 * unmerges, ingested in batches of any size into a JDBC store (the H2 row layout), gives every
 * profile the state an in-memory store gives, through the store that wrote it and through a
 * second store that reads the rows cold; and no order row is left without its profile.
 */
class ProfileOrderRowsPropertiesTest {
  private static final Instant T = Instant.parse("2026-05-01T08:00:00Z");
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final List<Identifier> PEOPLE = List.of(Identifier.customerId("c-0"),
      Identifier.customerId("c-1"), Identifier.anonymousId("ck-0"),
      Identifier.anonymousId("ck-1"), Identifier.anonymousId("ck-2"));

  /** kind: 0-3 order, 4-5 refund, 6 login, 7 unmerge; then who, which order, and a batch cut. */
  record Step(int kind, int who, int order, int amount, boolean cut) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(Arbitraries.integers().between(0, 7),
        Arbitraries.integers().between(0, PEOPLE.size() - 1),
        Arbitraries.integers().between(0, 5), Arbitraries.integers().between(1, 40),
        Arbitraries.of(true, false)).as(Step::new).list().ofMinSize(1).ofMaxSize(40);
  }

  private static Event.Builder of(Event.Builder b, Identifier who) {
    return who.type().id().equals("customer_id") ? b.userId(who.value())
        : b.anonymousId(who.value());
  }

  @Property(tries = 40)
  @Label("orders, refunds, merges and unmerges in any batches give the in-memory store's profiles")
  void sameProfilesAsInMemory(@ForAll("steps") List<Step> steps) throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:order-rows-" + NAMES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    try (JdbcStore store = JdbcStore.create(ds);
        Cdp cdp = Cdp.builder().store(store).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      List<Event> batch = new ArrayList<>();
      int n = 0;
      for (Step s : steps) {
        Identifier who = PEOPLE.get(s.who());
        Instant at = T.plusSeconds(60L * n);
        String id = "m-" + n++;
        Event e = null;
        if (s.kind() <= 3) {
          e = of(Event.track("Order Completed"), who).messageId(id)
              .property("order_id", "ORD-" + s.order())
              .property("total", BigDecimal.valueOf(s.amount())).property("currency", "EUR")
              .timestamp(at).build();
        } else if (s.kind() <= 5) {
          e = of(Event.track("Order Refunded"), who).messageId(id)
              .property("order_id", "ORD-" + s.order())
              .property("total", BigDecimal.valueOf(s.amount() % 3 == 0 ? 40 : s.amount() / 4))
              .property("currency", "EUR").timestamp(at).build();
        } else if (s.kind() == 6) {
          e = Event.identify().messageId(id).userId("c-" + (s.order() % 2))
              .anonymousId("ck-" + (s.order() % 3)).timestamp(at).build();
        }
        if (e != null) {
          batch.add(e);
        }
        if (s.cut() || s.kind() == 7) {
          flush(cdp, reference, batch);
        }
        if (s.kind() == 7) {
          Identifier a = PEOPLE.get(s.who());
          Identifier b = PEOPLE.get(s.order() % PEOPLE.size());
          Optional<Profile> pa = reference.profiles().find(a);
          Optional<Profile> pb = reference.profiles().find(b);
          if (!a.equals(b) && pa.isPresent() && pb.isPresent()
              && pa.get().id().equals(pb.get().id())) {
            reference.profiles().unmerge(a, b);
            cdp.profiles().unmerge(a, b);
          }
        }
      }
      flush(cdp, reference, batch);
      assertSame(cdp, reference);
      // No order row outlives its profile (a merged-away profile's rows go with it).
      try (java.sql.Connection c = ds.getConnection();
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM cdp_profile_orders o"
              + " WHERE NOT EXISTS (SELECT 1 FROM cdp_profiles p WHERE p.workspace = o.workspace"
              + " AND p.id = o.profile_id)")) {
        rs.next();
        assertThat(rs.getLong(1)).as("order rows without a profile").isZero();
      }
      try (JdbcStore cold = JdbcStore.create(ds);
          Cdp again = Cdp.builder().store(cold).build()) {
        assertSame(again, reference);
      }
    }
  }

  private static void flush(Cdp cdp, Cdp reference, List<Event> batch) {
    if (!batch.isEmpty()) {
      assertThat(cdp.ingest(List.copyOf(batch)).rejected()).isZero();
      reference.ingest(List.copyOf(batch));
      batch.clear();
    }
  }

  private static void assertSame(Cdp got, Cdp want) {
    for (Identifier who : PEOPLE) {
      Optional<Profile> w = want.profiles().find(who);
      Optional<Profile> g = got.profiles().find(who);
      assertThat(g.isPresent()).as("profile of " + who).isEqualTo(w.isPresent());
      if (w.isPresent()) {
        assertThat(g.get().state()).as("profile of " + who).isEqualTo(w.get().state());
      }
    }
  }
}
