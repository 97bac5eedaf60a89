package io.cdpkit.core.internal;

import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Validates an event, stamps {@code receivedAt}, normalises its identifiers and computes its
 * contribution. Runs on the caller's thread, outside the store's transaction. Thread-safe.
 *
 * <p>The door for clients' events ({@link #prepare}): everything that can fail on an event is
 * checked here, before any transaction, and every failure, whatever its kind, becomes an
 * {@link InvalidEventException} naming the field. In order:
 *
 * <ol>
 *   <li>Values: nesting no deeper than the codec's {@link io.cdpkit.core.json.EventLimits
 *       #maxNestingDepth()} (the message counting as level 1, as in JSON); numbers with at
 *       most {@value JsonValues#MAX_NUMBER_DIGITS} digits and a decimal exponent within
 *       &plusmn;{@value JsonValues#MAX_NUMBER_EXPONENT} (so that no sum or comparison the
 *       engine makes on them can explode: {@code 1e2147483647} is rejected).
 *   <li>Size: the codec's per-event byte limit, for events built in Java too.
 *   <li>Time: every time within {@link Event#MIN_TIME} .. {@link Event#MAX_TIME};
 *       {@code receivedAt} (stamped with the clock when absent) no later than clock plus
 *       tolerance, else the clock's time; the event time no later than receive time plus
 *       tolerance (plus nothing for an event carrying consent decisions), else the event is
 *       {@linkplain Event#withEventTime restamped} at its receive time. Corrections are
 *       {@link IngestWarning.Kind#TIME_CORRECTED} warnings.
 *   <li>Identifiers: explicit ones ({@code userId}, {@code anonymousId}, {@code previousId},
 *       {@code context.externalIds}) that are unusable reject the event; identifier traits
 *       ({@code traits.email}, {@code context.traits.phone}, ...) that are unusable are left out
 *       of the stored event with an {@link IngestWarning.Kind#IDENTIFIER_DROPPED} warning.
 *   <li>Amounts: rounded to the currency's minor unit ({@link Contributions#roundAmount}),
 *       then the contribution is computed (which checks amounts and currencies).
 *   <li>Loyalty: a loyalty event read by a declared loyalty ledger must have usable
 *       {@code points}, {@code program} and {@code expires_at}
 *       ({@link io.cdpkit.core.traits.ComputedTraits#check}).
 * </ol>
 */
final class EventPreparer {
  private final PipelineConfig config;
  private final IdentityRules rules;
  private final Contributions contributions;

  private final EventCodec codec;

  private final TraitRegistry traits;

  /** A workspace's catalog products, as contributions join events with them. */
  private final java.util.function.Function<WorkspaceId,
      java.util.NavigableMap<String, io.cdpkit.core.catalog.Product>> catalogs;

  EventPreparer(PipelineConfig config, EventCodec codec, TraitRegistry traits,
      java.util.function.Function<WorkspaceId,
          java.util.NavigableMap<String, io.cdpkit.core.catalog.Product>> catalogs) {
    this.config = config;
    this.traits = traits;
    this.catalogs = catalogs;
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
  PreparedEvent prepare(WorkspaceId ws, Event raw) {
    try {
      if (OwnEvents.reserved(raw.context().source())) {
        throw new InvalidEventException("/context/source",
            "is reserved: sources starting with " + OwnEvents.RESERVED_PREFIX
                + " are for CDPKit's own events");
      }
      return prepareClient(ws, raw);
    } catch (InvalidEventException ex) {
      throw ex;
    } catch (RuntimeException | StackOverflowError ex) {
      // Whatever else an event makes fail here is still that event's rejection; the exception's
      // message is not passed on, as it may quote the event's values.
      throw new InvalidEventException("", "cannot be processed ("
          + ex.getClass().getSimpleName() + ")");
    }
  }

  /** Prepares one of CDPKit's own events (see {@link OwnEvents}): no door checks. */
  PreparedEvent prepareOwn(WorkspaceId ws, Event raw) {
    checkSize(raw);
    Event e = raw.receivedAtIfAbsent(config.clock().instant());
    return finish(ws, e, e.eventTime(), identifiers(e), List.of(), false);
  }

  private PreparedEvent prepareClient(WorkspaceId ws, Event raw) {
    checkValues(raw);
    checkSize(raw);
    List<IngestWarning> warnings = new ArrayList<>(0);
    Event e = raw;
    Instant now = config.clock().instant();
    checkTimes(e);
    boolean corrected = false;
    if (e.receivedAt() == null) {
      e = e.withReceivedAt(now);
    } else if (e.receivedAt().isAfter(now.plus(config.clockTolerance()))) {
      e = e.withReceivedAt(now);
      warnings.add(new IngestWarning("/receivedAt", IngestWarning.Kind.TIME_CORRECTED));
      corrected = true;
    }
    Instant received = e.receivedAt();
    Instant time = e.eventTime();
    Instant latest = e.consents().isEmpty() ? received.plus(config.clockTolerance()) : received;
    if (time.isAfter(latest)) {
      warnings.add(new IngestWarning(timePointer(e), IngestWarning.Kind.TIME_CORRECTED));
      e = e.withEventTime(received);
      time = received;
      corrected = true;
    }
    if (time.isBefore(Event.MIN_TIME)) {
      throw new InvalidEventException(timePointer(e), "corrected for the client's clock skew "
          + "(sentAt) lies before " + Event.MIN_TIME);
    }
    Set<String> dropped = new HashSet<>(0);
    Set<String> droppedFromContext = new HashSet<>(0);
    List<Identifier> ids = identifiers(e, dropped, droppedFromContext, warnings);
    e = without(e, dropped, droppedFromContext);
    e = contributions.roundAmount(e, warnings);
    traits.current().check(e);
    return finish(ws, e, time, ids, warnings, corrected);
  }

  private PreparedEvent finish(WorkspaceId ws, Event e, Instant time, List<Identifier> ids,
      List<IngestWarning> warnings, boolean corrected) {
    ComputedTraits ct = traits.current();
    java.util.NavigableMap<String, io.cdpkit.core.catalog.Product> catalog = catalog(ws, ct);
    ProfileState contribution = contributions.of(ws, e, time, ids, ct, lookup(catalog));
    StoredEvent stored = new StoredEvent(e, new EventKey(time, e.messageId()), ids,
        ids.isEmpty() ? null : ids.get(0));
    return new PreparedEvent(stored, contribution, ct, catalog, warnings, corrected);
  }

  /** The catalog the traits join events with; {@code null} when none reads it. */
  private java.util.@Nullable NavigableMap<String, io.cdpkit.core.catalog.Product> catalog(
      WorkspaceId ws, ComputedTraits ct) {
    return ct.catalogFields().isEmpty() ? null : catalogs.apply(ws);
  }

  private static io.cdpkit.core.catalog.ProductLookup lookup(
      java.util.@Nullable NavigableMap<String, io.cdpkit.core.catalog.Product> catalog) {
    return catalog == null ? io.cdpkit.core.catalog.ProductLookup.NONE : catalog::get;
  }

  /** The pointer of the client time an event's time comes from. */
  private static String timePointer(Event e) {
    return e.originalTimestamp() != null ? "/originalTimestamp"
        : e.timestamp() != null ? "/timestamp" : "/receivedAt";
  }

  /** Every time the event states lies within {@link Event#MIN_TIME} .. {@link Event#MAX_TIME}. */
  private static void checkTimes(Event e) {
    inRange(e.timestamp(), "/timestamp");
    inRange(e.originalTimestamp(), "/originalTimestamp");
    inRange(e.sentAt(), "/sentAt");
    inRange(e.receivedAt(), "/receivedAt");
    List<ConsentChange> consents = e.consents();
    for (int i = 0; i < consents.size(); i++) {
      ConsentChange c = consents.get(i);
      inRange(c.expiresAt(), "/consent/" + i + "/expiresAt");
      if (c.proof() != null) {
        inRange(c.proof().confirmedAt(), "/consent/" + i + "/proof/confirmedAt");
      }
    }
  }

  private static void inRange(@Nullable Instant t, String pointer) {
    if (t != null && (t.isBefore(Event.MIN_TIME) || t.isAfter(Event.MAX_TIME))) {
      throw new InvalidEventException(pointer, "must lie in the years 1970 to 9999 (UTC)");
    }
  }

  /**
   * Checks nesting depth and numbers of every JSON-like value of the event against the door's
   * bounds ({@link JsonValues#checkBounds}): the copies the event holds know their height and
   * whether they hold an outsized number, so a clean event is not walked again.
   */
  private void checkValues(Event e) {
    int max = codec.limits().maxNestingDepth();
    JsonValues.checkBounds(e.properties(), "/properties", 2, max);
    JsonValues.checkBounds(e.traits(), "/traits", 2, max);
    JsonValues.checkBounds(e.extra(), "", 1, max);
    EventContext c = e.context();
    JsonValues.checkBounds(c.device(), "/context/device", 3, max);
    JsonValues.checkBounds(c.campaign(), "/context/campaign", 3, max);
    JsonValues.checkBounds(c.traits(), "/context/traits", 3, max);
    JsonValues.checkBounds(c.other(), "/context", 2, max);
  }

  /**
   * The event without the identifier traits that {@link #identifiers(Event, Set, Set, List)}
   * found unusable (a value that is not a string, or that the type's rules refuse). Blocked
   * values (placeholders) are not dropped: they stay traits and are just not identifiers.
   */
  private static Event without(Event e, Set<String> traits, Set<String> contextTraits) {
    if (!traits.isEmpty()) {
      LinkedHashMap<String, @Nullable Object> kept = new LinkedHashMap<>(e.traits());
      kept.keySet().removeAll(traits);
      e = e.withTraits(kept);
    }
    if (!contextTraits.isEmpty()) {
      LinkedHashMap<String, @Nullable Object> kept = new LinkedHashMap<>(e.context().traits());
      kept.keySet().removeAll(contextTraits);
      e = e.withContext(e.context().toBuilder().traits(kept).build());
    }
    return e;
  }

  /**
   * The event prepared against the computed traits now in force: itself when they have not
   * changed since it was prepared.
   */
  PreparedEvent current(WorkspaceId ws, PreparedEvent p) {
    ComputedTraits ct = traits.current();
    java.util.NavigableMap<String, io.cdpkit.core.catalog.Product> catalog = catalog(ws, ct);
    if (p.traits() == ct && p.catalog() == catalog) {
      return p;
    }
    return new PreparedEvent(p.stored(),
        contributions.of(ws, p.stored().event(), p.stored().key().time(),
            p.stored().identifiers(), ct, lookup(catalog)), ct, catalog, p.warnings(),
        p.corrected());
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

  /** Recomputes a stored event's contribution (same result as when it was prepared). */
  ProfileState contribution(WorkspaceId ws, StoredEvent s) {
    ComputedTraits ct = traits.current();
    return contributions.of(ws, s.event(), s.key().time(), s.identifiers(), ct,
        lookup(catalog(ws, ct)));
  }

  /** The event's normalised, unblocked identifiers, deduplicated, highest priority first. */
  List<Identifier> identifiers(Event e) {
    return identifiers(e, null, null, null);
  }

  /**
   * As {@link #identifiers(Event)}; with {@code warnings}, an identifier trait that cannot be
   * used is not an error: its key is added to {@code dropped} (identify traits) or
   * {@code droppedFromContext} (context traits) with an
   * {@link IngestWarning.Kind#IDENTIFIER_DROPPED} warning, and the rest goes on.
   */
  private List<Identifier> identifiers(Event e, @Nullable Set<String> dropped,
      @Nullable Set<String> droppedFromContext, @Nullable List<IngestWarning> warnings) {
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
      traitIdentifiers(out, e.traits(), "/traits/", dropped, warnings);
    }
    traitIdentifiers(out, e.context().traits(), "/context/traits/", droppedFromContext,
        warnings);
    if (out.size() > 1) {
      out.sort(rules.priorityOrder());
    }
    return out;
  }

  private void traitIdentifiers(List<Identifier> out, Map<String, @Nullable Object> traits,
      String prefix, @Nullable Set<String> dropped, @Nullable List<IngestWarning> warnings) {
    if (traits.isEmpty()) {
      return;
    }
    for (Map.Entry<String, IdentifierType> t : rules.traitIdentifiers().entrySet()) {
      Object v = traits.get(t.getKey());
      if (v == null) {
        continue;
      }
      String pointer = prefix + Text.escape(t.getKey());
      try {
        if (!(v instanceof String s)) {
          throw new InvalidEventException(pointer, "must be a string");
        }
        add(out, t.getValue(), s, pointer);
      } catch (InvalidEventException ex) {
        if (dropped == null || warnings == null) {
          throw ex;
        }
        dropped.add(t.getKey());
        warnings.add(new IngestWarning(pointer, IngestWarning.Kind.IDENTIFIER_DROPPED));
      }
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
}
