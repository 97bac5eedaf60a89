package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import java.util.List;

/**
 * Fuzzes {@link EventCodec#decodeBody(byte[])} with arbitrary bytes: the only exception that may
 * escape is the documented {@link InvalidEventException} (never a NullPointerException,
 * ClassCastException, StackOverflowError or index error), and every event it accepts encodes
 * and reads back equal, as {@link EventCodec} promises.
 *
 * <p>{@code mvn verify} replays the inputs under
 * {@code src/test/resources/io/cdpkit/core/json/EventCodecFuzzTestInputs/decodeBody} (seeds and
 * every crash ever found). {@code JAZZER_FUZZ=1} fuzzes for real for {@code maxDuration}; see
 * "Fuzzing" in cdp-core's README for the command.
 */
class EventCodecFuzzTest {
  private static final EventCodec CODEC = EventCodec.create();

  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({"\"type\"", "\"track\"", "\"identify\"", "\"page\"", "\"alias\"",
      "\"group\"", "\"screen\"", "\"messageId\"", "\"userId\"", "\"anonymousId\"",
      "\"previousId\"", "\"groupId\"", "\"event\"", "\"name\"", "\"properties\"", "\"traits\"",
      "\"context\"", "\"externalIds\"", "\"id\"", "\"channel\"", "\"browser\"", "\"mobile\"",
      "\"consent\"", "\"purpose\"", "\"granted\"", "\"timestamp\"", "\"originalTimestamp\"",
      "\"sentAt\"", "\"receivedAt\"", "\"batch\"", "\"library\"", "\"email\"",
      "\"2026-03-01T10:15:00.123+01:00\"", "1E400", "\"\\ud800\""})
  void decodeBody(byte[] body) {
    List<DecodedMessage> messages;
    try {
      messages = CODEC.decodeBody(body);
    } catch (InvalidEventException expected) {
      return;
    }
    for (DecodedMessage m : messages) {
      if (m.isValid()) {
        Event e = m.orThrow();
        assertThat(CODEC.decodeMessage(CODEC.encode(e))).isEqualTo(e);
      } else {
        assertThat(m.error()).isNotNull();
      }
    }
  }
}
