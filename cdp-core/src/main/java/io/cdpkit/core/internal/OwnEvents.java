package io.cdpkit.core.internal;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileState;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The events CDPKit makes itself to change a person's state through the event log, so that
 * merges, unmerges and recomputation keep the change like any other: a restriction of
 * processing, its lifting, and a rectification of traits.
 *
 * <p>They are marked by a {@code context.source} in the reserved {@code cdp.} namespace, which
 * events from clients may not use ({@link EventPreparer} refuses them):
 *
 * <ul>
 *   <li>restriction: a {@code track} named {@value #RESTRICT} or {@value #UNRESTRICT} with source
 *       {@value #RESTRICTION_SOURCE} and {@code properties.reason}; it contributes only the
 *       restriction register (no event count, no first/last seen, no computed traits).
 *   <li>rectification: an {@code identify} with source {@value #RECTIFICATION_SOURCE}, the
 *       corrected traits and {@code properties.reason}; it contributes only its traits, written
 *       with the highest source priority ({@link Integer#MAX_VALUE}).
 *   <li>probable match: a {@code track} named {@value io.cdpkit.core.dedup.Duplicates#LINK_EVENT}
 *       with source {@value #DEDUP_SOURCE}, the highest-priority identifier of each of the two
 *       profiles it links, and {@code properties.reason}, {@code properties.probability} and
 *       {@code properties.decided} ({@code auto} or {@code review}); it links and contributes
 *       nothing else.
 * </ul>
 *
 * <p>Thread-safe (stateless).
 */
public final class OwnEvents {
  /** Sources starting with this are reserved. */
  public static final String RESERVED_PREFIX = "cdp.";
  static final String RESTRICTION_SOURCE = "cdp.restriction";
  static final String RECTIFICATION_SOURCE = "cdp.rectification";
  static final String DEDUP_SOURCE = "cdp.dedup";
  static final String RESTRICT = "Processing Restricted";
  static final String UNRESTRICT = "Processing Restriction Lifted";
  /** Source priority of a rectification: above every host-configured source. */
  static final int RECTIFICATION_PRIORITY = Integer.MAX_VALUE;

  private static final Pattern REASON = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  private OwnEvents() {}

  /** Whether a {@code context.source} is in the reserved namespace. */
  public static boolean reserved(@Nullable String source) {
    return source != null && source.startsWith(RESERVED_PREFIX);
  }

  /**
   * Checks a reason code: lower-case, {@code [a-z][a-z0-9_.-]{0,63}}, so that it cannot carry
   * personal data.
   *
   * @throws IllegalArgumentException naming {@code reasonCode} when it does not match
   */
  public static String checkReason(String reasonCode) {
    if (reasonCode == null || !REASON.matcher(reasonCode).matches()) {
      throw new IllegalArgumentException("reasonCode must match [a-z][a-z0-9_.-]{0,63}");
    }
    return reasonCode;
  }

  /**
   * A restrict or lift event for a person, stamped at {@code now}, or just after the decision in
   * force when that is later (a lift must come after the restriction it lifts, which wins ties).
   */
  public static Event restriction(Identifier id, boolean restrict, String reasonCode,
      Instant now, ProfileState state) {
    Instant t = now;
    ProfileState.Restriction current = state.restriction();
    if (current != null) {
      Instant after = restrict ? current.time() : current.time().plusNanos(1);
      if (after.isAfter(t)) {
        t = after;
      }
    }
    return Event.track(restrict ? RESTRICT : UNRESTRICT)
        .messageId(messageId(restrict ? "restrict" : "unrestrict"))
        .identifier(id).source(RESTRICTION_SOURCE).property("reason", reasonCode)
        .timestamp(t).receivedAt(now).build();
  }

  /**
   * A rectification event for a person, stamped at {@code now}, or at the time of the latest
   * value it corrects when that is later, so that it wins over every value it corrects (at an
   * equal time the highest source priority decides).
   */
  public static Event rectification(Identifier id, Map<String, ?> traits, String reasonCode,
      Instant now, ProfileState state) {
    Instant t = now;
    for (String name : traits.keySet()) {
      ProfileState.TraitValue v = state.traits().get(name);
      if (v != null && v.time().isAfter(t)) {
        t = v.time();
      }
    }
    return Event.identify().messageId(messageId("rectify")).identifier(id)
        .source(RECTIFICATION_SOURCE).traits(traits).property("reason", reasonCode)
        .timestamp(t).receivedAt(now).build();
  }

  /**
   * The event that links two profiles found to be one person, stamped at {@code now}; the
   * probability is left out when it is NaN (a reviewer linked a pair nobody scored).
   */
  public static Event probableMatch(Identifier a, Identifier b, double probability,
      boolean reviewed, String reasonCode, Instant now) {
    Event.Builder e = Event.track(io.cdpkit.core.dedup.Duplicates.LINK_EVENT)
        .messageId(messageId("dedup")).identifier(a).identifier(b).source(DEDUP_SOURCE)
        .property("reason", reasonCode).property("decided", reviewed ? "review" : "auto");
    if (!Double.isNaN(probability)) {
      e.property("probability", probability);
    }
    return e.timestamp(now).receivedAt(now).build();
  }

  /** Whether an event is a probable-match link ({@link #probableMatch}). */
  static boolean isProbableMatch(Event e) {
    return DEDUP_SOURCE.equals(e.context().source()) && e.type() == EventType.TRACK
        && io.cdpkit.core.dedup.Duplicates.LINK_EVENT.equals(e.name());
  }

  private static String messageId(String kind) {
    return "cdp-" + kind + "-" + UUID.randomUUID();
  }

  /**
   * The contribution of an own event; {@code null} when the event is not one (a client's event,
   * or one with a reserved source it does not know).
   */
  static @Nullable ProfileState contribution(Event e, Instant time) {
    String source = e.context().source();
    if (!reserved(source)) {
      return null;
    }
    Object reason = e.properties().get("reason");
    String code = reason instanceof String s ? s : "unspecified";
    if (RESTRICTION_SOURCE.equals(source) && e.type() == EventType.TRACK
        && (RESTRICT.equals(e.name()) || UNRESTRICT.equals(e.name()))) {
      return ProfileState.EMPTY.withRestriction(new ProfileState.Restriction(
          RESTRICT.equals(e.name()), time, e.messageId(), code));
    }
    if (isProbableMatch(e)) {
      return ProfileState.EMPTY;
    }
    if (RECTIFICATION_SOURCE.equals(source) && e.type() == EventType.IDENTIFY) {
      java.util.HashMap<String, ProfileState.TraitValue> t = new java.util.HashMap<>();
      e.traits().forEach((k, v) -> t.put(k,
          new ProfileState.TraitValue(v, time, RECTIFICATION_PRIORITY, e.messageId())));
      return ProfileState.of(t, Map.of(), null, null, Map.of(), Map.of(), Map.of(), Map.of());
    }
    return null;
  }
}
