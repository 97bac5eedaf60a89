package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store whose transactions see one consistent state (the in-memory store) reports a node
 * without its profile or component as a corrupt identity graph: the event is rejected with that
 * reason and nothing of it is stored. (Stores with writers side by side turn the same gap into
 * a retry; cdp-storage-jdbc's {@code MergeRaceOnJdbcTest} forces that interleaving.)
 */
class InconsistentGraphTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Identifier MAIL = Identifier.email("noor@example.com");

  @ParameterizedTest
  @ValueSource(strings = {"no profile", "no component"})
  @DisplayName("a node whose profile or component is missing rejects the event as corruption")
  void missingRecordIsCorruption(String damage) {
    Store store = Store.inMemory();
    store.write(WorkspaceId.DEFAULT, tx -> {
      if (damage.equals("no profile")) {
        tx.putComponent(new ComponentRecord("c-1", null, List.of()));
      }
      tx.putNode(new IdentityNode(MAIL, ProfileId.of("p-gone"), "c-1"));
      return null;
    });
    // One identifier reads the node's profile; two read its component first.
    Event single = Event.track("Product Viewed").messageId("m-1")
        .identifier(MAIL.type(), MAIL.value()).timestamp(T0).build();
    Event linking = Event.identify().messageId("m-2").userId("u-noor")
        .trait("email", MAIL.value()).timestamp(T0).build();
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      for (Event e : List.of(single, linking)) {
        if (damage.equals("no component") && e == single) {
          continue; // the one-identifier path never reads the component
        }
        assertThatThrownBy(() -> cdp.ingest(e))
            .isInstanceOf(InvalidEventException.class)
            // No message text of the store is passed on (it may quote values): the kind only.
            .hasMessageContaining("could not be stored (IllegalStateException)");
        Optional<StoredEvent> stored = store.read(WorkspaceId.DEFAULT,
            tx -> tx.event(e.messageId()));
        assertThat(stored).isEmpty();
      }
    }
  }
}
