package io.cdpkit.segmentation;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.SegmentJson;
import io.cdpkit.segmentation.internal.Engine;
import io.cdpkit.segmentation.spi.storage.Membership;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments of one workspace: definitions, memberships, the schedule, batch evaluation and
 * explanations. Get one from {@link Segmentation#segments(WorkspaceId)}.
 *
 * <p>Thread-safe. Saving and deleting definitions take turns; evaluation goes on meanwhile.
 */
public final class Segments {
  private static final Logger LOG = LoggerFactory.getLogger(Segments.class);
  private final Engine engine;
  private final WorkspaceId workspace;

  Segments(Engine engine, WorkspaceId workspace) {
    this.engine = engine;
    this.workspace = workspace;
  }

  Engine engine() {
    return engine;
  }

  public WorkspaceId workspace() {
    return workspace;
  }

  /**
   * Saves a definition (new, or replacing the one with its id) and evaluates it over every
   * profile before returning; see {@link #save(SegmentDefinition, ProgressListener)}.
   *
   * @throws DefinitionValidationException listing every problem, each with its JSON pointer
   */
  public void save(SegmentDefinition definition) {
    save(definition, ProgressListener.none());
  }

  /**
   * Saves a definition and evaluates it, and the segments that read it, over every profile,
   * writing memberships (members that enter or leave get events with cause
   * {@code definition}). Conditions on events need aggregations core keeps per profile: the
   * first time one is needed, every profile of the workspace is recomputed from its events
   * first. Nothing is stored when validation fails.
   *
   * @param progress told of the work: phase {@code recompute} (profiles recomputed so far, when
   *     the definition needs aggregations not kept yet), then {@code evaluate} (profiles
   *     evaluated so far, after each page); totals unknown
   * @throws DefinitionValidationException listing every problem, each with its JSON pointer:
   *     unknown computed traits, unknown segments, cycles of segments, limits
   */
  public void save(SegmentDefinition definition, ProgressListener progress) {
    engine.save(Objects.requireNonNull(definition, "definition"),
        Objects.requireNonNull(progress, "progress"));
  }

  /**
   * Saves a definition given as JSON (see {@link SegmentJson}).
   *
   * @return the definition saved
   * @throws DefinitionValidationException listing every problem, each with its JSON pointer
   */
  public SegmentDefinition saveJson(String json) {
    SegmentDefinition d = SegmentJson.read(json);
    save(d);
    return d;
  }

  /**
   * Checks a definition as {@link #save} would, without saving it.
   *
   * @throws DefinitionValidationException listing every problem, each with its JSON pointer
   */
  public void validate(SegmentDefinition definition) {
    engine.validate(definition);
  }

  /**
   * Deletes a definition; each member gets an exit with cause {@link SegmentEvent.Cause.Type#DEFINITION}.
   *
   * @return whether there was one
   * @throws DefinitionValidationException when another segment reads it
   */
  public boolean delete(String id) {
    return engine.delete(id);
  }

  /**
   * Reads the definitions again from the store, to pick up those saved or deleted through
   * another node sharing the database; segments new or changed since this instance last saw
   * them are evaluated over every profile. Nodes that share a database call it regularly (or
   * when told a definition changed); until then they evaluate the definitions they know.
   *
   * @param progress told of the work, in the phases of {@link #save(SegmentDefinition,
   *     ProgressListener)}
   * @return the ids of the segments added, changed or removed
   */
  public Set<String> reload(ProgressListener progress) {
    return engine.reload(Objects.requireNonNull(progress, "progress"));
  }

  public Optional<SegmentDefinition> get(String id) {
    return engine.definition(id);
  }

  /**
   * Stored definitions that this version does not read as valid, by id, with the reason: written
   * by an older version under rules since tightened (a {@code regex} outside RE2 syntax, see
   * {@link io.cdpkit.core.traits.Regex}). Each is logged as an error when found, is not
   * evaluated, and is absent from {@link #get}, {@link #list} and every profile's
   * {@link #memberships}; its stored members ({@link #members}) are kept until a definition is
   * saved under its id ({@link #save}) or it is deleted ({@link #delete}, which removes them).
   * Empty normally.
   */
  public Map<String, String> unreadable() {
    return engine.unreadable();
  }

  /** Every definition, each after the segments it reads. */
  public List<SegmentDefinition> list() {
    return engine.definitions();
  }

  /** The segments a profile is a member of, sorted. */
  public List<String> memberships(ProfileId profile) {
    return engine.memberships(profile);
  }

  /** Whether the profile is a member (as stored: after the last change and due check). */
  public boolean isMember(ProfileId profile, String segment) {
    return memberships(profile).contains(segment);
  }

  /**
   * Members of a segment with ids after {@code after}, ascending, at most {@code limit}; a page
   * of a scan over all members.
   */
  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    return engine.members(segment, after, limit);
  }

  /**
   * The number of members of a segment now, read in one transaction. The stores of this
   * repository page through the members to count them (a few bytes each); meant for
   * dashboards and meters, not for every request.
   *
   * @throws IllegalArgumentException when there is no such segment
   */
  public long size(String segment) {
    return engine.size(Objects.requireNonNull(segment, "segment"));
  }

  /** The longest range {@link #history} reports, in days. */
  public static final int MAX_HISTORY_DAYS = 366;

  /**
   * How many profiles entered and left a segment on each UTC day from {@code from} to
   * {@code to} (both included), one {@link SegmentDay} per day, days without a change as zeros.
   * Every entry and exit counts, whatever its cause (see {@link SegmentDay}); entries minus
   * exits over a range is the change of the segment's size. The counts are written in the
   * transaction that changes the memberships, as metadata records of the workspace (no profile
   * ids), and kept {@value io.cdpkit.segmentation.internal.SegmentHistory#RETENTION_DAYS} days:
   * older days read as zeros. Deleting a segment deletes its history. The segment need not exist
   * any more (a deleted one reads as zeros).
   *
   * @throws IllegalArgumentException when {@code from} is after {@code to}, or the range is
   *     longer than {@value #MAX_HISTORY_DAYS} days, or the segment id is malformed
   */
  public List<SegmentDay> history(String segment, java.time.LocalDate from,
      java.time.LocalDate to) {
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!segment.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
      throw new IllegalArgumentException("segment id must match [a-z0-9][a-z0-9_-]{0,63}");
    }
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("history: from " + from + " is after to " + to);
    }
    if (java.time.temporal.ChronoUnit.DAYS.between(from, to) >= MAX_HISTORY_DAYS) {
      throw new IllegalArgumentException("history: at most " + MAX_HISTORY_DAYS
          + " days at a time, asked " + from + " to " + to);
    }
    return engine.history(segment, from, to);
  }

  /** When the profile's memberships are next checked because time passed, if ever. */
  public Optional<Instant> nextCheck(ProfileId profile) {
    return engine.nextCheck(profile);
  }

  /**
   * Evaluates the profiles whose scheduled check is due by the clock of the {@code Cdp} and
   * writes what changed (entries and exits get cause {@link SegmentEvent.Cause.Type#TIME}). Call it regularly, from a
   * scheduler of the host's: every due profile is handled by the first call after its instant.
   *
   * @return the number of profiles checked
   */
  public long runDue() {
    return engine.runDue();
  }

  /** The earliest scheduled check in this workspace, if any: when {@link #runDue()} has work. */
  public Optional<Instant> nextDue() {
    return engine.nextDue();
  }

  /**
   * Runs {@link #runDue()} on the host's executor whenever a check falls due: at the earliest
   * scheduled check by the {@code Cdp}'s clock, and at least every {@code maxDelay} (checks
   * that ingests on this or another node schedule earlier are then found in time). A run that
   * throws is logged and the next one is scheduled as usual. CDPKit starts no thread of its
   * own; the executor is the host's to shut down.
   *
   * @param maxDelay the longest wait between runs; at least 10 ms
   * @return a handle whose {@code close()} stops further runs (a run in progress finishes)
   * @throws IllegalArgumentException when maxDelay is shorter than 10 ms
   */
  public AutoCloseable runDueOn(ScheduledExecutorService executor, Duration maxDelay) {
    Objects.requireNonNull(executor, "executor");
    if (maxDelay.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException("maxDelay must be at least 10 ms, was " + maxDelay);
    }
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable[] task = new Runnable[1];
    task[0] = () -> {
      if (stopped.get()) {
        return;
      }
      long delayMs = maxDelay.toMillis();
      try {
        runDue();
        Optional<Instant> next = nextDue();
        if (next.isPresent()) {
          long until = Duration.between(engine.clock().instant(), next.get()).toMillis();
          delayMs = Math.max(0, Math.min(delayMs, until));
        }
      } catch (RuntimeException ex) {
        LOG.warn("scheduled segment checks failed in workspace {}", workspace, ex);
      }
      if (!stopped.get()) {
        executor.schedule(task[0], delayMs, TimeUnit.MILLISECONDS);
      }
    };
    executor.execute(task[0]);
    return () -> stopped.set(true);
  }

  /**
   * Why a profile is in or out of a segment at the clock's instant, node by node.
   *
   * @return empty when there is no such live profile
   * @throws IllegalArgumentException when there is no such segment
   */
  public Optional<Explanation> explain(ProfileId profile, String segment) {
    return engine.explain(profile, segment);
  }

  /**
   * Evaluates segments over every profile at the clock's instant, streaming the profiles from
   * the store a page at a time, without writing anything: members as compact bitmaps, with
   * counts and overlaps. Each page is read in a transaction of its own, so while events keep
   * arriving a profile counts as it was when its page was read; the result is not one snapshot
   * of the whole workspace. A profile merged away during the scan may be counted once under
   * each id.
   *
   * @param progress told of the work: phase {@code evaluate}, the profiles read so far (after
   *     each page), total unknown
   * @throws IllegalArgumentException when a segment does not exist
   */
  public SegmentSnapshot evaluate(Collection<String> segments, ProgressListener progress) {
    return new SegmentSnapshot(engine.evaluate(segments,
        Objects.requireNonNull(progress, "progress")));
  }
}
