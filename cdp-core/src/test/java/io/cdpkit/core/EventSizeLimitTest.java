package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.json.EventLimits;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The per-event byte limit on events built in Java, which the door checks against a size bound
 * that the event's copied maps carry: an event over the limit is rejected alone, its
 * neighbours stored, however its bytes hide (escapes, multi-byte chars, lists of maps nested in
 * maps), and one just under the limit is stored.
 */
class EventSizeLimitTest {
  private static final int MAX = 4_096;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Event view(String messageId, Map<String, Object> properties) {
    return Event.track("Page Viewed").messageId(messageId).anonymousId("a-" + messageId)
        .properties(properties).timestamp(T0).build();
  }

  /** Maps nested in a list nested in a map, each value {@code per} chars of {@code c}. */
  private static Map<String, Object> nested(int maps, int per, char c) {
    List<Object> list = new ArrayList<>();
    for (int i = 0; i < maps; i++) {
      list.add(Map.of("v", String.valueOf(c).repeat(per)));
    }
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("items", list);
    return Map.of("outer", inner);
  }

  @Test
  @DisplayName("an event over maxEventBytes is rejected alone, wherever its bytes are; one under"
      + " it is stored")
  void overTheLimitAlone() {
    EventLimits limits = new EventLimits(MAX, EventLimits.DEFAULT_MAX_BATCH_BYTES,
        EventLimits.DEFAULT_MAX_BATCH_EVENTS, EventLimits.DEFAULT_MAX_NESTING_DEPTH);
    EventCodec codec = EventCodec.create(limits);
    // '"' and '\\' take two bytes of JSON each, 'é' two bytes of UTF-8, '€' three.
    List<Event> over = List.of(view("q", nested(40, 60, '"')), view("b", nested(40, 60, '\\')),
        view("e", nested(40, 60, 'é')), view("u", nested(30, 60, '€')));
    try (Cdp cdp = Cdp.builder().eventLimits(limits).build()) {
      for (Event big : over) {
        assertThat(codec.encodedSize(big)).as(big.messageId()).isGreaterThan(MAX);
        BatchResult batch = cdp.ingest(List.of(view("before-" + big.messageId(), Map.of()), big,
            view("after-" + big.messageId(), Map.of())));
        assertThat(batch.stored()).as(big.messageId()).isEqualTo(2);
        IngestResult rejected = batch.results().get(1);
        assertThat(rejected.isStored()).isFalse();
        assertThat(rejected.rejection()).get().satisfies(e -> {
          assertThat(e.pointer()).isEmpty();
          assertThat(e.getMessage()).contains("larger than " + MAX + " bytes");
        });
        assertThat(cdp.profiles().find(
            Identifier.of(IdentifierType.ANONYMOUS_ID, "a-" + big.messageId())))
            .as("nothing of the rejected event is kept").isEmpty();
      }
      // The same shape, a little smaller: its bound is over the limit, its JSON is not.
      Event under = view("under", nested(30, 55, '"'));
      int size = codec.encodedSize(under);
      assertThat(size).isLessThan(MAX).isGreaterThan(MAX * 3 / 4);
      assertThat(cdp.ingest(List.of(under)).stored()).isEqualTo(1);
    }
  }
}
