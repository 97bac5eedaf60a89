/**
 * The in-memory reference store. <p>This package carries no compatibility promise: anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.core.internal.memory;

import org.jspecify.annotations.NullMarked;
