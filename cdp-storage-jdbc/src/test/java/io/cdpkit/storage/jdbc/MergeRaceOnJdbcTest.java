package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two nodes on one PostgreSQL or MariaDB, the interleaving forced: node A has read an e-mail's
 * identity node and is about to read its profile when node B's merge of that profile into
 * another commits. A's read finds the profile gone. That is a race between writers side by
 * side, not a corrupt graph: A's event must land in the merged profile, not be rejected.
 */
class MergeRaceOnJdbcTest {
  private static final Instant T0 = Instant.parse("2026-05-04T09:00:00Z");
  private static final Identifier MAIL = Identifier.email("noor@example.com");

  private final ExecutorService nodeB = Executors.newSingleThreadExecutor();
  private TestDatabases.Scratch scratch;

  @AfterEach
  void tearDown() {
    nodeB.shutdownNow();
    if (scratch != null) {
      TestDatabases.drop(scratch);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("a profile merged away on another node between a node read and a profile read:"
      + " the event runs again and lands in the merged profile")
  void eventBesideAMergeLands(String kind) throws Exception {
    scratch = TestDatabases.server(kind);
    AtomicReference<Thread> armed = new AtomicReference<>();
    AtomicBoolean fired = new AtomicBoolean();
    AtomicReference<Cdp> b = new AtomicReference<>();
    AtomicReference<Throwable> mergeFailed = new AtomicReference<>();
    // The merge event: the user id outranks the e-mail, so the user's profile survives and the
    // e-mail's profile is merged away.
    Event merge = Event.identify().messageId("b-merge").userId("u-noor")
        .trait("email", "noor@example.com").timestamp(T0.plusSeconds(20)).build();
    DataSource hooked = StatementRecorder.beforePrepare(scratch.dataSource(), sql -> {
      if (Thread.currentThread() == armed.get() && sql.contains("cdp_profiles")
          && fired.compareAndSet(false, true)) {
        try {
          nodeB.submit(() -> b.get().ingest(merge)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          mergeFailed.set(e);
        }
      }
    });
    try (JdbcStore storeA = JdbcStore.create(hooked);
        JdbcStore storeB = JdbcStore.create(scratch.dataSource());
        Cdp cdpA = Cdp.builder().store(storeA).build();
        Cdp cdpB = Cdp.builder().store(storeB).build()) {
      b.set(cdpB);
      ProfileId user = cdpB.ingest(Event.identify().messageId("b-1").userId("u-noor")
          .trait("first_name", "Noor").timestamp(T0).build()).profile().orElseThrow();
      ProfileId mail = cdpB.ingest(Event.identify().messageId("b-2").anonymousId("ck-noor")
          .trait("email", "noor@example.com").timestamp(T0.plusSeconds(10)).build())
          .profile().orElseThrow();
      assertThat(mail).isNotEqualTo(user);

      armed.set(Thread.currentThread());
      IngestResult r = cdpA.ingest(Event.track("Product Viewed").messageId("a-1")
          .identifier(IdentifierType.EMAIL, "noor@example.com").property("sku", "SKU-7")
          .timestamp(T0.plusSeconds(30)).build());
      armed.set(null);

      assertThat(fired).as("node B's merge ran between node A's reads").isTrue();
      assertThat(mergeFailed.get()).isNull();
      assertThat(r.isStored()).as("%s", r).isTrue();
      assertThat(r.profile()).contains(user);
      Profile p = cdpB.profiles().find(MAIL).orElseThrow();
      assertThat(p.id()).isEqualTo(user);
      assertThat(cdpB.profiles().events(p.id())).extracting(Event::messageId)
          .contains("a-1", "b-1", "b-2", "b-merge");
    }
  }
}
