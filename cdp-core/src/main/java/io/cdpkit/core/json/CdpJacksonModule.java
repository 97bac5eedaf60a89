package io.cdpkit.core.json;

import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.cdpkit.core.internal.json.EventJsonDeserializers;
import io.cdpkit.core.internal.json.EventJsonSerializers;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;

/**
 * A Jackson module that reads and writes CDPKit's event types the way Segment and RudderStack
 * clients send them, for hosts that want events inside their own JSON:
 *
 * <ul>
 *   <li>{@link Event}: a Segment-shaped message, mapped as {@link EventCodec} describes;
 *   <li>{@link EventContext}: a message's {@code context} object, without {@code externalIds}
 *       (identifiers belong to the event; reading a context with {@code externalIds} fails);
 *   <li>{@link Identifier}: {@code {"id": ..., "type": ...}}, an element of
 *       {@code context.externalIds};
 *   <li>{@link ConsentChange}: {@code {"purpose": ..., "channel": ..., "granted": ...}} with
 *       the optional evidence (see {@link ConsentChange}).
 * </ul>
 *
 * <p>The model types carry no Jackson annotations; this module is the whole mapping.
 *
 * <pre>{@code
 * ObjectMapper mapper = JsonMapper.builder().addModule(new CdpJacksonModule()).build();
 * Event e = mapper.readValue(json, Event.class);
 * }</pre>
 *
 * <p>What the module does and does not check: its deserializers enforce the
 * {@linkplain EventLimits#maxNestingDepth() nesting depth}, refuse duplicate keys and read every
 * non-integral number as an exact {@code BigDecimal}, whatever the mapper's settings; a value that
 * breaks a rule throws {@link io.cdpkit.core.InvalidEventException} (Jackson may wrap it in a
 * {@code JsonMappingException} when the event sits inside a bean). It does not enforce byte
 * limits, inflate gzip, read {@code {"batch": [...]}} bodies or change the parser settings of
 * the host's mapper: for what arrives from clients, use {@link EventCodec}, which does all that
 * with a mapper of its own.
 *
 * <p>Writing an event whose {@code extra} or {@code context.other} holds a key the mapping writes
 * itself throws {@link IllegalArgumentException} (see {@link EventCodec#encode(Event)}).
 *
 * <p>Thread-safe once constructed, as long as nobody calls {@code SimpleModule}'s mutators on
 * it; the serializers and deserializers it registers are immutable and thread-safe.
 */
public final class CdpJacksonModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** The module with the default nesting depth ({@link EventLimits#defaults()}). */
  public CdpJacksonModule() {
    this(EventLimits.defaults());
  }

  /** The module with the nesting depth of {@code limits}; its byte limits do not apply here. */
  public CdpJacksonModule(EventLimits limits) {
    super("CdpJacksonModule", Version.unknownVersion());
    int depth = limits.maxNestingDepth();
    addSerializer(Event.class, new EventJsonSerializers.EventSerializer());
    addSerializer(EventContext.class, new EventJsonSerializers.ContextSerializer());
    addSerializer(Identifier.class, new EventJsonSerializers.IdentifierSerializer());
    addSerializer(ConsentChange.class, new EventJsonSerializers.ConsentSerializer());
    addDeserializer(Event.class, new EventJsonDeserializers.EventDeserializer(depth));
    addDeserializer(EventContext.class, new EventJsonDeserializers.ContextDeserializer(depth));
    addDeserializer(Identifier.class, new EventJsonDeserializers.IdentifierDeserializer(depth));
    addDeserializer(ConsentChange.class, new EventJsonDeserializers.ConsentDeserializer(depth));
  }
}
