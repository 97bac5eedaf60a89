/**
 * Computed traits: values a profile derives from its events, declared by the host and kept up to
 * date as each event arrives. A {@link io.cdpkit.core.traits.ComputedTrait} aggregates the events
 * an {@link io.cdpkit.core.traits.EventFilter} selects (count, sum, average, min, max, first, last,
 * most frequent, distinct count, unique list), over all time or a sliding window of days; a
 * {@link io.cdpkit.core.traits.DerivedTrait} computes a value from the profile and other traits
 * (the {@link io.cdpkit.core.traits.RetailTraits retail pack} holds both kinds; the
 * {@link io.cdpkit.core.traits.LoyaltyTraits loyalty pack} derives points balances, tiers and
 * lapses per {@link io.cdpkit.core.traits.LoyaltyProgram} from a ledger of loyalty events).
 *
 * <p>The state behind an aggregation ({@link io.cdpkit.core.traits.AggregateState}) is a
 * join-semilattice like the rest of {@link io.cdpkit.core.model.ProfileState}, so a computed
 * trait is the same whatever the order events arrive in, and merges and unmerges keep it exact.
 *
 * <p>Paths: a {@link io.cdpkit.core.traits.PropertyPath} reads into an event's properties, a
 * {@link io.cdpkit.core.traits.TraitPath} into a profile's (nested) traits. A
 * {@link io.cdpkit.core.traits.TraitMapping} declares which track properties and
 * {@code context.traits} set traits besides {@code identify}.
 */
@NullMarked
package io.cdpkit.core.traits;

import org.jspecify.annotations.NullMarked;
