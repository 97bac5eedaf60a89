package io.cdpkit.core.internal;

import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gathers single ingests of one workspace into shared store transactions (group commit), with
 * no thread of its own. The first caller to arrive while no group is forming becomes the
 * group's leader: it waits until the group holds {@code maxBatch} events or {@code maxDelay} has
 * passed, then writes the whole group in one transaction on its own thread and hands each member
 * its result. Every caller returns only once the transaction holding its event has committed (or
 * failed): nothing is acknowledged early.
 *
 * <p>Failure isolation: if the group's transaction fails, nothing of the group was stored, and
 * each event is written again in a transaction of its own, so an event that fails the store
 * fails only its own caller (with its own exception) and the others are stored.
 *
 * <p>Waiting is uninterruptible: an interrupted caller keeps waiting for its result (its event
 * may be in a transaction that is about to commit), and its interrupt flag stays set.
 *
 * <p>Thread-safe.
 */
public final class Gatherer {
  private final Pipeline pipeline;
  private final WorkspaceId ws;
  private final long maxDelayNanos;
  private final int maxBatch;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition full = lock.newCondition();
  /** The group being formed; null while none is. Guarded by {@link #lock}. */
  private List<Member> forming;

  private record Member(PreparedEvent event, CompletableFuture<IdentityResolver.Outcome> done) {}

  public Gatherer(Pipeline pipeline, WorkspaceId ws, Duration maxDelay, int maxBatch) {
    this.pipeline = pipeline;
    this.ws = ws;
    this.maxDelayNanos = maxDelay.toNanos();
    this.maxBatch = maxBatch;
  }

  /**
   * Ingests one event as part of a group.
   *
   * @throws io.cdpkit.core.InvalidEventException when the event breaks a rule (before it joins
   *     a group; nothing was stored)
   */
  public IngestResult ingest(Event event) {
    Member me = new Member(pipeline.prepare(event), new CompletableFuture<>());
    List<Member> lead = null;
    lock.lock();
    try {
      if (forming == null) {
        forming = new ArrayList<>();
        lead = forming;
      }
      forming.add(me);
      if (lead == null && forming.size() >= maxBatch) {
        full.signal();
      }
      if (lead != null) {
        long left = maxDelayNanos;
        while (lead.size() < maxBatch && left > 0) {
          left = full.awaitNanos(left);
        }
        forming = null;
      }
    } catch (InterruptedException e) {
      // Stop waiting for more members; write what has gathered, and keep the flag.
      forming = null;
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    if (lead != null) {
      write(lead);
    }
    try {
      return Pipeline.result(event.messageId(), me.done().join());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private void write(List<Member> group) {
    List<PreparedEvent> events = new ArrayList<>(group.size());
    for (Member m : group) {
      events.add(m.event());
    }
    List<IdentityResolver.Outcome> outcomes;
    try {
      outcomes = pipeline.writeAll(ws, events);
    } catch (RuntimeException | Error groupFailed) {
      // Nothing of the group was stored: write each event alone, so a failure stays its own.
      for (Member m : group) {
        try {
          m.done().complete(pipeline.writeOne(ws, m.event()));
        } catch (RuntimeException | Error e) {
          m.done().completeExceptionally(e);
        }
      }
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).done().complete(outcomes.get(i));
    }
  }
}
