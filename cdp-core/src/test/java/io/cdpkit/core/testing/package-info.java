/**
 * Test support shared with other modules through cdp-core's test-jar: finding the shared
 * reference data.
 */
@NullMarked
package io.cdpkit.core.testing;

import org.jspecify.annotations.NullMarked;
