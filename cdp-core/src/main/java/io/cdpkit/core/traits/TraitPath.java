package io.cdpkit.core.traits;

import io.cdpkit.core.model.ProfileState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A path to a profile trait's value: a trait name ({@code tier}), or a dotted path into a nested
 * trait ({@code address.city} reads key {@code city} of trait {@code address}), written as a
 * {@link PropertyPath}: a key ending in {@code []} steps into every element of a list
 * ({@code addresses[].city}). Segment conditions ({@code trait("address.city")}), activation
 * templates ({@code {{trait.address.street}}}) and {@link io.cdpkit.core.model.Profile#trait}
 * read traits through it.
 *
 * <p>Reading:
 * <ul>
 *   <li>A trait whose whole name is the path ({@code "address.city"} sent as one flat key) is
 *       read first, so traits named with dots before nested paths existed keep working. Only
 *       when no such trait holds a value is the path followed into the nested value.
 *   <li>A key that meets no map (a string {@code address}, a list without {@code []}) or is
 *       missing reaches nothing; {@code null}s are left out.
 * </ul>
 *
 * <p>Limits: a name without {@code .}, {@code [} or {@code ]} is taken as it is (any
 * characters); a path with them follows {@link PropertyPath}'s rules: at most
 * {@value PropertyPath#MAX_DEPTH} keys (the trait name included) of at most
 * {@value PropertyPath#MAX_KEY_LENGTH} characters, no empty key, brackets only as a trailing
 * {@code []}; and it may not start with {@code $}. Deeper values are stored but not addressable.
 *
 * <p>Immutable.
 */
public final class TraitPath {
  private final String text;
  private final @Nullable PropertyPath path;

  private TraitPath(String text, @Nullable PropertyPath path) {
    this.text = text;
    this.path = path;
  }

  /**
   * Parses a trait name or path.
   *
   * @throws IllegalArgumentException saying what is wrong with it (empty, too deep, an empty
   *     key, stray brackets, a leading {@code $} on a dotted path)
   */
  public static TraitPath parse(String text) {
    Objects.requireNonNull(text, "trait path");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("trait path is empty");
    }
    if (!isPath(text)) {
      return new TraitPath(text, null);
    }
    if (text.startsWith("$")) {
      throw new IllegalArgumentException("trait path " + text + " must not start with $");
    }
    if (text.contains("." + PropertyPath.CATALOG)) {
      throw new IllegalArgumentException("trait path " + text + " must not step into "
          + PropertyPath.CATALOG + ": profile traits are not joined with the catalog");
    }
    try {
      return new TraitPath(text, PropertyPath.parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trait " + e.getMessage(), e);
    }
  }

  /** Whether a name holds path syntax ({@code .}, {@code [}, {@code ]}). */
  public static boolean isPath(String text) {
    return text.indexOf('.') >= 0 || text.indexOf('[') >= 0 || text.indexOf(']') >= 0;
  }

  /** The top-level trait the path reads into (the whole name for a plain name). */
  public String trait() {
    return path == null ? text : path.key(0);
  }

  /** Whether the path reads into a nested value. */
  public boolean nested() {
    return path != null;
  }

  /**
   * The top-level traits whose registers decide this path's values: the whole name and, for a
   * nested path, its first key. A change to any other trait cannot change what it reads.
   */
  public Set<String> reads() {
    return path == null || path.key(0).equals(text) ? Set.of(text) : Set.of(text, path.key(0));
  }

  /** The non-null values the path reaches in a profile's trait registers. */
  public List<Object> values(ProfileState state) {
    return values(state.traits());
  }

  /** As {@link #values(ProfileState)}, over trait registers by name. */
  public List<Object> values(Map<String, ProfileState.TraitValue> traits) {
    ProfileState.TraitValue exact = traits.get(text);
    if (exact != null && exact.value() != null) {
      return List.of(exact.value());
    }
    if (path == null) {
      return List.of();
    }
    ProfileState.TraitValue top = traits.get(path.key(0));
    return top == null ? List.of() : walk(top.value());
  }

  /** As {@link #values(ProfileState)}, over plain trait values by name. */
  public List<Object> valuesOf(Map<String, ?> traits) {
    Object exact = traits.get(text);
    if (exact != null) {
      return List.of(exact);
    }
    return path == null ? List.of() : walk(traits.get(path.key(0)));
  }

  private List<Object> walk(@Nullable Object top) {
    if (top == null) {
      return List.of();
    }
    List<Object> out = new ArrayList<>(1);
    if (path.each(0)) {
      if (top instanceof List<?> l) {
        for (Object x : l) {
          path.walk(x, 1, out, io.cdpkit.core.catalog.ProductLookup.NONE);
        }
      }
    } else {
      path.walk(top, 1, out, io.cdpkit.core.catalog.ProductLookup.NONE);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraitPath p && p.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The path as written. */
  @Override
  public String toString() {
    return text;
  }
}
