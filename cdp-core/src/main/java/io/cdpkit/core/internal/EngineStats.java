package io.cdpkit.core.internal;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.WorkspaceId;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the engine counts about itself, without Micrometer: ingested events by workspace and
 * status, rejections by workspace and a closed set of reason codes, merges, unmerges and store
 * retries by workspace. Counting is always on and costs a map lookup and a {@code LongAdder}
 * add. Times (ingest calls, transactions) are measured only while a {@link Timing} is set, so
 * an engine without a metrics binder never reads the clock for them; merges and unmerges are
 * counted only while {@link #countLedger} is on (it costs a wrapper around each transaction).
 *
 * <p>Thread-safe.
 */
public final class EngineStats {
  /** Receives times while a metrics binder is bound. Implementations must be thread-safe. */
  public interface Timing {
    /** One ingest call of this kind ({@code single}, {@code batch}, {@code json}) took this. */
    void ingest(String kind, long nanos);

    /** One store write transaction of the pipeline took this, retries included. */
    void transaction(WorkspaceId workspace, long nanos);
  }

  /** Reason codes of rejections: a closed set, see {@link #reasonCode}. */
  public static final Set<String> REASON_CODES = Set.of("missing", "wrong_type", "malformed",
      "too_large", "out_of_range", "store_refused", "other");

  /** Events by workspace and status (stored, duplicate, erased). */
  public final Tally ingested = new Tally("workspace", "status");
  /** Rejected events by workspace and reason code. */
  public final Tally rejected = new Tally("workspace", "reason");
  /** Profiles merged away (ledger entries of kind MERGED), by workspace. */
  public final Tally merges = new Tally("workspace");
  /** Profiles split off by an unmerge (ledger entries of kind UNMERGED), by workspace. */
  public final Tally unmerges = new Tally("workspace");
  /** Write transactions of the pipeline the store ran again (a retryable failure), by workspace. */
  public final Tally storeRetries = new Tally("workspace");

  private volatile @Nullable Timing timing;
  private volatile boolean countLedger;

  /** Sets (or, with {@code null}, clears) the receiver of times. */
  public void timing(@Nullable Timing timing) {
    this.timing = timing;
  }

  /** The receiver of times, when one is set. */
  public @Nullable Timing timing() {
    return timing;
  }

  /** Turns counting merges and unmerges on or off. */
  public void countLedger(boolean on) {
    this.countLedger = on;
  }

  /** Whether merges and unmerges are counted. */
  public boolean countsLedger() {
    return countLedger;
  }

  /** A start time for {@link #ingestTimed}: 0 (no clock read) while no timing is set. */
  public long start() {
    return timing != null ? System.nanoTime() : 0L;
  }

  /** Records an ingest call started at {@code start} (see {@link #start}). */
  public void ingestTimed(String kind, long start) {
    Timing t = timing;
    if (t != null && start != 0L) {
      t.ingest(kind, System.nanoTime() - start);
    }
  }

  /** Counts one result. */
  public void count(WorkspaceId ws, IngestResult r) {
    switch (r.status()) {
      case STORED -> ingested.increment(ws.value(), "stored");
      case DUPLICATE -> ingested.increment(ws.value(), "duplicate");
      case ERASED -> ingested.increment(ws.value(), "erased");
      case REJECTED -> rejected(ws, r.error());
      default -> throw new IllegalStateException("unknown status " + r.status());
    }
  }

  /** Counts each result of a batch. */
  public void count(WorkspaceId ws, BatchResult r) {
    long stored = 0;
    long duplicate = 0;
    long erased = 0;
    for (IngestResult one : r.results()) {
      switch (one.status()) {
        case STORED -> stored++;
        case DUPLICATE -> duplicate++;
        case ERASED -> erased++;
        default -> count(ws, one);
      }
    }
    // One add per status and batch, not one per event.
    if (stored > 0) {
      ingested.add(stored, ws.value(), "stored");
    }
    if (duplicate > 0) {
      ingested.add(duplicate, ws.value(), "duplicate");
    }
    if (erased > 0) {
      ingested.add(erased, ws.value(), "erased");
    }
  }

  /** Counts one rejection. */
  public void rejected(WorkspaceId ws, @Nullable InvalidEventException ex) {
    rejected.increment(ws.value(), ex == null ? "other" : reasonCode(ex));
  }

  /**
   * The reason code of a rejection, one of {@link #REASON_CODES}, read from the kind of rule the
   * reason states (never from a value: the reason names none): {@code missing} (a required
   * field is absent, null or empty), {@code wrong_type} (a string where a number belongs, ...),
   * {@code malformed} (not an e-mail address, not ISO 8601, not valid JSON, ...),
   * {@code too_large} (over a length, size, depth or precision limit), {@code out_of_range}
   * (negative, outside the years allowed), {@code store_refused} (failed inside the store's
   * transaction), {@code other}.
   */
  public static String reasonCode(InvalidEventException ex) {
    String r = ex.reason().toLowerCase(Locale.ROOT);
    if (r.startsWith("could not be stored")) {
      return "store_refused";
    }
    if (r.startsWith("is required") || r.startsWith("is missing") || r.equals("is null")
        || r.equals("is empty") || r.startsWith("needs ")) {
      return "missing";
    }
    if (r.contains("characters") || r.contains("larger") || r.contains("deeper")
        || r.contains("too large") || r.contains("too long") || r.contains("too many")
        || r.contains("more decimals") || r.contains("exceeds") || r.contains("at most")) {
      return "too_large";
    }
    if (r.startsWith("must not be negative") || r.startsWith("must lie")
        || r.contains(" or more") || r.contains("out of range")) {
      return "out_of_range";
    }
    if (r.startsWith("must be a") || r.startsWith("must be true") || r.startsWith("must be an")) {
      return "wrong_type";
    }
    if (r.startsWith("is not") || r.startsWith("must match") || r.startsWith("must be one of")
        || r.startsWith("is a duplicate") || r.contains("invalid")) {
      return "malformed";
    }
    return "other";
  }
}
