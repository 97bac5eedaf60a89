package io.cdpkit.core;

import io.cdpkit.core.internal.EngineStats;
import io.cdpkit.core.internal.Gatherer;
import io.cdpkit.core.internal.Pipeline;
import io.cdpkit.core.internal.PrivacyOps;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One workspace (tenant) of a {@link Cdp}: everything ingested or read through it belongs to that
 * workspace alone.
 *
 * <p>Thread-safe: any number of threads may ingest and read at once. Each event's writes (the
 * event, identity graph changes, profile state, ledger entries) commit atomically; a batch
 * commits as one transaction in which each event is still all-or-nothing.
 */
public final class Workspace {
  private final Pipeline pipeline;
  private final WorkspaceId id;
  private final Profiles profiles;
  private final Privacy privacy;
  private final @Nullable Gatherer gatherer;

  Workspace(Pipeline pipeline, PrivacyOps privacy, WorkspaceId id, @Nullable Gatherer gatherer) {
    this.pipeline = pipeline;
    this.id = id;
    this.profiles = new Profiles(pipeline, id);
    this.privacy = new Privacy(privacy, id);
    this.gatherer = gatherer;
  }

  public WorkspaceId id() {
    return id;
  }

  /**
   * Ingests one event: validates it, resolves its identity, updates its profile. Ingesting an
   * event whose messageId was seen before changes nothing ({@link IngestResult.Status#DUPLICATE}).
   * The call returns once the event is committed, never before.
   *
   * <p>By default the event is written in a store transaction of its own. With
   * {@link Cdp.Builder#gatherIngests gathering} on, the calls of concurrent threads share
   * transactions: a call may wait up to the configured delay for others to join (latency),
   * and a group costs one commit instead of one per event (throughput). It still returns only
   * once the transaction holding its event has committed. An invalid event is rejected before
   * it joins a group. An event that fails inside a group's transaction is rolled back to its
   * savepoint and only its own call throws; if the group's transaction fails as a whole,
   * nothing of it is stored and each event is written again alone, so a failure reaches only
   * the call whose event causes it. Unlike a batch, this call throws the rejection instead of
   * returning it (as it always did); corrections to a kept event are in
   * {@link IngestResult#warnings()}.
   *
   * <p>Interrupts: with gathering on, the call does not give up when its thread is interrupted,
   * since its event may already be in a transaction that is about to commit; it returns or
   * throws as it would have, with the interrupt flag set, and the event is stored if the
   * result says so. (A caller that leads a group stops waiting for others and writes it at
   * once.) Without gathering, what an interrupt does is up to the store.
   *
   * @throws InvalidEventException when the event breaks a rule, or fails inside the
   *     transaction for a reason repeating cannot cure; nothing was stored
   * @throws StorageException when the store fails (its own exception); nothing was stored
   */
  public IngestResult ingest(Event event) {
    Objects.requireNonNull(event, "event");
    EngineStats stats = pipeline.stats();
    long start = stats.start();
    try {
      IngestResult r = gatherer != null ? gatherer.ingest(id, event) : pipeline.ingest(id, event);
      stats.count(id, r);
      return r;
    } catch (InvalidEventException ex) {
      stats.rejected(id, ex);
      throw ex;
    } finally {
      stats.ingestTimed("single", start);
    }
  }

  /**
   * Ingests a batch. Invalid events are rejected one by one without stopping the others; the
   * result has one entry per event, in order. No single event makes this call throw: whatever
   * fails on one event (at the door, or inside the store's transaction) is that event's
   * {@link IngestResult.Status#REJECTED} result naming the field and reason; corrections the
   * engine made to kept events are {@link IngestResult#warnings()}, counted by
   * {@link BatchResult#warningCounts()}.
   *
   * @throws StorageException when the store fails (not one event of the batch could be
   *     written, or a failure that repeating may cure persists); nothing of the batch was
   *     stored
   */
  public BatchResult ingest(List<Event> events) {
    return counted("batch", () -> pipeline.ingestAll(id, events));
  }

  /**
   * Ingests a JSON body as Segment's and RudderStack's clients send it: one message, or
   * {@code {"batch": [...]}}, plain or gzip-compressed (see {@link io.cdpkit.core.json.EventCodec}
   * for the mapping and {@link io.cdpkit.core.json.EventLimits} for the limits). Every event's
   * {@code receivedAt} is this instance's clock; a client's claim is ignored. A message that
   * cannot be read is rejected on its own, and each message is then treated as in
   * {@link #ingest(List)}.
   *
   * @throws InvalidEventException when the body as a whole is unreadable or over a limit (not
   *     valid JSON, larger than the batch limit, more messages than allowed, nested deeper than
   *     the parser's last guard); nothing was stored
   * @throws StorageException as {@link #ingest(List)}
   */
  public BatchResult ingestJson(byte[] body) {
    Objects.requireNonNull(body, "body");
    return counted("json", () -> pipeline.ingestJson(id, body));
  }

  /**
   * Ingests a body read by {@link io.cdpkit.core.json.EventCodec#readBody}, as
   * {@link #ingestJson(byte[])} does: its messages are read with this workspace's
   * {@linkplain Cdp.Builder#timeZone zone} and this workspace's id as the namespace of derived
   * message ids. For hosts that look at the body's {@code writeKey} before they know the
   * workspace, so that the body is parsed once.
   *
   * @throws InvalidEventException when the batch-level {@code sentAt} is not a date-time;
   *     nothing was stored
   * @throws StorageException as {@link #ingest(List)}
   */
  public BatchResult ingest(io.cdpkit.core.json.DecodedBody body) {
    Objects.requireNonNull(body, "body");
    return counted("json", () -> pipeline.ingestBody(id, body));
  }

  /** Runs a batch ingest, counting its results and timing it (see {@link EngineStats}). */
  private BatchResult counted(String kind, java.util.function.Supplier<BatchResult> ingest) {
    EngineStats stats = pipeline.stats();
    long start = stats.start();
    try {
      BatchResult r = ingest.get();
      stats.count(id, r);
      return r;
    } catch (InvalidEventException ex) {
      stats.rejected(id, ex); // the body as a whole
      throw ex;
    } finally {
      stats.ingestTimed(kind, start);
    }
  }

  /** Profiles of this workspace. */
  public Profiles profiles() {
    return profiles;
  }

  /** The person's rights in this workspace: export, erasure, retention, the audit log. */
  public Privacy privacy() {
    return privacy;
  }

  /**
   * This workspace's product catalog, which computed traits and segment conditions read through
   * {@code $catalog} paths (see {@link io.cdpkit.core.catalog.Catalog}).
   */
  public io.cdpkit.core.catalog.Catalog catalog() {
    return pipeline.catalogs().of(id);
  }

  /**
   * Probabilistic duplicate detection in this workspace: the settings, the batch pass, the
   * review queue (see {@link io.cdpkit.core.dedup.Duplicates}).
   */
  public io.cdpkit.core.dedup.Duplicates duplicates() {
    return pipeline.duplicates().of(id);
  }
}
