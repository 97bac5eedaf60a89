package io.cdpkit.core.traits;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Which values of events other than {@code identify} set profile traits: track properties
 * ({@code Order Completed}'s {@code shipping.country} sets trait {@code country}) and, opted in,
 * the {@code context.traits} that Segment's libraries send with every call (all of them or only
 * the names listed). Declared on {@code Cdp.Builder.traitMapping}, for all workspaces or for
 * one; without one, only {@code identify} traits reach the profile.
 *
 * <pre>{@code
 * TraitMapping m = TraitMapping.builder()
 *     .property("Order Completed", "shipping.country", "country")
 *     .property("Order Completed", "locale", "language")
 *     .contextTraits("country", "language")
 *     .build();
 * }</pre>
 *
 * <p>A mapped value is written to the same last-writer-wins register an {@code identify} trait
 * is, with the same order: the later event time wins, then the higher source priority, then the
 * greater messageId. So an {@code identify} and a mapped property are peers: whichever event is
 * dated later decides, whatever order they arrive in, and merges, unmerges and erasure treat
 * mapped traits as they treat identify traits (they are recomputed from the events). Within one
 * event, {@code identify} traits win over mapped {@code context.traits} of the same name, and
 * a mapped track property wins over {@code context.traits}.
 *
 * <p>What is read:
 * <ul>
 *   <li>A property path ({@link PropertyPath}) gives its value as sent: a string, number,
 *       boolean, list or a whole nested map (map {@code shipping} to trait {@code address} and
 *       the address is one nested trait, read back with {@link TraitPath}s). A missing property
 *       or {@code null} sets nothing (a track call never unsets a trait; only {@code identify}
 *       does).
 *   <li>{@code context.traits} are read from every event but {@code alias} ({@code track},
 *       {@code page}, {@code screen}, {@code group}, {@code identify}); {@code null} values are
 *       skipped for the same reason.
 * </ul>
 *
 * <p>Limits and checks (each breaks at once with an {@link IllegalArgumentException} or, for a
 * second declaration of the same thing, an {@link IllegalStateException} naming it): event
 * names 1 to {@value Event#MAX_NAME_LENGTH} characters; property paths as
 * {@link PropertyPath#parse} but never through a list ({@code []}: a trait holds one value);
 * trait names 1 to {@value #MAX_TRAIT_NAME_LENGTH} characters, without {@code .}, {@code [},
 * {@code ]} (they would read as {@link TraitPath}s), not starting with {@code $}; a trait that
 * the identity rules read as an identifier ({@code email}, {@code phone}, ...) may not be the
 * target of a property (the value would become a trait but never an identifier: send it as an
 * identifier; checked by {@code Cdp.Builder.build()}); at most {@value #MAX_MAPPINGS} property
 * mappings; one trait per (event, property), one property per (event, trait).
 *
 * <p>Changing the mapping: the first time a workspace is opened with a mapping other than the
 * one its profiles were built with, they are recomputed from their events (as for a new
 * computed trait), so old events follow the new mapping too. A store without metadata cannot
 * remember the mapping; there it applies to what is ingested or recomputed afterwards.
 *
 * <p>Immutable.
 */
public final class TraitMapping {
  /** Longest trait name a mapping writes, in characters. */
  public static final int MAX_TRAIT_NAME_LENGTH = 200;
  /** Most property mappings. */
  public static final int MAX_MAPPINGS = 1_000;

  /** No mapping: only {@code identify} traits set traits. */
  public static final TraitMapping NONE = new TraitMapping(Map.of(), false, Set.of());

  /** event name, then property path to trait name, in declaration order. */
  private final Map<String, Map<PropertyPath, String>> properties;
  private final boolean allContextTraits;
  private final Set<String> contextTraits;

  private TraitMapping(Map<String, Map<PropertyPath, String>> properties,
      boolean allContextTraits, Set<String> contextTraits) {
    this.properties = properties;
    this.allContextTraits = allContextTraits;
    this.contextTraits = contextTraits;
  }

  /** A builder of a mapping. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the mapping maps nothing. */
  public boolean isEmpty() {
    return properties.isEmpty() && !allContextTraits && contextTraits.isEmpty();
  }

  /** The trait names properties are mapped to, sorted. */
  public Set<String> propertyTraits() {
    Set<String> out = new java.util.TreeSet<>();
    properties.values().forEach(m -> out.addAll(m.values()));
    return Collections.unmodifiableSet(out);
  }

  /**
   * The traits an event sets through this mapping (not its {@code identify} traits), by name;
   * a context trait first, then a mapped property of the same name over it.
   */
  public Map<String, Object> traits(Event e) {
    if (e.type() == EventType.ALIAS) {
      return Map.of();
    }
    Map<String, Object> out = null;
    if (allContextTraits || !contextTraits.isEmpty()) {
      for (Map.Entry<String, ?> t : e.context().traits().entrySet()) {
        if (t.getValue() != null && (allContextTraits || contextTraits.contains(t.getKey()))) {
          out = put(out, t.getKey(), t.getValue());
        }
      }
    }
    if (e.type() == EventType.TRACK && e.name() != null) {
      Map<PropertyPath, String> m = properties.get(e.name());
      if (m != null) {
        for (Map.Entry<PropertyPath, String> p : m.entrySet()) {
          List<Object> vs = p.getKey().values(e);
          if (!vs.isEmpty()) {
            out = put(out, p.getValue(), vs.get(0));
          }
        }
      }
    }
    return out == null ? Map.of() : out;
  }

  private static Map<String, Object> put(@Nullable Map<String, Object> m, String k, Object v) {
    Map<String, Object> out = m == null ? new LinkedHashMap<>() : m;
    out.put(k, v);
    return out;
  }

  /**
   * A stable text of the mapping: when it changes, profiles built under the old one are stale.
   */
  public String fingerprint() {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(properties).forEach((event, m) -> {
      TreeMap<String, String> sorted = new TreeMap<>();
      m.forEach((p, t) -> sorted.put(p.toString(), t));
      sorted.forEach((p, t) -> b.append(event.length()).append(':').append(event)
          .append(p.length()).append(':').append(p).append(t.length()).append(':').append(t)
          .append(';'));
    });
    b.append('|').append(allContextTraits ? "*" : "");
    new java.util.TreeSet<>(contextTraits).forEach(t -> b.append(t.length()).append(':')
        .append(t).append(';'));
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraitMapping m && m.fingerprint().equals(fingerprint());
  }

  @Override
  public int hashCode() {
    return fingerprint().hashCode();
  }

  @Override
  public String toString() {
    int n = properties.values().stream().mapToInt(Map::size).sum();
    return "TraitMapping[properties=" + n + ", contextTraits="
        + (allContextTraits ? "all" : contextTraits.size()) + "]";
  }

  /**
   * Why a trait name cannot be a mapping's target, or {@code null} when it can.
   *
   * @param name the name
   */
  static @Nullable String traitNameProblem(@Nullable String name) {
    if (name == null || name.isBlank() || name.length() > MAX_TRAIT_NAME_LENGTH) {
      return "must be 1 to " + MAX_TRAIT_NAME_LENGTH + " characters, not blank";
    }
    if (TraitPath.isPath(name)) {
      return "must not hold '.', '[' or ']' (it would read as a path into a nested trait)";
    }
    if (name.startsWith("$")) {
      return "must not start with $ (reserved)";
    }
    return null;
  }

  /** Builds a {@link TraitMapping}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Map<PropertyPath, String>> properties = new LinkedHashMap<>();
    private int count;
    private @Nullable Boolean allContextTraits;
    private final Set<String> contextTraits = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Maps a track event's property to a trait.
     *
     * @param event the track event's name ({@code Order Completed})
     * @param propertyPath where the value is ({@code shipping.country}; see {@link PropertyPath})
     * @param trait the trait it sets ({@code country})
     * @throws IllegalArgumentException when a part breaks a rule (see the class description)
     * @throws IllegalStateException when the property of that event is mapped already, or the
     *     trait is already set from another property of that event
     */
    public Builder property(String event, String propertyPath, String trait) {
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(propertyPath, "propertyPath");
      Objects.requireNonNull(trait, "trait");
      if (event.isBlank() || event.length() > Event.MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("trait mapping: event name must be 1 to "
            + Event.MAX_NAME_LENGTH + " characters, not blank");
      }
      PropertyPath path;
      try {
        path = PropertyPath.parse(propertyPath);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trait mapping of event " + event + ": property "
            + e.getMessage(), e);
      }
      if (propertyPath.contains("[]")) {
        throw new IllegalArgumentException("trait mapping of event " + event + ": property path "
            + propertyPath + " steps through a list ([]), but a trait holds one value");
      }
      String problem = traitNameProblem(trait);
      if (problem != null) {
        throw new IllegalArgumentException("trait mapping of event " + event + ", property "
            + propertyPath + ": trait name " + problem);
      }
      Map<PropertyPath, String> m = properties.computeIfAbsent(event,
          k -> new LinkedHashMap<>());
      String was = m.get(path);
      if (was != null) {
        throw new IllegalStateException("trait mapping: property " + propertyPath + " of event "
            + event + " was already mapped to trait " + was);
      }
      for (Map.Entry<PropertyPath, String> x : m.entrySet()) {
        if (x.getValue().equals(trait)) {
          throw new IllegalStateException("trait mapping: trait " + trait + " is already set"
              + " from property " + x.getKey() + " of event " + event);
        }
      }
      if (count == MAX_MAPPINGS) {
        throw new IllegalArgumentException("trait mapping: more than " + MAX_MAPPINGS
            + " property mappings");
      }
      m.put(path, trait);
      count++;
      return this;
    }

    /**
     * Copies every {@code context.traits} value of every event to the profile's traits.
     *
     * @throws IllegalStateException when context traits were already chosen
     */
    public Builder contextTraits() {
      if (allContextTraits != null) {
        throw new IllegalStateException("trait mapping: context traits were already chosen ("
            + (allContextTraits ? "all" : "listed: " + contextTraits) + ")");
      }
      allContextTraits = true;
      return this;
    }

    /**
     * Copies the listed {@code context.traits} of every event to the profile's traits.
     *
     * @throws IllegalArgumentException when none is listed, or a name breaks a rule
     * @throws IllegalStateException when context traits were already chosen
     */
    public Builder contextTraits(String... names) {
      if (allContextTraits != null) {
        throw new IllegalStateException("trait mapping: context traits were already chosen ("
            + (allContextTraits ? "all" : "listed: " + contextTraits) + ")");
      }
      if (names.length == 0) {
        throw new IllegalArgumentException("trait mapping: list at least one context trait, or"
            + " call contextTraits() for all");
      }
      Set<String> listed = new LinkedHashSet<>();
      for (String n : names) {
        Objects.requireNonNull(n, "context trait name");
        String problem = traitNameProblem(n);
        if (problem != null) {
          throw new IllegalArgumentException("trait mapping: context trait name " + problem);
        }
        if (!listed.add(n)) {
          throw new IllegalArgumentException("trait mapping: context trait " + n
              + " is listed twice");
        }
      }
      allContextTraits = false;
      contextTraits.addAll(listed);
      return this;
    }

    /** The mapping. */
    public TraitMapping build() {
      Map<String, Map<PropertyPath, String>> p = new LinkedHashMap<>();
      properties.forEach((k, v) -> p.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
      return new TraitMapping(Collections.unmodifiableMap(p),
          allContextTraits != null && allContextTraits, Set.copyOf(contextTraits));
    }
  }
}
