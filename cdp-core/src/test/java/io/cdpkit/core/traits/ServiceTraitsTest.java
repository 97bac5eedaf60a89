package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ServiceTraits} on worked examples; {@code ServiceTraitsProperties} has the laws. */
class ServiceTraitsTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final Identifier C1 = Identifier.customerId("C-1");

  final MutableClock clock = new MutableClock(NOW);
  final Cdp cdp = Cdp.builder().clock(clock).computedTraits(ServiceTraits.all()).build();
  int messages;

  @AfterEach
  void close() {
    cdp.close();
  }

  void contact(String id, @Nullable String status, Instant at, String... more) {
    Event.Builder b = Event.track("Service Contact").messageId("m" + messages++).userId("C-1")
        .property("contact_id", id).timestamp(at);
    if (status != null) {
      b.property("status", status);
    }
    for (int i = 0; i < more.length; i += 2) {
      b.property(more[i], more[i + 1]);
    }
    cdp.ingest(b.build());
  }

  Map<String, Object> traits() {
    return cdp.profiles().find(C1).map(Profile::computedTraits).orElseThrow();
  }

  @Test
  @DisplayName("a contact opened, then solved: open while it is, then closed; the last contact "
      + "says where and why")
  void openThenSolved() {
    Instant t = NOW.minus(Duration.ofDays(3));
    contact("ZD-1", "new", t, "channel", "phone", "reason", "delivery", "priority", "High");
    contact("ZD-2", null, t.plusSeconds(60), "channel", "chat");
    assertThat(traits()).containsEntry(ServiceTraits.OPEN_CONTACTS, 2L)
        .containsEntry(ServiceTraits.OPEN_CONTACT_IDS, List.of("ZD-1", "ZD-2"))
        .containsEntry(ServiceTraits.OPEN_URGENT_CONTACTS, 1L)
        .containsEntry(ServiceTraits.LAST_CONTACT_AT, t.plusSeconds(60))
        .containsEntry(ServiceTraits.LAST_CONTACT_CHANNEL, "chat")
        .containsEntry(ServiceTraits.LAST_CONTACT_REASON, "delivery")
        .containsEntry(ServiceTraits.CONTACTS_90D, 2L);
    contact("ZD-1", " Solved ", t.plus(Duration.ofDays(1)));
    assertThat(traits()).containsEntry(ServiceTraits.OPEN_CONTACTS, 1L)
        .containsEntry(ServiceTraits.OPEN_CONTACT_IDS, List.of("ZD-2"))
        .containsEntry(ServiceTraits.OPEN_URGENT_CONTACTS, 0L);
  }

  @Test
  @DisplayName("a late 'open' update dated before the close does not reopen; a reopening after "
      + "it does; an exact tie of time leaves it closed")
  void lateEventsAndTies() {
    Instant t = NOW.minus(Duration.ofDays(1));
    contact("ZD-7", "closed", t);
    contact("ZD-7", "pending", t.minusSeconds(5)); // arrives late, happened earlier
    assertThat(traits()).containsEntry(ServiceTraits.OPEN_CONTACTS, 0L);
    contact("ZD-8", "open", t);
    contact("ZD-8", "CLOSED", t);
    assertThat(traits()).containsEntry(ServiceTraits.OPEN_CONTACTS, 0L);
    contact("ZD-7", "open", t.plusSeconds(5));
    assertThat(traits()).containsEntry(ServiceTraits.OPEN_CONTACT_IDS, List.of("ZD-7"));
  }

  @Test
  @DisplayName("contacts_90d forgets a contact the day it leaves the window; a contact event "
      + "without contact_id counts only for the last contact")
  void windowAndNoId() {
    contact("ZD-1", "open", NOW.minus(Duration.ofDays(89)));
    cdp.ingest(Event.track("Service Contact").messageId("no-id").userId("C-1")
        .property("channel", "store").timestamp(NOW).build());
    assertThat(traits()).containsEntry(ServiceTraits.CONTACTS_90D, 1L)
        .containsEntry(ServiceTraits.OPEN_CONTACTS, 1L)
        .containsEntry(ServiceTraits.LAST_CONTACT_CHANNEL, "store");
    clock.set(NOW.plus(Duration.ofDays(1)));
    assertThat(traits()).containsEntry(ServiceTraits.CONTACTS_90D, 0L)
        .containsEntry(ServiceTraits.OPEN_CONTACTS, 1L);
  }

  @Test
  @DisplayName("other contact events can be named; none or a blank one is refused")
  void names() {
    try (Cdp other = Cdp.builder().computedTraits(ServiceTraits.of("Ticket Updated")).build()) {
      other.ingest(Event.track("Ticket Updated").messageId("t").userId("C-1")
          .property("contact_id", "T-1").build());
      other.ingest(Event.track("Service Contact").messageId("s").userId("C-1")
          .property("contact_id", "S-1").build());
      assertThat(other.profiles().find(C1).orElseThrow().computedTraits())
          .containsEntry(ServiceTraits.OPEN_CONTACT_IDS, List.of("T-1"));
    }
    assertThatThrownBy(ServiceTraits::of).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("contact events must name at least one event");
    assertThatThrownBy(() -> ServiceTraits.of(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("contact events must not be blank");
  }
}
