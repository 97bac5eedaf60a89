package io.cdpkit.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.cdpkit.core.internal.OwnEvents;
import io.cdpkit.core.internal.Pipeline;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentRecord;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Profiles of one workspace: lookups, event history, the merge ledger, unmerge, the consent
 * history, restriction of processing and rectification.
 *
 * <p>Restriction and rectification change a person's state through events CDPKit makes itself
 * (stamped with the instance's clock, stored with the person's events, carrying the identifier
 * named in the call), so merges, unmerges and recomputation keep them like any other change.
 * Each call appends a line to the workspace's audit log in the same transaction; a store that
 * keeps no audit log refuses them.
 *
 * <p>Thread-safe. Each call sees a consistent state of the workspace: all or nothing of any
 * event's writes.
 */
public final class Profiles {
  private final Pipeline pipeline;
  private final WorkspaceId workspace;

  Profiles(Pipeline pipeline, WorkspaceId workspace) {
    this.pipeline = pipeline;
    this.workspace = workspace;
  }

  /** The profile with this id; a merged-away id gives the profile it was merged into. */
  public Optional<Profile> get(ProfileId id) {
    return pipeline.profile(workspace, id);
  }

  /**
   * The profile holding an identifier, given as a client would send it (it is normalised first).
   *
   * @throws InvalidEventException when the value is not acceptable for its type (the pointer is
   *     empty)
   */
  public Optional<Profile> find(Identifier identifier) {
    return pipeline.find(workspace, identifier);
  }

  /** The most profiles {@link #list} gives in one page. */
  public static final int MAX_PAGE = 1_000;

