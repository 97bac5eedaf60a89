package io.cdpkit.core;

import io.cdpkit.core.internal.PrivacyOps;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The person's rights in one workspace: access and portability ({@link #export}), erasure
 * ({@link #erase}), retention ({@link #purge}), and the audit log of these operations
 * ({@link #audit}). See {@code PRIVACY.md} for the whole picture and its limits.
 *
 * <pre>{@code
 * Privacy privacy = cdp.workspace(WorkspaceId.DEFAULT).privacy();
 * String json = privacy.export(Identifier.email("jane@example.com")).orElseThrow();
 * ErasureReport gone = privacy.erase(Identifier.email("jane@example.com"));
 * }</pre>
 *
 * <p>Thread-safe; bound to its workspace. Each call is atomic (a purge per page of profiles).
 */
public final class Privacy {
  private final PrivacyOps ops;
  private final WorkspaceId workspace;

  Privacy(PrivacyOps ops, WorkspaceId workspace) {
    this.ops = ops;
    this.workspace = workspace;
  }

  /**
   * Everything held about the person who holds this identifier, as one JSON object: the
   * {@code profile} (id, the ids merged into it, identifiers, traits, computed traits,
   * consents, first and last seen), the {@code consentHistory} (every consent decision of the
   * person's events, in event time order), the {@code events}, what modules on the class path
   * keep of her ({@link io.cdpkit.core.spi.extension.PersonalRecords}: the segment
   * {@code memberships} and {@code scheduledCheck}, {@code outbox} entries, {@code deliveries}),
   * the merge {@code ledger}, the {@code identityLinks} and {@code doNotLink} rules around her
   * identifiers, and the {@code audit} lines about the person. Appends an {@code export}
   * line to the audit log, also when nobody holds the identifier.
   *
   * <p>Only the person's own data is shown: her identifiers, her profile ids (live and merged
   * into it) and her events (those anchored at her identifiers). Where a link, ledger entry,
   * do-not-link rule or audit line names someone else (a shared kiosk cookie, a family e-mail,
   * an unmerged profile), that person's identifier is shown as its type with
   * {@code "redacted": true}, their profile id and event are left out with
   * {@code "...Redacted": true}, and inside her own events, traits and the modules' records
   * (outbox triggers, delivery details) any value equal (after normalisation) to such an
   * identifier becomes {@code "[redacted <type>]"}. Free text about others is not recognised.
   *
   * @param identifier as a client would send it (normalised first)
   * @return the document, or empty when no profile holds the identifier (or it is blocked)
   * @throws InvalidEventException when the value is not acceptable for its type
   */
  public Optional<String> export(Identifier identifier) {
    return ops.export(workspace, Objects.requireNonNull(identifier, "identifier"));
  }

  /**
   * Erases the person who holds this identifier, in one transaction: the live profile and the
   * profiles merged into it, their identifiers (identity nodes), events, links (the person's
   * identifiers are cut out of links shared with other profiles of the component), do-not-link
   * rules naming them, redirects, merge ledger lines naming them (also those of other
   * profiles), and what modules on the class path keep of her (segment memberships, scheduled
   * checks, outbox entries and delivery history: each module's
   * {@link io.cdpkit.core.spi.extension.PersonalRecords}).
   * Observers are told the profile is gone (a change without an after and without a survivor).
   *
   * <p>Each erased identifier leaves a tombstone: its keyed hash (HMAC-SHA256 over type and
   * normalised value, under the key given to {@link Cdp.Builder#privacyKey}, else a random
   * key kept in the store's metadata) with the erasure's instant. From then on an arriving
   * event that carries one of them and whose own time is at or before that instant is dropped
   * ({@link IngestResult.Status#ERASED}); a later one is stored and starts a new profile.
   * When nobody holds the identifier, only its tombstone is written.
   *
   * <p>Other profiles do not change, with two exceptions: ledger lines and do-not-link rules
   * that name the erased person go. An event of another person that also carried one of the
   * erased identifiers (an identifier the rules refused to merge) stays that person's, and so
   * does what it contributed to their profile. Appends an {@code erase} line to the audit
   * log with the counts.
   *
   * @param identifier as a client would send it (normalised first)
   * @return what was removed
   * @throws IllegalArgumentException when the identifier is blocked (a placeholder)
   * @throws InvalidEventException when the value is not acceptable for its type
   * @throws StorageException when the store fails; nothing was erased
   */
  public ErasureReport erase(Identifier identifier) {
    return ops.erase(workspace, Objects.requireNonNull(identifier, "identifier"));
  }

  /**
   * Deletes the events that the policy says are expired ({@link RetentionPolicy#expired},
   * measured from this call's start), a page of profiles per transaction, and recomputes each
   * profile that lost events from the events left, as an unmerge recomputes. So a profile
   * always equals the join of its remaining events:
   *
   * <ul>
   *   <li>all-time computed traits (counts, sums, first/last, distinct sets) count only the
   *       events left: a lifetime order count drops when old orders are purged;
   *   <li>windowed computed traits ("in the last 30 days") are rebuilt from the day buckets of
   *       the events left; they are unchanged when the retention period is longer than the
   *       window, and count only the retained part of the window otherwise;
   *   <li>traits set by {@code identify} fall back to the latest remaining value, or vanish
   *       when every event that set them was purged; first and last seen move accordingly;
   *   <li>consents do not change: events carrying consent decisions are never purged.
   * </ul>
   *
   * The identity graph keeps its links, so profiles stay merged as they were. Events without
   * an identifier belong to no profile and are not reached. Observers see the recomputed
   * profiles (cause {@code purge}). Appends a {@code purge} line to the audit log at the end.
   *
   * @param listener told the running counts after each page
   * @throws StorageException when the store fails; pages done before stay done
   */
  public PurgeReport purge(RetentionPolicy policy, PurgeListener listener) {
    return ops.purge(workspace, Objects.requireNonNull(policy, "policy"),
        Objects.requireNonNull(listener, "listener"));
  }

  /**
   * The workspace's audit log after a position, oldest first: {@code export}, {@code erase},
   * {@code consent} (one per stored event carrying consent decisions), {@code unmerge},
   * {@code purge}, and the lines other operations append. The log is append-only and holds no
   * personal data: profile ids, keyed hashes of identifiers, counts, purposes and channels.
   *
   * @param afterSeq 0 for the start, else the {@link AuditEntry#seq()} of the last line read
   * @param limit at most this many lines, at least 1
   * @throws IllegalArgumentException when afterSeq is negative or limit less than 1
   */
  public List<AuditEntry> audit(long afterSeq, int limit) {
    return ops.audit(workspace, afterSeq, limit);
  }
}
