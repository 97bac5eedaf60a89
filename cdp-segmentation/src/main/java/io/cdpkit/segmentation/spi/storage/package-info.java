/**
 * The storage capability segmentation owns: memberships and scheduled checks
 * ({@link io.cdpkit.segmentation.spi.storage.SegmentStorage}), what a store implements to hold
 * them, and its contract suite ({@code SegmentStorageContractTest} in this module's test kit).
 */
@NullMarked
package io.cdpkit.segmentation.spi.storage;

import org.jspecify.annotations.NullMarked;
