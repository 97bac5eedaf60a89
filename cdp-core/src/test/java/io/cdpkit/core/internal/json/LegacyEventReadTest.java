package io.cdpkit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Events stored before the text rule and the nesting ceiling applied (a NUL or other control in
 * a value, a key or an id; 1,200 levels of nesting) stay readable, so their person can still be
 * exported and erased: they are read repaired.
 */
class LegacyEventReadTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  static final RecordJson CODEC = new RecordJson();

  static String stored(Event e) {
    return CODEC.writeEvent(new StoredEvent(e, e.key(), List.of(Identifier.customerId("C-1")),
        Identifier.customerId("C-1")));
  }

  @Test
  @DisplayName("controls written before the rule are read as U+FFFD; line breaks in free text"
      + " stay")
  void controls() {
    String json = stored(Event.track("Order PLACEHOLDER").messageId("m-1").userId("C-1")
        .property("note", "a VALUEMARK b\nc").property("KEYMARK", 1L).timestamp(T).build())
        .replace("PLACEHOLDER", "\\u0000").replace("VALUEMARK", "\\u0007")
        .replace("KEYMARK", "k\\u0001");
    Event back = CODEC.readEvent(json).event();
    assertThat(back.name()).isEqualTo("Order \uFFFD");
    assertThat(back.properties()).containsEntry("note", "a \uFFFD b\nc")
        .containsEntry("k\uFFFD", 1L);
  }

  @Test
  @DisplayName("regression: an event nested 1,200 levels (stored before the ceiling) is read"
      + " with what lies below level 64 cut off, instead of failing for ever")
  void deep() {
    String json = stored(Event.track("Deep").messageId("m-2").userId("C-1")
        .property("p", "DEEP").timestamp(T).build())
        .replace("\"DEEP\"", "[".repeat(1_200) + "]".repeat(1_200));
    Event back = CODEC.readEvent(json).event();
    Object v = back.properties().get("p");
    int levels = 0;
    while (v instanceof List<?> l && !l.isEmpty()) {
      levels++;
      v = l.get(0);
    }
    assertThat(levels + 2).isLessThanOrEqualTo(64);
  }
}
