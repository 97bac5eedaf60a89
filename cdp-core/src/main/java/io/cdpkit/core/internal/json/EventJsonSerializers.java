package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import java.io.IOException;
import java.util.List;

/** The serializers {@link io.cdpkit.core.json.CdpJacksonModule} registers. Stateless holder. */
public final class EventJsonSerializers {
  private EventJsonSerializers() {}

  /** An event as a Segment-shaped message. Immutable; thread-safe. */
  public static final class EventSerializer extends StdSerializer<Event> {
    private static final long serialVersionUID = 1L;

    public EventSerializer() {
      super(Event.class);
    }

    @Override
    public void serialize(Event value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      EventWriter.checkWritable(value);
      EventWriter.write(value, gen);
    }
  }

  /**
   * A context on its own, as the message's {@code context} object without {@code externalIds}
   * (identifiers belong to the event). Immutable; thread-safe.
   */
  public static final class ContextSerializer extends StdSerializer<EventContext> {
    private static final long serialVersionUID = 1L;

    public ContextSerializer() {
      super(EventContext.class);
    }

    @Override
    public void serialize(EventContext value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      EventWriter.checkContextWritable(value);
      EventWriter.writeContextObject(gen, value, List.of(), value.channel() != null);
    }
  }

  /** {@code {"id": ..., "type": ...}}. Immutable; thread-safe. */
  public static final class IdentifierSerializer extends StdSerializer<Identifier> {
    private static final long serialVersionUID = 1L;

    public IdentifierSerializer() {
      super(Identifier.class);
    }

    @Override
    public void serialize(Identifier value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      EventWriter.writeIdentifier(gen, value);
    }
  }

  /** {@code {"purpose": ..., "channel": ..., "granted": ...}}. Immutable; thread-safe. */
  public static final class ConsentSerializer extends StdSerializer<ConsentChange> {
    private static final long serialVersionUID = 1L;

    public ConsentSerializer() {
      super(ConsentChange.class);
    }

    @Override
    public void serialize(ConsentChange value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      EventWriter.writeConsent(gen, value);
    }
  }
}
