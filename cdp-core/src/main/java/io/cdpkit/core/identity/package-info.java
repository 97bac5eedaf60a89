/**
 * Identifier rules: normalisation per identifier type, priorities, limits per profile and blocked values.
 */
@NullMarked
package io.cdpkit.core.identity;

import org.jspecify.annotations.NullMarked;
