package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new visitor's identity component has no row until its first link, so no row lock guards
 * it: the locks of its one node and of that node's profile do. Two nodes of one PostgreSQL or
 * MariaDB link the same visitors at the same moment, each with an identifier of its own: every
 * visitor must end with one component record that holds both links (the later one as its
 * latest), and with the profiles an in-memory store gives for the same events in one order.
 */
class UnstoredComponentRaceTest {
  private static final Instant T = Instant.parse("2026-06-01T09:00:00Z");
  private static final int VISITORS = 60;
  private static final int BATCH = 5;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private TestDatabases.Scratch scratch;

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    if (scratch != null) {
      TestDatabases.drop(scratch);
    }
  }

  /** A page view of every visitor; {@code round} tells them apart. */
  private static List<Event> pages(int round) {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < VISITORS; i++) {
      out.add(Event.page("Home").messageId("pv-" + round + "-" + i).anonymousId("ck-" + i)
          .timestamp(T.plusSeconds(100L * round + i)).build());
    }
    return out;
  }

  /** One node's links: the user id (node 0) or the e-mail address (node 1) of each visitor. */
  private static List<Event> links(int node) {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < VISITORS; i++) {
      Event.Builder b = Event.identify().messageId("id-" + node + "-" + i).anonymousId("ck-" + i)
          .timestamp(T.plusSeconds(1_000 + 2L * i + node));
      out.add(node == 0 ? b.userId("u-" + i).build()
          : b.trait("email", "v" + i + "@example.com").build());
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgres", "mariadb"})
  @DisplayName("two nodes link the same new visitors at once: one component record per visitor"
      + " with both links, the later one its latest, and the profiles of one order")
  void twoNodesLinkTheSameVisitors(String kind) throws Exception {
    scratch = TestDatabases.server(kind);
    try (JdbcStore one = JdbcStore.create(scratch.dataSource());
        JdbcStore two = JdbcStore.create(scratch.dataSource());
        Cdp a = Cdp.builder().store(one).build();
        Cdp b = Cdp.builder().store(two).build();
        Cdp reference = Cdp.builder().store(Store.inMemory()).build()) {
      a.ingest(pages(0));
      // A visitor's return makes each node read (and cache) the visitor's node, profile and
      // component, which has no row: both nodes hold "no component" before the race.
      a.ingest(pages(1));
      b.ingest(pages(2));
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<?>> runs = new ArrayList<>();
      for (int node = 0; node < 2; node++) {
        Cdp cdp = node == 0 ? a : b;
        List<Event> mine = links(node);
        runs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < mine.size(); i += BATCH) {
            assertThat(cdp.ingest(mine.subList(i, i + BATCH)).rejected()).isZero();
          }
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get(120, TimeUnit.SECONDS);
      }

      for (int round = 0; round < 3; round++) {
        reference.ingest(pages(round));
      }
      reference.ingest(links(0));
      reference.ingest(links(1));
      for (int i = 0; i < VISITORS; i++) {
        Identifier cookie = Identifier.anonymousId("ck-" + i);
        IdentityNode node = one.read(WorkspaceId.DEFAULT, tx -> tx.node(cookie)).orElseThrow();
        ComponentRecord c = one.read(WorkspaceId.DEFAULT, tx -> tx.component(node.component()))
            .orElseThrow(() -> new AssertionError("no component record for a linked visitor"));
        assertThat(c.latestLink().messageId()).as("latest link of visitor " + i)
            .isEqualTo("id-1-" + i);
        List<Link> links = one.read(WorkspaceId.DEFAULT, tx -> tx.links(node.component()));
        assertThat(links).as("links of visitor " + i).hasSize(2);
        Profile got = a.profiles().find(cookie).orElseThrow();
        Profile want = reference.profiles().find(cookie).orElseThrow();
        assertThat(new HashSet<>(got.identifiers())).as("visitor " + i)
            .isEqualTo(new HashSet<>(want.identifiers()));
        assertThat(got.state()).as("visitor " + i).isEqualTo(want.state());
      }
    }
  }
}
