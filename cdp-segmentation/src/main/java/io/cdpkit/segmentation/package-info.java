/**
 * Segment definitions and their real-time and batch evaluation (not implemented yet).
 */
@NullMarked
package io.cdpkit.segmentation;

import org.jspecify.annotations.NullMarked;
