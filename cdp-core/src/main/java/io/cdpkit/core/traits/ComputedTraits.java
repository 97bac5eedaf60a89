package io.cdpkit.core.traits;

import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A set of computed traits with unique names: aggregations ({@link ComputedTrait}) and derived
 * traits ({@link DerivedTrait}) whose inputs are all in the set and do not form a cycle.
 *
 * <p>Immutable.
 */
public final class ComputedTraits {
  /** No computed traits. */
  public static final ComputedTraits NONE = new ComputedTraits(Map.of(), Map.of());

  private final Map<String, ComputedTrait> aggregates;
  private final Map<String, DerivedTrait> derived;
  /** Aggregations whose filter names no event: every event is tested against them. */
  private final ComputedTrait[] anyName;
  /** Aggregations by the event names their filters name. */
  private final Map<String, ComputedTrait[]> byName;
  /** Aggregations with rules for the events they read ({@link Aggregation#LEDGER}). */
  private final ComputedTrait[] ledgers;
  /** The catalog fields the aggregations read through {@code $catalog}. */
  private final Set<String> catalogFields;

  private ComputedTraits(Map<String, ComputedTrait> aggregates, Map<String, DerivedTrait> derived) {
    this.aggregates = aggregates;
    this.derived = derived;
    List<ComputedTrait> any = new ArrayList<>();
    Map<String, List<ComputedTrait>> named = new HashMap<>();
    for (ComputedTrait t : aggregates.values()) {
      if (t.filter().names().isEmpty()) {
        any.add(t);
      } else {
        for (String n : t.filter().names()) {
          named.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
        }
      }
    }
    this.anyName = any.toArray(new ComputedTrait[0]);
    Map<String, ComputedTrait[]> m = new HashMap<>();
    named.forEach((k, v) -> m.put(k, v.toArray(new ComputedTrait[0])));
    this.byName = m;
    this.ledgers = aggregates.values().stream()
        .filter(t -> t.aggregation() == Aggregation.LEDGER).toArray(ComputedTrait[]::new);
    Set<String> fields = new java.util.TreeSet<>();
    aggregates.values().forEach(t -> fields.addAll(t.catalogFields()));
    this.catalogFields = java.util.Collections.unmodifiableSet(fields);
  }

  /**
   * The catalog fields the aggregations read through {@code $catalog}; empty when none reads
   * the catalog (then events are never joined with it, and catalog changes recompute nothing).
   */
  public Set<String> catalogFields() {
    return catalogFields;
  }

  /**
   * A set of traits.
   *
   * @throws IllegalArgumentException when two share a name, a derived trait reads one that is
   *     not in the set, or derived traits read each other in a cycle
   */
  public static ComputedTraits of(Collection<ComputedTrait> aggregates,
      Collection<DerivedTrait> derived) {
    Map<String, ComputedTrait> a = new LinkedHashMap<>();
    Map<String, DerivedTrait> d = new LinkedHashMap<>();
    for (ComputedTrait t : aggregates) {
      if (a.putIfAbsent(t.name(), t) != null) {
        throw new IllegalArgumentException("computed trait " + t.name() + " is declared twice");
      }
    }
    for (DerivedTrait t : derived) {
      if (a.containsKey(t.name()) || d.putIfAbsent(t.name(), t) != null) {
        throw new IllegalArgumentException("computed trait " + t.name() + " is declared twice");
      }
    }
    for (DerivedTrait t : d.values()) {
      for (String in : t.inputs()) {
        if (!a.containsKey(in) && !d.containsKey(in)) {
          throw new IllegalArgumentException("derived trait " + t.name() + " reads " + in
              + ", which is not declared");
        }
      }
    }
    Set<String> done = new HashSet<>();
    for (String n : d.keySet()) {
      checkCycle(n, d, new ArrayList<>(), done);
    }
    return new ComputedTraits(Collections.unmodifiableMap(a), Collections.unmodifiableMap(d));
  }

