package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A segment: an id, a name for people, an optional description and the condition a profile
 * meets to be a member.
 *
 * <pre>{@code
 * SegmentDefinition vip = SegmentDefinition.builder("vip")
 *     .name("VIPs by spend")
 *     .where(Conditions.profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000))
 *     .build();
 * }</pre>
 *
 * <p>JSON (see {@link SegmentJson}): {@code {"version": 1, "id": "vip", "name": "VIPs by
 * spend", "description": "...", "condition": {...}}}, {@code description} left out when absent.
 *
 * <p>The record checks each part on its own; {@link SegmentValidator} checks the tree-wide
 * limits and the references to computed traits and other segments. Immutable.
 *
 * @param id the segment's id, matching {@code [a-z0-9][a-z0-9_-]{0,63}}
 * @param name a name for people, 1 to {@value DefinitionLimits#MAX_NAME_LENGTH} characters, not
 *     blank
 * @param description what the segment is for, at most
 *     {@value DefinitionLimits#MAX_DESCRIPTION_LENGTH} characters; {@code null} for none
 * @param condition what a member meets
 */
public record SegmentDefinition(String id, String name, @Nullable String description,
    Condition condition) {
  /**
   * Checks each part.
   *
   * @throws IllegalArgumentException naming the first part that breaks its rule
   */
  public SegmentDefinition {
    Rules.check("id", Rules.segmentId(id));
    Rules.check("name", Rules.name(name));
    Rules.check("description", Rules.description(description));
    Objects.requireNonNull(condition, "condition");
  }

  /**
   * A builder for a definition with this id; the name defaults to the id.
   *
   * @throws IllegalArgumentException when the id does not match the pattern
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * Builds a {@link SegmentDefinition}, checking each setting when it is made: a bad value or a
   * setting made twice fails at once and says why.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final String id;
    private @Nullable String name;
    private @Nullable String description;
    private @Nullable Condition condition;

    private Builder(String id) {
      Rules.check("id", Rules.segmentId(id));
      this.id = id;
    }

    /**
     * The name for people. JSON: {@code "name"}.
     *
     * @throws IllegalArgumentException when blank or too long
     * @throws IllegalStateException when the name was already set
     */
    public Builder name(String name) {
      if (this.name != null) {
        throw new IllegalStateException("name was already set to " + Rules.quote(this.name));
      }
      Rules.check("name", Rules.name(name));
      this.name = name;
      return this;
    }

    /**
     * What the segment is for. JSON: {@code "description"}.
     *
     * @throws IllegalArgumentException when too long
     * @throws IllegalStateException when the description was already set
     */
    public Builder description(String description) {
      if (this.description != null) {
        throw new IllegalStateException("description was already set");
      }
      Objects.requireNonNull(description, "description");
      Rules.check("description", Rules.description(description));
      this.description = description;
      return this;
    }

    /**
     * The condition a member meets. JSON: {@code "condition"}.
     *
     * @throws IllegalStateException when the condition was already set
     */
    public Builder where(Condition condition) {
      if (this.condition != null) {
        throw new IllegalStateException("condition was already set");
      }
      this.condition = Objects.requireNonNull(condition, "condition");
      return this;
    }

    /**
     * The definition.
     *
     * @throws IllegalStateException when no condition was set
     */
    public SegmentDefinition build() {
      if (condition == null) {
        throw new IllegalStateException("no condition: call where(...) first");
      }
      return new SegmentDefinition(id, name == null ? id : name, description, condition);
    }
  }
}
