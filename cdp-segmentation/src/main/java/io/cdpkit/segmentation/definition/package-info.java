/**
 * The segment definition language: a {@link io.cdpkit.segmentation.definition.SegmentDefinition}
 * names a tree of {@link io.cdpkit.segmentation.definition.Condition conditions} over traits,
 * computed traits, built-in profile fields, identifiers, consent, other segments and events in
 * time windows. Event conditions may read the workspace's product catalog through
 * {@code $catalog} paths ({@code products[].$catalog.brand}; see
 * {@link io.cdpkit.segmentation.definition.EventCondition}).
 *
 * <p>A definition has three equal forms: the records themselves, the fluent builder
 * ({@link io.cdpkit.segmentation.definition.Conditions} and
 * {@link io.cdpkit.segmentation.definition.SegmentDefinition#builder(String)}), and canonical,
 * versioned JSON ({@link io.cdpkit.segmentation.definition.SegmentJson}). Each record checks
 * its own parts when built; {@link io.cdpkit.segmentation.definition.SegmentValidator} checks
 * what needs the rest of the workspace (declared computed traits, other segments, cycles) and the
 * tree-wide {@link io.cdpkit.segmentation.definition.DefinitionLimits limits}.
 *
 * <pre>{@code
 * SegmentDefinition vip = SegmentDefinition.builder("vip")
 *     .name("VIPs by spend")
 *     .where(Conditions.and(
 *         Conditions.profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000),
 *         Conditions.not(Conditions.inSegment("staff"))))
 *     .build();
 * String json = SegmentJson.write(vip);
 * }</pre>
 *
 * <p>Every type here is immutable or stateless, and safe to share between threads.
 */
@NullMarked
package io.cdpkit.segmentation.definition;

import org.jspecify.annotations.NullMarked;
