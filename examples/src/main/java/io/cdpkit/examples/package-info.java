/**
 * Runnable programs a newcomer starts with.
 */
@NullMarked
package io.cdpkit.examples;

import org.jspecify.annotations.NullMarked;