  private static void checkCycle(String n, Map<String, DerivedTrait> d, List<String> path,
      Set<String> done) {
    if (done.contains(n) || !d.containsKey(n)) {
      return;
    }
    if (path.contains(n)) {
      path.add(n);
      throw new IllegalArgumentException("derived traits read each other in a cycle: "
          + String.join(" -> ", path.subList(path.indexOf(n), path.size())));
    }
    path.add(n);
    for (String in : d.get(n).inputs()) {
      checkCycle(in, d, path, done);
    }
    path.remove(path.size() - 1);
    done.add(n);
  }

  /**
   * This set plus aggregations not in it yet; one already here under the same name must be
   * equal.
   *
   * @throws IllegalArgumentException when a name is taken by a different trait
   */
  public ComputedTraits with(Collection<ComputedTrait> more) {
    List<ComputedTrait> add = new ArrayList<>();
    for (ComputedTrait t : more) {
      ComputedTrait have = aggregates.get(t.name());
      if (have == null && derived.containsKey(t.name())) {
        throw new IllegalArgumentException("computed trait " + t.name() + " is declared twice");
      }
      if (have != null && !have.equals(t)) {
        throw new IllegalArgumentException("computed trait " + t.name()
            + " is already declared differently");
      }
      if (have == null && !add.contains(t)) {
        add.add(t);
      }
    }
    if (add.isEmpty()) {
      return this;
    }
    List<ComputedTrait> all = new ArrayList<>(aggregates.values());
    all.addAll(add);
    return of(all, derived.values());
  }

  /** The aggregations, in declaration order. */
  public Collection<ComputedTrait> aggregates() {
    return aggregates.values();
  }

  /** The derived traits, in declaration order. */
  public Collection<DerivedTrait> derived() {
    return derived.values();
  }

  public Optional<ComputedTrait> aggregate(String name) {
    return Optional.ofNullable(aggregates.get(name));
  }

  public Optional<DerivedTrait> derivedTrait(String name) {
    return Optional.ofNullable(derived.get(name));
  }

  /** Whether a trait of this name is declared. */
  public boolean contains(String name) {
    return aggregates.containsKey(name) || derived.containsKey(name);
  }

  public boolean isEmpty() {
    return aggregates.isEmpty() && derived.isEmpty();
  }

  /** What an event contributes to every aggregation, by name; empty when nothing. */
  public Map<String, AggregateState> contributions(Event e, Instant time) {
    return contributions(e, time, ProductLookup.NONE);
  }

  /**
   * As {@link #contributions(Event, Instant)}, property paths joining through {@code catalog}
   * (the workspace's product catalog).
   */
  public Map<String, AggregateState> contributions(Event e, Instant time,
      ProductLookup catalog) {
    Map<String, AggregateState> out = null;
    ComputedTrait[] named = byName.get(io.cdpkit.core.spi.storage.StoredEvent.countedName(e));
    if (named != null) {
      out = contribute(named, e, time, out, catalog);
    }
    if (anyName.length > 0) {
      out = contribute(anyName, e, time, out, catalog);
    }
    return out == null ? Map.of() : out;
  }

  /**
   * Checks a client's event against the rules of the aggregations it would contribute to (the
   * loyalty ledger's, see {@link LoyaltyTraits}), before it is stored.
   *
   * @throws io.cdpkit.core.InvalidEventException naming the field that breaks a rule
   */
  public void check(Event e) {
    if (ledgers.length == 0) {
      return;
    }
    for (ComputedTrait t : ledgers) {
      t.check(e);
    }
  }

  private static @Nullable Map<String, AggregateState> contribute(ComputedTrait[] traits,
      Event e, Instant time, @Nullable Map<String, AggregateState> out,
      ProductLookup catalog) {
    for (ComputedTrait t : traits) {
      AggregateState s = t.contribution(e, time, catalog);
      if (s != null) {
        if (out == null) {
          out = new HashMap<>();
        }
        out.put(t.name(), s);
      }
    }
    return out;
  }

