package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store deletes a person's events in one pass per anchor (erasing a person with
 * a million events was quadratic, issue 15 item 10); its undo must still restore each anchor's
 * list exactly, also when the list was emptied and refilled in the same transaction.
 */
class InMemoryDeleteEventsTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;
  private static final Identifier ANN = Identifier.email("ann@example.com");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static StoredEvent event(String id, int second) {
    Event e = Event.track("Viewed").messageId(id).identifier(ANN)
        .timestamp(T0.plusSeconds(second)).build();
    return new StoredEvent(e, new EventKey(e.eventTime(), id), List.of(ANN), ANN);
  }

  @Test
  @DisplayName("deleting, emptying and refilling an anchor's events, then rolling back to a"
      + " savepoint, gives the anchor's events back exactly")
  void rollbackRestoresTheAnchorsList() {
    Store store = Store.inMemory();
    List<StoredEvent> ten = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ten.add(event("e-" + i, i));
    }
    store.write(WS, tx -> {
      ten.forEach(tx::insertEvent);
      return null;
    });
    store.write(WS, tx -> {
      Savepoint sp = tx.savepoint();
      tx.require(PrivacyStorage.class).deleteEvents(List.of("e-0", "e-2", "e-4", "e-6", "e-8"));
      tx.insertEvent(event("n-1", 20));
      tx.require(PrivacyStorage.class)
          .deleteEvents(List.of("e-1", "e-3", "e-5", "e-7", "e-9", "n-1", "e-1"));
      assertThat(tx.eventsByAnchors(List.of(ANN))).isEmpty();
      tx.insertEvent(event("n-2", 21));
      assertThat(tx.eventsByAnchors(List.of(ANN))).extracting(StoredEvent::messageId)
          .containsExactly("n-2");
      tx.rollbackTo(sp);
      assertThat(tx.eventsByAnchors(List.of(ANN))).containsExactlyElementsOf(ten);
      tx.require(PrivacyStorage.class).deleteEvents(List.of("e-3"));
      return null;
    });
    List<StoredEvent> left = new ArrayList<>(ten);
    left.remove(3);
    assertThat(store.<List<StoredEvent>>read(WS, tx -> tx.eventsByAnchors(List.of(ANN))))
        .containsExactlyElementsOf(left);
    assertThat(store.<java.util.Optional<StoredEvent>>read(WS, tx -> tx.event("n-2"))).isEmpty();
    assertThat(store.<java.util.Optional<StoredEvent>>read(WS, tx -> tx.event("e-0"))).isPresent();
  }
}
