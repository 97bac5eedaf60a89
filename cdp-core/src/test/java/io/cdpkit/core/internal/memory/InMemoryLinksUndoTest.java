package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.Savepoint;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A component's links are one byte array with room to grow after an undone addition; moving
 * them to a component without links hands over that very array, and later additions append to
 * it in place. The move's undo must give back the links as they were when they moved.
 */
class InMemoryLinksUndoTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Link link(int i) {
    return new Link(new EventKey(T0.plusSeconds(i), new UUID(7, i).toString()),
        List.of(Identifier.anonymousId("a-" + i), Identifier.email("d" + i + "@example.com")));
  }

  @Test
  @DisplayName("bug: links moved to an empty component, appended to there in place and the"
      + " array grown, came back with the appended link after a rollback over the move")
  void rollbackOverMoveThenAppends() {
    InMemoryStore store = new InMemoryStore();
    String from = new UUID(1, 2).toString();
    String to = "c-plain";
    store.write(WS, tx -> {
      tx.addLink(from, link(0));
      Savepoint first = tx.savepoint();
      tx.addLink(from, link(1)); // the array grows, and keeps its room after the rollback
      tx.rollbackTo(first);
      assertThat(tx.links(from)).containsExactly(link(0));
      Savepoint beforeMove = tx.savepoint();
      tx.moveLinks(from, to);
      tx.addLink(to, link(2)); // appended in place, into the array that moved
      tx.addLink(to, link(3)); // the array grows: a copy
      assertThat(tx.links(to)).containsExactly(link(0), link(2), link(3));
      assertThat(tx.links(from)).isEmpty();
      tx.rollbackTo(beforeMove);
      assertThat(tx.links(from)).containsExactly(link(0));
      assertThat(tx.links(to)).isEmpty();
      tx.addLink(from, link(4));
      return null;
    });
    List<Link> kept = store.read(WS, tx -> tx.links(from));
    assertThat(kept).containsExactly(link(0), link(4));
  }
}
