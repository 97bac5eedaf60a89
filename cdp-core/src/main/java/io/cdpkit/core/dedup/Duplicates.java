package io.cdpkit.core.dedup;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.ProfileId;
import java.util.List;
import java.util.Optional;

/**
 * Probabilistic duplicate detection in one workspace ({@code workspace.duplicates()}): the same
 * person behind two profiles that share no identifier ("Jon Smith" and "John Smith" with the
 * same street and birth date and different e-mails), found by a {@link DuplicateDetector},
 * decided by two thresholds and recorded in the identity graph.
 *
 * <pre>{@code
 * Duplicates dups = workspace.duplicates();
 * dups.configure(DedupSettings.defaults());        // the standard fields, incremental on
 * DetectionReport report = dups.detect(progress);  // learn the model, compare, decide
 * for (ReviewItem item : dups.reviewQueue()) {
 *   dups.reject(item.first(), item.second(), "reviewed");   // or accept(...)
 * }
 * }</pre>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li>At or above the link threshold, the two profiles are linked by an event of CDPKit's own
 *       ({@code context.source} {@code cdp.dedup}, a {@code track} named
 *       {@value #LINK_EVENT}) carrying each profile's highest-priority identifier. The merge
 *       ledger records it with the reason {@value #LEDGER_REASON}. {@code profiles().unmerge}
 *       of any two identifiers of the two undoes it and leaves a do-not-link rule, which this
 *       detection then respects.
 *   <li>Between the thresholds, the pair goes to the review queue. {@link #accept} links it as
 *       above; {@link #reject} records a do-not-link rule between the two.
 *   <li>A pair is never linked or queued when a do-not-link rule separates any identifier of one
 *       from any of the other, nor when joining them would break an identity rule (more
 *       customer ids than a profile may hold, say).
 * </ul>
 *
 * <h2>Batch and incremental</h2>
 * {@link #detect} reads every profile, learns the model (stored in the workspace), scores every
 * candidate pair, decides, and replaces the review queue with what it found. Once a model is
 * stored and {@link DedupSettings#incremental()} is on, each profile that an ingest creates or
 * whose compared values change is checked against its blocks on the ingesting thread just after
 * the ingest commits (the write is not held), and decided the same way. The blocks live in
 * memory on each node, built from the store on first use; a node sees the profiles other nodes
 * change at its next {@link #detect}.
 *
 * <h2>Privacy</h2>
 * Review items hold profile ids, probabilities and per-field weights, never the compared values;
 * a person's export lists the items naming her, and her erasure deletes them. Nothing personal
 * is logged.
 *
 * <p>Thread-safe.
 */
public interface Duplicates {
  /** Name of the event that links a probable match. */
  String LINK_EVENT = "Probable Match Linked";
  /** Reason of the merge-ledger entries such a link makes. */
  String LEDGER_REASON = "probable match";

  /** The settings in force: those configured last, else {@link DedupSettings#defaults()} with
   *  incremental detection off until {@link #configure} is called. */
  DedupSettings settings();

  /**
   * Stores these settings for the workspace (every node reads them). Changing the fields or
   * rules forgets the stored model; the next {@link #detect} learns a new one.
   */
  void configure(DedupSettings settings);

  /** {@link #detect(ProgressListener)} without progress. */
  DetectionReport detect();

  /**
   * The batch pass: reads every profile, learns the model and stores it, scores every candidate
   * pair, links those at or above the link threshold, and replaces the review queue with the
   * pairs between the thresholds. Phases reported: {@code read} (profiles), {@code compare}
   * (pairs), {@code decide} (pairs).
   */
  DetectionReport detect(ProgressListener progress);

  /** The model the last {@link #detect} learned, if any. */
  Optional<MatchModel> model();

  /**
   * The review queue, most probable first; pairs whose profiles have since been merged or
   * erased are left out.
   */
  List<ReviewItem> reviewQueue();

  /**
   * A person decided these two profiles are one: links them as an auto-link would, and removes
   * their review item if there is one.
   *
   * @param reasonCode lower case, {@code [a-z][a-z0-9_.-]{0,63}}, no personal data
   * @throws IllegalArgumentException when either profile is unknown, they are already one, or
   *     the reason code is not acceptable
   * @throws IllegalStateException when a do-not-link rule or an identity rule refuses the link
   *     (the message names which)
   */
  void accept(ProfileId first, ProfileId second, String reasonCode);

  /**
   * A person decided these two profiles are two people: records a do-not-link rule between
   * them (their highest-priority identifiers) and removes their review item.
   *
   * @throws IllegalArgumentException when either profile is unknown, or the reason code is not
   *     acceptable
   * @throws IllegalStateException when the two ids are one profile now (linked meanwhile):
   *     {@code profiles().unmerge} two of its identifiers instead
   */
  void reject(ProfileId first, ProfileId second, String reasonCode);

  /**
   * Scores two profiles with the stored model, as detection would: the explanation of why they
   * are or are not the same person. Empty without a model.
   *
   * @throws IllegalArgumentException when either profile is unknown
   */
  Optional<CandidatePair> compare(ProfileId first, ProfileId second);
}