  /**
   * A page of the workspace's live profiles, in id order ({@link String#compareTo} of the id
   * values): those after {@code after}, or from the first when it is {@code null}; at most
   * {@code limit}. Pass the last id of a page to get the next; an empty page is the end. Each
   * page is read consistently; profiles created or merged between pages may be seen or missed
   * as their ids fall. Merged-away ids are not listed (their survivor is).
   *
   * <pre>{@code
   * ProfileId after = null;
   * for (List<Profile> page; !(page = profiles.list(after, 500)).isEmpty(); ) {
   *   page.forEach(this::export);
   *   after = page.get(page.size() - 1).id();
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException when {@code limit} is not within 1 and {@value #MAX_PAGE}
   */
  public List<Profile> list(@Nullable ProfileId after, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be within 1 and " + MAX_PAGE
          + " but was " + limit);
    }
    return pipeline.profilesAfter(workspace, after, limit);
  }

  /**
   * The number of live profiles of the workspace, read in one transaction. What it costs
   * depends on the store: the in-memory store and the journaled H2 file walk their profile
   * index; a store that keeps no count (the JDBC row layout) reads every profile, a page at a
   * time. Meant for dashboards and progress totals, not for every request.
   *
   * @throws StorageException when the store fails
   */
  public long count() {
    return pipeline.store().read(workspace, io.cdpkit.core.spi.storage.ReadTransaction::profileCount);
  }

  /** The live id that a possibly merged-away id resolves to. */
  public Optional<ProfileId> resolve(ProfileId id) {
    return pipeline.resolve(workspace, id);
  }

  /** The profile's events, by event time then messageId. */
  public List<Event> events(ProfileId id) {
    return pipeline.events(workspace, id);
  }

  /**
   * The merge ledger of a profile: its merges, conflicts and unmerges, and those of the profiles
   * merged into it.
   */
  public List<LedgerEntry> ledger(ProfileId id) {
    return pipeline.ledger(workspace, id);
  }

  /** Stored events per event name ({@code track} name, else the type: {@code page}, ...). */
  public Map<String, Long> eventCounts() {
    return pipeline.eventNameCounts(workspace);
  }

  /** Most traits one {@link #rectify} call may correct. */
  public static final int MAX_RECTIFIED_TRAITS = 100;
  /** Longest trait name {@link #rectify} accepts, in characters. */
  public static final int MAX_RECTIFIED_NAME_LENGTH = 100;

  /**
   * Every consent decision of the person, following merges (the events of every identifier the
   * profile holds), in (event time, messageId) order, decisions of one event in the order it
   * carried them. {@code alias} events contribute no consent and are left out. Empty for an
   * unknown id.
   */
  public List<ConsentRecord> consentHistory(ProfileId id) {
    List<ConsentRecord> out = new ArrayList<>();
    for (Event e : pipeline.events(workspace, id)) {
      if (e.type() == EventType.ALIAS || e.consents().isEmpty()) {
        continue;
      }
      Instant t = e.eventTime();
      for (ConsentChange c : e.consents()) {
        out.add(new ConsentRecord(t, e.messageId(), c));
      }
    }
    out.sort(ConsentRecord.ORDER); // stable: keeps the order within an event
    return List.copyOf(out);
  }

  /**
   * The consent decision in force for a purpose on a channel at an instant ("what consent did we
   * hold when this e-mail went out?"): of the person's decisions stamped at or before {@code at},
   * the latest by event time (denied on a tie), whenever it was recorded; its status is
   * {@link ConsentStatus#EXPIRED} when it is a grant whose expiry is at or before {@code at}.
   * Decisions recorded later but stamped earlier count where their time puts them. At or after
   * the latest decision's time this agrees with {@link Profile#consentStatus(String, String,
   * Instant)}.
   */
  public ConsentRecord.ConsentInForce consentAt(ProfileId id, String purpose, String channel,
      Instant at) {
    Objects.requireNonNull(at, "at");
    return ConsentRecord.inForce(consentHistory(id), new ConsentKey(purpose, channel), at);
  }

  /**
   * Restricts processing of the person holding an identifier (GDPR Art. 18): from now on
   * segments treat the profile as a member of none (it exits each with the usual exit signals,
   * cause {@code restrict}) and activation sends nothing to it (reason {@code restricted}, also
   * for entries decided before). Ingestion goes on; the data is kept.
   *
   * <p>The restriction is a register of the profile's state: the latest restrict or lift by
   * event time wins, and at an equal time the restriction wins. When a restricted profile and
   * an unrestricted one merge, the merged profile is restricted unless the other side lifted a
   * restriction later. Appends an audit line {@code restrict} with the profile id and the
   * reason code.
   *
   * @param reasonCode why, as a code ({@code [a-z][a-z0-9_.-]{0,63}}, e.g.
   *     {@code accuracy-contested}); never free text
   * @return the profile restricted
   * @throws IllegalArgumentException when the identifier is unknown or blocked, or the reason
   *     code does not match
   * @throws InvalidEventException when the value is not acceptable for its type
   * @throws UnsupportedOperationException when the store keeps no audit log
   */
  public ProfileId restrict(Identifier identifier, String reasonCode) {
    return restriction(identifier, true, reasonCode);
  }

  /**
   * Lifts the restriction of processing of the person holding an identifier: segments evaluate
   * the profile again (it re-enters those it meets, cause {@code unrestrict}) and activation
   * may send to it. Stamped after the restriction it lifts. Appends an audit line
   * {@code unrestrict} with the profile id and the reason code.
   *
   * @throws IllegalArgumentException when the identifier is unknown or blocked, or the reason
   *     code does not match
   * @throws InvalidEventException when the value is not acceptable for its type
   * @throws UnsupportedOperationException when the store keeps no audit log
   */
  public ProfileId liftRestriction(Identifier identifier, String reasonCode) {
    return restriction(identifier, false, reasonCode);
  }

  private ProfileId restriction(Identifier identifier, boolean restrict, String reasonCode) {
    Objects.requireNonNull(identifier, "identifier");
    String reason = OwnEvents.checkReason(reasonCode);
    Instant now = pipeline.config().clock().instant();
    String op = restrict ? "restrict" : "unrestrict";
    return pipeline.ingestOwn(workspace, identifier, op,
        (id, state) -> OwnEvents.restriction(id, restrict, reason, now, state),
        profile -> new AuditEntry(0, now, op, profile, null,
            "{\"reason\":" + quote(reason) + "}"));
  }

  /**
   * Corrects traits of the person holding an identifier (GDPR Art. 16). The correction is an
   * {@code identify} CDPKit makes, stamped now (or at the time of the latest value it corrects,
   * when that is later) with a source of the highest priority, so it wins over every value it
   * corrects, in any ingestion order and across merges, unmerges and recomputation; a value
   * sent later than the correction is newer data and wins as usual. A {@code null} value unsets
   * the trait. A corrected {@code email} or {@code phone} is an identifier too and joins the
   * profile like any identify's (the old one stays until unmerged or erased). Appends an audit
   * line {@code rectify} with the profile id, the trait names (never values) and the reason
   * code.
   *
   * @param traits the corrected values by trait name: 1 to {@value #MAX_RECTIFIED_TRAITS},
   *     names 1 to {@value #MAX_RECTIFIED_NAME_LENGTH} characters, JSON-like values
   * @param reasonCode why, as a code ({@code [a-z][a-z0-9_.-]{0,63}})
   * @return the profile corrected
   * @throws IllegalArgumentException when the identifier is unknown or blocked, the traits
   *     break a limit, or the reason code does not match
   * @throws InvalidEventException when a value is not JSON-like (pointer {@code /traits}) or
   *     the identifier's value is not acceptable for its type
   * @throws UnsupportedOperationException when the store keeps no audit log
   */
  public ProfileId rectify(Identifier identifier, Map<String, ?> traits, String reasonCode) {
    Objects.requireNonNull(identifier, "identifier");
    Objects.requireNonNull(traits, "traits");
    String reason = OwnEvents.checkReason(reasonCode);
    if (traits.isEmpty() || traits.size() > MAX_RECTIFIED_TRAITS) {
      throw new IllegalArgumentException(
          "traits must hold 1 to " + MAX_RECTIFIED_TRAITS + " traits");
    }
    TreeSet<String> names = new TreeSet<>();
    for (String name : traits.keySet()) {
      if (name == null || name.isBlank() || name.length() > MAX_RECTIFIED_NAME_LENGTH) {
        throw new IllegalArgumentException("traits: a name must be 1 to "
            + MAX_RECTIFIED_NAME_LENGTH + " characters, not blank");
      }
      names.add(name);
    }
    Map<String, Object> copy = new LinkedHashMap<>(traits);
    Instant now = pipeline.config().clock().instant();
    StringBuilder detail = new StringBuilder("{\"reason\":").append(quote(reason))
        .append(",\"traits\":[");
    boolean first = true;
    for (String n : names) {
      detail.append(first ? "" : ",").append(quote(n));
      first = false;
    }
    detail.append("]}");
    return pipeline.ingestOwn(workspace, identifier, "rectify",
        (id, state) -> OwnEvents.rectification(id, copy, reason, now, state),
        profile -> new AuditEntry(0, now, "rectify", profile, null, detail.toString()));
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  /**
   * Splits two identifiers apart for good. Records a do-not-link rule between them, re-resolves
   * the part of the identity graph they lie in, and recomputes the affected profiles from their
   * events. Atomic: other readers see the profiles before or after, never in between.
   *
   * @throws IllegalArgumentException when either identifier is unknown, blocked, or they are the
   *     same
   * @throws InvalidEventException when either value is not acceptable for its type
   */
  public void unmerge(Identifier a, Identifier b) {
    pipeline.unmerge(workspace, a, b);
  }
}
