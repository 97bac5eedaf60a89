/**
 * Implementation of the ingest pipeline and identity resolution. <p>This package carries no compatibility promise: anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.core.internal;

import org.jspecify.annotations.NullMarked;
