/**
 * Probabilistic duplicate detection: a Fellegi-Sunter match model whose parameters are learned
 * from the records themselves, without labelled examples.
 *
 * <p>The host maps each profile to a {@link io.cdpkit.core.dedup.MatchRecord} (an id and the
 * values of the {@link io.cdpkit.core.dedup.MatchField}s it knows) and hands the records to a
 * {@link io.cdpkit.core.dedup.DuplicateDetector}. The detector compares only the pairs its
 * {@link io.cdpkit.core.dedup.BlockingRule}s bring together, learns how often each field agrees
 * among non-matches (u, from random pairs) and among matches (m, by expectation maximisation
 * on the blocked pairs), estimates how many pairs match at all (the prior), and returns every
 * candidate pair with its match probability and the per-field weights that add up to it
 * ({@link io.cdpkit.core.dedup.CandidatePair}).
 *
 * <p>A learned {@link io.cdpkit.core.dedup.MatchModel} can be stored as JSON
 * ({@link io.cdpkit.core.dedup.MatchModelJson}) and reused without learning: to score a set of
 * records, or in a {@link io.cdpkit.core.dedup.MatchIndex} that checks one new or changed record
 * at a time against its blocks, with the same scores the batch run gives.
 *
 * <p>A workspace runs detection on its own profiles through
 * {@link io.cdpkit.core.dedup.Duplicates} ({@code workspace.duplicates()}): fields read from
 * traits ({@link io.cdpkit.core.dedup.FieldSource}) as its
 * {@link io.cdpkit.core.dedup.DedupSettings} say, probable matches linked through the identity
 * graph, pairs in doubt in a review queue ({@link io.cdpkit.core.dedup.ReviewItem}), new and
 * changed profiles checked as they are ingested.
 */
@NullMarked
package io.cdpkit.core.dedup;

import org.jspecify.annotations.NullMarked;
