package io.cdpkit.core.model;

import io.cdpkit.core.internal.Checks;
import java.util.UUID;

/**
 * The id of a unified profile. Ids carry no personal data: the pipeline writes them as UUIDs made
 * of a random 64-bit prefix, drawn once per {@code Cdp} instance, and a counter, so they are
 * unique across instances and nodes without a secure random draw per id. When two profiles merge,
 * the merged-away id keeps resolving to the survivor, so an id a host stored never dies.
 *
 * <p>Immutable.
 *
 * @param value the id, 1 to 64 characters from {@code [A-Za-z0-9_.-]}
 */
public record ProfileId(String value) implements Comparable<ProfileId> {
  public ProfileId {
    Checks.token(value, 64, "profile id");
  }

  public static ProfileId of(String value) {
    return new ProfileId(value);
  }

  /** A new random id. */
  public static ProfileId random() {
    return new ProfileId(UUID.randomUUID().toString());
  }

  @Override
  public int compareTo(ProfileId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
