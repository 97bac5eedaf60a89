package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The deserializers {@link io.cdpkit.core.json.CdpJacksonModule} registers. Each reads its value
 * with a {@link JsonTreeReader} (nesting depth, duplicate keys, exact decimals) and throws
 * {@link InvalidEventException} for a value that breaks a rule; Jackson may wrap it when the value
 * sits inside a bean of the host's.
 *
 * <p>Stateless holder; the deserializers are immutable and thread-safe.
 */
public final class EventJsonDeserializers {
  private EventJsonDeserializers() {}

  static Map<String, @Nullable Object> readObject(JsonTreeReader reader, JsonParser p)
      throws IOException {
    JsonTreeReader.Result r;
    if (p.currentToken() == JsonToken.FIELD_NAME || p.currentToken() == JsonToken.END_OBJECT) {
      r = reader.readObjectFromField(p);
    } else {
      r = reader.read(p);
    }
    if (r.error() != null) {
      throw r.error();
    }
    if (!(r.value() instanceof Map<?, ?>)) {
      throw new InvalidEventException("", "must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> map = (Map<String, @Nullable Object>) r.value();
    return map;
  }

  /** A Segment-shaped message. Immutable; thread-safe. */
  public static final class EventDeserializer extends StdDeserializer<Event> {
    private static final long serialVersionUID = 1L;
    private final transient JsonTreeReader reader;

    public EventDeserializer(int maxDepth) {
      super(Event.class);
      this.reader = new JsonTreeReader(maxDepth);
    }

    @Override
    public Event deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return EventMapping.toEvent(readObject(reader, p), null);
    }
  }

  /**
   * A context object on its own (as {@code ContextSerializer} writes it); {@code externalIds} is
   * refused there, because identifiers belong to the event. Immutable; thread-safe.
   */
  public static final class ContextDeserializer extends StdDeserializer<EventContext> {
    private static final long serialVersionUID = 1L;
    private final transient JsonTreeReader reader;

    public ContextDeserializer(int maxDepth) {
      super(EventContext.class);
      this.reader = new JsonTreeReader(maxDepth);
    }

    @Override
    public EventContext deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      Map<String, @Nullable Object> map = readObject(reader, p);
      if (map.containsKey("externalIds")) {
        throw new InvalidEventException("/externalIds",
            "is not allowed in a context read on its own; read the whole event");
      }
      try {
        return EventMapping.context(map, null, new ArrayList<>());
      } catch (InvalidEventException e) {
        // Pointers from the mapping start with /context; here the context is the root.
        String pointer = e.pointer().startsWith("/context") ? e.pointer().substring(8)
            : e.pointer();
        throw new InvalidEventException(pointer, e.reason());
      }
    }
  }

  /** {@code {"id": ..., "type": ...}}. Immutable; thread-safe. */
  public static final class IdentifierDeserializer extends StdDeserializer<Identifier> {
    private static final long serialVersionUID = 1L;
    private final transient JsonTreeReader reader;

    public IdentifierDeserializer(int maxDepth) {
      super(Identifier.class);
      this.reader = new JsonTreeReader(maxDepth);
    }

    @Override
    public Identifier deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return EventMapping.identifier(readObject(reader, p), "");
    }
  }

  /** {@code {"purpose": ..., "channel": ..., "granted": ...}}. Immutable; thread-safe. */
  public static final class ConsentDeserializer extends StdDeserializer<ConsentChange> {
    private static final long serialVersionUID = 1L;
    private final transient JsonTreeReader reader;

    public ConsentDeserializer(int maxDepth) {
      super(ConsentChange.class);
      this.reader = new JsonTreeReader(maxDepth);
    }

    @Override
    public ConsentChange deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      return EventMapping.consent(readObject(reader, p), "");
    }
  }
}
