/**
 * Immutable domain values: events, identifiers, profiles, the profile state semilattice and the merge ledger.
 */
@NullMarked
package io.cdpkit.core.model;

import org.jspecify.annotations.NullMarked;
