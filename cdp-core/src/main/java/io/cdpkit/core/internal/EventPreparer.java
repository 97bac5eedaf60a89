package io.cdpkit.core.internal;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Validates an event, stamps {@code receivedAt}, normalises its identifiers and computes its
 * contribution. Runs on the caller's thread, outside the store's transaction. Thread-safe.
 */
final class EventPreparer {
  private final PipelineConfig config;
  private final IdentityRules rules;
  private final Contributions contributions;

  private final EventCodec codec;

  private final TraitRegistry traits;

  EventPreparer(PipelineConfig config, EventCodec codec, TraitRegistry traits) {
    this.config = config;
    this.traits = traits;
    this.codec = codec;
    this.rules = config.rules();
    this.contributions = new Contributions(config);
  }

  /**
   * Prepares a client's event.
   *
   * @throws InvalidEventException naming the offending field; {@code /context/source} when it is
   *     in the namespace reserved for CDPKit's own events
   */
  PreparedEvent prepare(Event raw) {
    if (OwnEvents.reserved(raw.context().source())) {
      throw new InvalidEventException("/context/source",
          "is reserved: sources starting with " + OwnEvents.RESERVED_PREFIX
              + " are for CDPKit's own events");
    }
    return prepareAny(raw);
  }

  /** Prepares one of CDPKit's own events (see {@link OwnEvents}). */
  PreparedEvent prepareOwn(Event raw) {
    return prepareAny(raw);
  }

  private PreparedEvent prepareAny(Event raw) {
    checkSize(raw);
    checkDepth(raw);
    Event e = raw.receivedAtIfAbsent(config.clock().instant());
    Instant time = e.eventTime();
    List<Identifier> ids = identifiers(e);
    ComputedTraits ct = traits.current();
    ProfileState contribution = contributions.of(e, time, ids, ct);
    StoredEvent stored = new StoredEvent(e, new EventKey(time, e.messageId()), ids,
        ids.isEmpty() ? null : ids.get(0));
    return new PreparedEvent(stored, contribution, ct);
  }

  /**
   * The event prepared against the computed traits now in force: itself when they have not
   * changed since it was prepared.
   */
  PreparedEvent current(PreparedEvent p) {
    ComputedTraits ct = traits.current();
    if (p.traits() == ct) {
      return p;
    }
    return new PreparedEvent(p.stored(),
        contributions.of(p.stored().event(), p.stored().key().time(),
            p.stored().identifiers(), ct), ct);
  }

  /** Enforces the per-event byte limit of the codec's limits on events built in Java too. */
  private void checkSize(Event e) {
    int max = codec.limits().maxEventBytes();
    if (EventSize.upperBound(e) > max) {
      int size;
      try {
        size = codec.encodedSize(e);
      } catch (IllegalArgumentException ex) {
        throw new InvalidEventException("", "cannot be written as JSON: " + ex.getMessage());
      }
      if (size > max) {
        throw new InvalidEventException("", "is larger than " + max + " bytes as JSON");
      }
    }
  }

  /**
   * Enforces the codec's nesting limit on events built in Java too (the event itself enforces
   * the ceiling {@link JsonValues#MAX_DEPTH}); the message is level 1.
   */
  private void checkDepth(Event e) {
    int max = codec.limits().maxNestingDepth();
    if (max >= JsonValues.MAX_DEPTH) {
      return;
    }
    JsonValues.checkDepth(e.properties(), "/properties", 2, max);
    JsonValues.checkDepth(e.traits(), "/traits", 2, max);
    JsonValues.checkDepth(e.extra(), "", 1, max);
    JsonValues.checkDepth(e.context().other(), "/context", 2, max);
    JsonValues.checkDepth(e.context().device(), "/context/device", 3, max);
    JsonValues.checkDepth(e.context().campaign(), "/context/campaign", 3, max);
    JsonValues.checkDepth(e.context().traits(), "/context/traits", 3, max);
  }

  /** Recomputes a stored event's contribution (same result as when it was prepared). */
  ProfileState contribution(StoredEvent s) {
    return contributions.of(s.event(), s.key().time(), s.identifiers(), traits.current());
  }

  /** The event's normalised, unblocked identifiers, deduplicated, highest priority first. */
  List<Identifier> identifiers(Event e) {
    List<Identifier> out = new ArrayList<>(4);
    add(out, IdentifierType.CUSTOMER_ID, e.userId(), "/userId");
    add(out, IdentifierType.ANONYMOUS_ID, e.anonymousId(), "/anonymousId");
    if (e.type() == EventType.ALIAS) {
      add(out, IdentifierType.ANONYMOUS_ID, e.previousId(), "/previousId");
    }
    List<Identifier> extra = e.identifiers();
    for (int i = 0; i < extra.size(); i++) {
      Identifier raw = extra.get(i);
      addNormalized(out, raw, "/context/externalIds/" + i + "/id");
    }
    if (e.type() == EventType.IDENTIFY) {
      traitIdentifiers(out, e.traits(), "/traits/");
    }
    traitIdentifiers(out, e.context().traits(), "/context/traits/");
    if (out.size() > 1) {
      out.sort(rules.priorityOrder());
    }
    return out;
  }

  private void traitIdentifiers(List<Identifier> out, Map<String, @Nullable Object> traits,
      String prefix) {
    if (traits.isEmpty()) {
      return;
    }
    for (Map.Entry<String, IdentifierType> t : rules.traitIdentifiers().entrySet()) {
      Object v = traits.get(t.getKey());
      if (v == null) {
        continue;
      }
      String pointer = prefix + escape(t.getKey());
      if (!(v instanceof String s)) {
        throw new InvalidEventException(pointer, "must be a string");
      }
      add(out, t.getValue(), s, pointer);
    }
  }

  private void add(List<Identifier> out, IdentifierType type, @Nullable String value,
      String pointer) {
    if (value == null) {
      return;
    }
    Identifier raw;
    try {
      raw = new Identifier(type, value);
    } catch (IllegalArgumentException ex) {
      throw new InvalidEventException(pointer, "must be 1 to " + Identifier.MAX_VALUE_LENGTH
          + " characters");
    }
    addNormalized(out, raw, pointer);
  }

  private void addNormalized(List<Identifier> out, Identifier raw, String pointer) {
    Identifier n;
    try {
      n = rules.normalize(raw).orElse(null);
    } catch (InvalidEventException ex) {
      throw ex.under(pointer);
    }
    if (n != null && !out.contains(n)) {
      out.add(n);
    }
  }

  /** JSON pointer escaping (RFC 6901). */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
