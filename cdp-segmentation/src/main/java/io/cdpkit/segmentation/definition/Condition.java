package io.cdpkit.segmentation.definition;

/**
 * A node of a segment's condition tree. The kinds and their JSON {@code type}:
 *
 * <ul>
 *   <li>{@link And} ({@code and}), {@link Or} ({@code or}), {@link Not} ({@code not}): logic.
 *   <li>{@link TraitCondition} ({@code trait}): a trait set by {@code identify} events.
 *   <li>{@link ComputedCondition} ({@code computed}): a computed trait the host declares.
 *   <li>{@link ProfileCondition} ({@code profile}): a built-in {@link ProfileField}.
 *   <li>{@link IdentifierCondition} ({@code identifier}): the profile holds an identifier type.
 *   <li>{@link ConsentCondition} ({@code consent}): consent granted for a purpose on a channel.
 *   <li>{@link SegmentCondition} ({@code segment}): membership of another segment.
 *   <li>{@link EventCondition} ({@code event}): how many matching events in a time window.
 *   <li>{@link NotFollowedByCondition} ({@code notFollowedBy}): an event not followed by another
 *       (abandoned cart).
 * </ul>
 *
 * <p>Build trees with {@link Conditions}. Every implementation is an immutable record.
 */
public sealed interface Condition
    permits And, Or, Not, TraitCondition, ComputedCondition, ProfileCondition,
        IdentifierCondition, ConsentCondition, SegmentCondition, EventCondition,
        NotFollowedByCondition {
}
