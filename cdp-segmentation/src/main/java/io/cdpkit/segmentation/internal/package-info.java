/**
 * Implementation of segmentation: the definition language's rule checks, JSON reader and writer,
 * the compiler from definitions to evaluable trees, and the per-workspace engine (real-time
 * evaluation, the schedule, batch evaluation). <p>This package carries no compatibility promise:
 * anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.segmentation.internal;

import org.jspecify.annotations.NullMarked;
