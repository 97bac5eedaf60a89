package io.cdpkit.segmentation;

/**
 * Told of every segment entry and exit once the change that caused it has committed.
 *
 * <p>Called on the thread that committed the change (an ingesting thread, the thread running
 * {@link Segments#runDue()}, or the one saving a definition), once per event, in the order the
 * changes were made within that transaction. Calls for different workspaces, or from different
 * threads, may overlap, so implementations must be thread-safe. Keep it short: the ingest call
 * returns only after its listeners ran; hand slow work to a queue. An exception is logged and
 * the other listeners still run; the change stays committed.
 */
@FunctionalInterface
public interface SegmentListener {
  /** One entry or exit. */
  void onSegmentEvent(SegmentEvent event);
}