  /**
   * A trait's value for a profile state of a workspace at {@code now}.
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  public Optional<Object> value(WorkspaceId workspace, String name, ProfileState state,
      Instant now) {
    return new Context(workspace, state, now).value(name);
  }

  /**
   * {@link #value(WorkspaceId, String, ProfileState, Instant)} in the default workspace
   * ({@link WorkspaceId#DEFAULT}).
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  public Optional<Object> value(String name, ProfileState state, Instant now) {
    return value(WorkspaceId.DEFAULT, name, state, now);
  }

  /**
   * When a trait's value can next change without new events.
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  public Optional<Instant> nextChange(WorkspaceId workspace, String name, ProfileState state,
      Instant now) {
    return new Context(workspace, state, now).nextChange(name);
  }

  /**
   * {@link #nextChange(WorkspaceId, String, ProfileState, Instant)} in the default workspace.
   *
   * @throws IllegalArgumentException when no trait of that name is declared
   */
  public Optional<Instant> nextChange(String name, ProfileState state, Instant now) {
    return nextChange(WorkspaceId.DEFAULT, name, state, now);
  }

  /**
   * Every trait's value at {@code now} for a profile state of a workspace, by name, sorted;
   * traits without a value left out.
   */
  public Map<String, Object> values(WorkspaceId workspace, ProfileState state, Instant now) {
    Context c = new Context(workspace, state, now);
    Map<String, Object> out = new TreeMap<>();
    for (String n : aggregates.keySet()) {
      if (!n.startsWith("_")) {
        c.value(n).ifPresent(v -> out.put(n, v));
      }
    }
    for (String n : derived.keySet()) {
      c.value(n).ifPresent(v -> out.put(n, v));
    }
    return Collections.unmodifiableMap(out);
  }

  /** {@link #values(WorkspaceId, ProfileState, Instant)} in the default workspace. */
  public Map<String, Object> values(ProfileState state, Instant now) {
    return values(WorkspaceId.DEFAULT, state, now);
  }

  /** A context over one state and instant, memoising values. Not thread-safe. */
  private final class Context implements TraitContext {
    private final WorkspaceId workspace;
    private final ProfileState state;
    private final Instant now;
    private @Nullable Map<String, Optional<Object>> memo;

    Context(WorkspaceId workspace, ProfileState state, Instant now) {
      this.workspace = Objects.requireNonNull(workspace, "workspace");
      this.state = Objects.requireNonNull(state, "state");
      this.now = Objects.requireNonNull(now, "now");
    }

    @Override
    public WorkspaceId workspace() {
      return workspace;
    }

    @Override
    public ProfileState state() {
      return state;
    }

    @Override
    public Instant now() {
      return now;
    }

    @Override
    public Optional<Object> value(String name) {
      ComputedTrait a = aggregates.get(name);
      if (a != null) {
        return a.value(state.computed().get(name), now);
      }
      DerivedTrait d = derived.get(name);
      if (d == null) {
        throw new IllegalArgumentException("no computed trait named " + name);
      }
      if (memo == null) {
        memo = new HashMap<>();
      }
      Optional<Object> v = memo.get(name);
      if (v == null) {
        v = Objects.requireNonNull(d.value(this), "derived trait returned null");
        memo.put(name, v);
      }
      return v;
    }

    @Override
    public Optional<Instant> nextChange(String name) {
      ComputedTrait a = aggregates.get(name);
      if (a != null) {
        return Optional.ofNullable(a.nextChange(state.computed().get(name), now));
      }
      DerivedTrait d = derived.get(name);
      if (d == null) {
        throw new IllegalArgumentException("no computed trait named " + name);
      }
      return d.nextChange(this);
    }
  }

  @Override
  public String toString() {
    return "ComputedTraits" + new ArrayList<>(aggregates.keySet()) + new ArrayList<>(derived.keySet());
  }
}
