package io.cdpkit.segmentation.definition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link SegmentValidator} needs to know of the workspace a definition is saved in: the
 * computed traits the host declared and the segments already saved.
 *
 * <p>The validator calls it on its own thread, possibly many times per definition, and does not
 * cache the answers; implementations answer from memory or a quick lookup and must not call the
 * validator back.
 */
public interface ValidationContext {
  /** Whether the host declared a computed trait of this name. */
  boolean computedTraitExists(String name);

  /** The saved segment with this id. */
  Optional<SegmentDefinition> segment(String id);

  /**
   * A context knowing these computed traits and segments (a later segment with the id of an
   * earlier one wins). Immutable.
   */
  static ValidationContext of(Collection<String> computedTraits,
      Collection<SegmentDefinition> segments) {
    Set<String> traits = Set.copyOf(computedTraits);
    Map<String, SegmentDefinition> byId = new HashMap<>();
    for (SegmentDefinition s : segments) {
      Objects.requireNonNull(s, "segment");
      byId.put(s.id(), s);
    }
    Map<String, SegmentDefinition> copy = Map.copyOf(byId);
    return new ValidationContext() {
      @Override
      public boolean computedTraitExists(String name) {
        return traits.contains(name);
      }

      @Override
      public Optional<SegmentDefinition> segment(String id) {
        return Optional.ofNullable(copy.get(id));
      }
    };
  }
}
