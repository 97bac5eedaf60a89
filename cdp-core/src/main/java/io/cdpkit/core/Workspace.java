package io.cdpkit.core;

import io.cdpkit.core.internal.Pipeline;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.util.List;
import java.util.Objects;

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

  Workspace(Pipeline pipeline, WorkspaceId id) {
    this.pipeline = pipeline;
    this.id = id;
    this.profiles = new Profiles(pipeline, id);
  }

  public WorkspaceId id() {
    return id;
  }

  /**
   * Ingests one event: validates it, resolves its identity, updates its profile. Ingesting an
   * event whose messageId was seen before changes nothing ({@link IngestResult.Status#DUPLICATE}).
   *
   * @throws InvalidEventException when the event breaks a rule; nothing was stored
   * @throws StorageException when the store fails; nothing was stored
   */
  public IngestResult ingest(Event event) {
    return pipeline.ingest(id, Objects.requireNonNull(event, "event"));
  }

  /**
   * Ingests a batch. Invalid events are rejected one by one without stopping the others; the
   * result has one entry per event, in order.
   *
   * @throws StorageException when the store fails; nothing of the batch was stored
   */
  public BatchResult ingest(List<Event> events) {
    return pipeline.ingestAll(id, events);
  }

  /** Profiles of this workspace. */
  public Profiles profiles() {
    return profiles;
  }
}
