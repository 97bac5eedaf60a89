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
 * <p>This package only scores pairs; it neither merges profiles nor keeps a review queue.
 */
@NullMarked
package io.cdpkit.core.dedup;

import org.jspecify.annotations.NullMarked;
