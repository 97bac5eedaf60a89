package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link Message} that the webhook posts and the file channel writes as
 * JSON Lines: one object, on one line, with the fields in a fixed order. Thread-safe.
 */
final class MessageJson {
  // An ObjectWriter is immutable and thread-safe.
  private static final ObjectWriter WRITER = new ObjectMapper().writer();

  private MessageJson() {}

  /** The message as a JSON object, without line breaks. */
  static byte[] bytes(Message m) throws JsonProcessingException {
    return WRITER.writeValueAsBytes(tree(m));
  }

  /** One value as JSON text (for nested payload values in CSV cells). */
  static String text(Object value) throws JsonProcessingException {
    return WRITER.writeValueAsString(value);
  }

  static Map<String, Object> tree(Message m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("idempotencyKey", m.idempotencyKey());
    json.put("workspace", m.workspace().value());
    json.put("profile", m.profile().value());
    json.put("rule", m.rule());
    json.put("channel", m.channel());
    json.put("purpose", m.purpose());
    json.put("trigger", m.trigger());
    json.put("attempt", m.attempt());
    json.put("decidedAt", m.decidedAt().toString());
    List<Map<String, String>> recipients = new ArrayList<>(m.recipients().size());
    for (Identifier i : m.recipients()) {
      Map<String, String> r = new LinkedHashMap<>();
      r.put("type", i.type().id());
      r.put("value", i.value());
      recipients.add(r);
    }
    json.put("recipients", recipients);
    json.put("payload", m.payload());
    return json;
  }
}
