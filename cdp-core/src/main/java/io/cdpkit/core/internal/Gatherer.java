package io.cdpkit.core.internal;

import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers single ingests into shared store transactions (group commit), per workspace, with no
 * thread of its own: every write runs on the thread of a caller that is waiting anyway.
 *
 * <p>The first caller to arrive while no group of its workspace is forming becomes the group's
 * leader: it waits until the group holds {@code maxBatch} events (the caller that fills it
 * closes it and wakes the leader), {@code maxDelay} has passed, the leader is interrupted, or
 * the gatherer is closed. Then it writes the group with {@link Pipeline#writeAll} (the batch
 * path: one transaction, prefetch, a savepoint per event) and hands each member its outcome.
 * Meanwhile later callers form the next group. A leader whose group nobody joined writes its
 * event alone, as an ungathered ingest would.
 *
 * <p>Never acknowledged before commit: a member's call returns only after the transaction
 * holding its event has committed. If the group's transaction fails, nothing of the group was
 * stored; every member then writes its own event again, alone, on its own thread, so an event
 * that fails the store fails only its own caller, with its own exception. Two members with the
 * same messageId: the store refuses the second inside the transaction, so it is a
 * {@code DUPLICATE} with the first one's profile, as in a batch.
 *
 * <p>Waiting is not interruptible, because an interrupted caller's event may already be in a
 * transaction that is about to commit: a member keeps waiting for its outcome; an interrupted
 * leader stops gathering and writes its group at once. Either way the call returns (or throws)
 * as it would have, with the interrupt flag set. The leader writes with the flag clear (some
 * JDBC drivers close their files on an interrupt) and sets it again afterwards.
 *
 * <p>{@link #close()} makes forming groups be written at once and waits until every call that
 * entered has returned; later calls are not gathered (each is a transaction of its own).
 *
 * <p>Thread-safe.
 */
public final class Gatherer {
  private static final Logger LOG = LoggerFactory.getLogger(Gatherer.class);

  private final Pipeline pipeline;
  private final long maxDelayNanos;
  private final int maxBatch;
  private final ConcurrentHashMap<WorkspaceId, Lane> lanes = new ConcurrentHashMap<>();
  /** Held shared by every gathered call while it runs, exclusively by {@link #close()}. */
  private final ReentrantReadWriteLock calls = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** One event waiting for its group's outcome; empty when it must be written alone. */
  private record Member(PreparedEvent event,
      CompletableFuture<Optional<IdentityResolver.Outcome>> done) {}

  public Gatherer(Pipeline pipeline, Duration maxDelay, int maxBatch) {
    this.pipeline = pipeline;
    this.maxDelayNanos = maxDelay.toNanos();
    this.maxBatch = maxBatch;
  }

  /**
   * Ingests one event as part of a group of its workspace.
   *
   * @throws io.cdpkit.core.InvalidEventException when the event breaks a rule (before it joins
   *     a group; nothing was stored, and the group does not notice)
   * @throws io.cdpkit.core.StorageException when the store fails the event's own transaction
   */
  public IngestResult ingest(WorkspaceId ws, Event event) {
    PreparedEvent p = pipeline.prepare(ws, event);
    calls.readLock().lock();
    try {
      IdentityResolver.Outcome o = closed ? pipeline.writeOne(ws, p)
          : lanes.computeIfAbsent(ws, Lane::new).join(p);
      return Pipeline.single(p, o);
    } finally {
      calls.readLock().unlock();
    }
  }

  /**
   * Writes forming groups at once and waits, uninterruptibly, until every gathered call has
   * returned: at most the time of their transactions. Later calls write their events alone.
   * Idempotent.
   */
  public void close() {
    closed = true;
    for (Lane lane : lanes.values()) {
      lane.wake();
    }
    calls.writeLock().lock();
    calls.writeLock().unlock();
  }

  /** The groups of one workspace. */
  private final class Lane {
    private final WorkspaceId ws;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a group is closed by size, or the gatherer is closed. */
    private final Condition sealed = lock.newCondition();
    /** The group taking members; null while none is. Guarded by {@link #lock}. */
    private @Nullable List<Member> forming;

    Lane(WorkspaceId ws) {
      this.ws = ws;
    }

    /** Joins (or leads) a group and returns once the event's transaction has committed. */
    IdentityResolver.Outcome join(PreparedEvent p) {
      Member me = new Member(p, new CompletableFuture<>());
      List<Member> lead = null;
      boolean interrupted = false;
      lock.lock();
      try {
        List<Member> group = forming;
        if (group == null) {
          group = new ArrayList<>();
          forming = group;
          lead = group;
        }
        group.add(me);
        if (group.size() >= maxBatch) {
          forming = null;
          sealed.signalAll();
        }
        if (lead != null) {
          long left = maxDelayNanos;
          while (forming == lead && left > 0 && !closed) {
            try {
              left = sealed.awaitNanos(left);
            } catch (InterruptedException e) {
              interrupted = true;
              break;
            }
          }
          if (forming == lead) {
            forming = null;
          }
        }
      } finally {
        lock.unlock();
      }
      try {
        Optional<IdentityResolver.Outcome> o;
        if (lead == null) {
          o = me.done().join();
        } else if (lead.size() == 1) {
          o = Optional.empty(); // nobody joined: write it as an ungathered ingest would
        } else {
          write(lead);
          o = me.done().join();
        }
        return o.isPresent() ? o.get() : pipeline.writeOne(ws, p);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    void wake() {
      lock.lock();
      try {
        sealed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Writes a group in one transaction and completes every member, whatever happens. */
    private void write(List<Member> group) {
      List<IdentityResolver.Outcome> outcomes = null;
      try {
        outcomes = pipeline.writeAll(ws, group.stream().map(Member::event).toList());
        LOG.debug("gathered {} events into one transaction in workspace {}", group.size(), ws);
      } catch (RuntimeException | Error e) {
        // Nothing of the group was stored; each member writes its event alone, so that a
        // failure stays with its own caller. Not rethrown here: the retries throw what is real.
        LOG.debug("gathered transaction of {} events in workspace {} failed ({}); each is "
            + "written alone", group.size(), ws, e.getClass().getSimpleName());
      } finally {
        for (int i = 0; i < group.size(); i++) {
          group.get(i).done().complete(
              outcomes == null ? Optional.empty() : Optional.of(outcomes.get(i)));
        }
      }
    }
  }
}
