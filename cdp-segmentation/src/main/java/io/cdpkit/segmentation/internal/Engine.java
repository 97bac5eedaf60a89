package io.cdpkit.segmentation.internal;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.extension.ProfileChanges;
import io.cdpkit.core.spi.extension.Signal;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.Explanation;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.SegmentEvent.Cause;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.SegmentJson;
import io.cdpkit.segmentation.definition.SegmentValidator;
import io.cdpkit.segmentation.definition.ValidationContext;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments of one workspace: their compiled definitions, real-time evaluation inside ingest
 * transactions, the schedule of time-driven changes, batch evaluation and explanations.
 *
 * <p>Thread-safe. Definitions are replaced as a whole snapshot (under this object's lock for
 * writers); evaluation reads one snapshot.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** Metadata key prefix of stored definitions. */
  static final String KEY = "segment.";
  /** Profiles per transaction in batch passes and schedule runs. */
  static final int PAGE = 500;
  /** Profiles per read in batch evaluation. */
  static final int SCAN_PAGE = 5_000;

  private final ExtensionContext ctx;
  private final WorkspaceId ws;
  private final Consumer<List<SegmentEvent>> publisher;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  /** Stored definitions that do not read, by id, with the reason; not evaluated. */
  private volatile Map<String, String> unreadable = Map.of();
  private final boolean history;

  /** The definitions in force, in dependency order. Immutable. */
  record Snapshot(Map<String, Compiler.Compiled> byId, List<Compiler.Compiled> topo) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), List.of());
  }

  /**
   * An engine; {@code history}: whether entries and exits are counted per day
   * ({@link SegmentHistory}).
   */
  public Engine(ExtensionContext ctx, WorkspaceId ws, Consumer<List<SegmentEvent>> publisher,
      boolean history) {
    this.history = history;
    this.ctx = ctx;
    this.ws = ws;
    this.publisher = publisher;
  }

  // ---------------------------------------------------------------- definitions

  /**
   * Loads the stored definitions (at first use of the workspace).
   *
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when the store keeps no
   *     memberships ({@link SegmentStorage}): refused here rather than in every ingest
   */
  public synchronized void load() {
    ctx.store().read(ws, tx -> {
      tx.require(SegmentStorage.class);
      return null;
    });
    Map<String, Compiler.Compiled> byId = stored(Snapshot.EMPTY, null, ProgressListener.none());
    snapshot = snapshot(byId);
    if (!byId.isEmpty()) {
      LOG.info("loaded {} segments of workspace {}", byId.size(), ws);
    }
  }

  /**
   * The stored definitions, compiled (reusing the compiled form of those unchanged since
   * {@code known}), with the aggregations they need kept by core.
   *
   * @param changed collects the ids new or changed against {@code known}, unless null
   */
  private Map<String, Compiler.Compiled> stored(Snapshot known, @Nullable Set<String> changed,
      ProgressListener progress) {
    Map<String, String> stored = ctx.store().read(ws,
        tx -> tx.require(MetadataStorage.class).metadata(KEY));
    Map<String, Compiler.Compiled> byId = new LinkedHashMap<>();
    List<ComputedTrait> aggs = new ArrayList<>();
    Map<String, String> bad = new java.util.TreeMap<>();
    for (Map.Entry<String, String> e : stored.entrySet()) {
      SegmentDefinition d;
      try {
        d = SegmentJson.read(e.getValue());
      } catch (DefinitionValidationException ex) {
        // Stored by an older version under rules this one refuses (a regex outside RE2 syntax):
        // the others still load, and the host is told which and why.
        String id = e.getKey().substring(KEY.length());
        bad.put(id, ex.getMessage());
        if (!unreadable.containsKey(id)) {
          LOG.error("segment {} of workspace {} is stored but is no valid definition, and is not"
              + " evaluated until a definition is saved under its id or it is deleted: {}", id,
              ws, ex.getMessage());
        }
        continue;
      }
      Compiler.Compiled old = known.byId().get(d.id());
      Compiler.Compiled c = old != null && old.definition().equals(d) ? old : Compiler.compile(d);
      if (c != old && changed != null) {
        changed.add(d.id());
      }
      byId.put(d.id(), c);
      aggs.addAll(c.aggregates().values());
    }
    if (!aggs.isEmpty()) {
      ctx.requireAggregates(ws, aggs, progress);
    }
    unreadable = Map.copyOf(bad);
    return byId;
  }

  /** Stored definitions that do not read as valid ones, by id, with the reason. */
  public Map<String, String> unreadable() {
    return unreadable;
  }

  private void readable(String id) {
    if (unreadable.containsKey(id)) {
      Map<String, String> m = new HashMap<>(unreadable);
      m.remove(id);
      unreadable = Map.copyOf(m);
    }
  }

  /**
   * Reads the stored definitions again, for definitions saved or deleted through another node:
   * segments new or changed since this engine last saw them are evaluated over every profile
   * (changes this node made meanwhile were evaluated without them).
   *
   * @return the ids of the segments that were added, changed or removed
   */
  public synchronized Set<String> reload(ProgressListener progress) {
    Snapshot s = snapshot;
    Set<String> changed = new java.util.TreeSet<>();
    Map<String, Compiler.Compiled> byId = stored(s, changed, progress);
    Set<String> removed = new java.util.TreeSet<>(s.byId().keySet());
    removed.removeAll(byId.keySet());
    if (changed.isEmpty() && removed.isEmpty()) {
      return Set.of();
    }
    snapshot = snapshot(byId);
    LOG.info("reloaded segments of workspace {}: {} new or changed, {} removed", ws,
        changed.size(), removed.size());
    if (!changed.isEmpty()) {
      refresh(closure(changed), Cause.of(Cause.Type.DEFINITION), progress);
    }
    Set<String> out = new java.util.TreeSet<>(changed);
    out.addAll(removed);
    return out;
  }

  private Snapshot snapshot(Map<String, Compiler.Compiled> byId) {
    Set<String> derived = new HashSet<>();
    for (DerivedTrait t : ctx.computedTraits().derived()) {
      derived.add(t.name());
    }
    List<Compiler.Compiled> topo = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (String id : byId.keySet()) {
      visit(id, byId, done, topo);
    }
    // Effective dependencies: a segment also reads what the segments it reads read.
    for (Compiler.Compiled c : topo) {
      Compiler.narrow(c.deps(), derived);
      for (String r : c.references()) {
        Compiler.Compiled ref = byId.get(r);
        if (ref != null) {
          c.deps().addAll(ref.deps());
        }
      }
    }
    for (Compiler.Compiled c : topo) {
      c.deps().freeze();
    }
    return new Snapshot(Map.copyOf(byId), List.copyOf(topo));
  }

  private static void visit(String id, Map<String, Compiler.Compiled> byId, Set<String> done,
      List<Compiler.Compiled> out) {
    Compiler.Compiled c = byId.get(id);
    if (c == null || !done.add(id)) {
      return;
    }
    for (String r : c.references()) {
      visit(r, byId, done, out);
    }
    out.add(c);
  }

  public Optional<SegmentDefinition> definition(String id) {
    Compiler.Compiled c = snapshot.byId().get(id);
    return c == null ? Optional.empty() : Optional.of(c.definition());
  }

  public List<SegmentDefinition> definitions() {
    return snapshot.topo().stream().map(Compiler.Compiled::definition).toList();
  }

  /** Validates against the traits in force and the other segments. */
  public void validate(SegmentDefinition d) {
    Snapshot s = snapshot;
    ComputedTraits traits = ctx.computedTraits();
    SegmentValidator.validate(d, new ValidationContext() {
      @Override
      public boolean computedTraitExists(String name) {
        return traits.contains(name) && !name.startsWith("_");
      }

      @Override
      public Optional<SegmentDefinition> segment(String id) {
        if (id.equals(d.id())) {
          return Optional.of(d);
        }
        Compiler.Compiled c = s.byId().get(id);
        return c == null ? Optional.empty() : Optional.of(c.definition());
      }
    });
  }

  /**
   * Saves a definition: validates it, makes sure the aggregations it needs are kept, stores it,
   * and evaluates it (and the segments that read it) over every profile.
   */
  public synchronized void save(SegmentDefinition d, ProgressListener progress) {
    validate(d);
    Compiler.Compiled c = Compiler.compile(d);
    if (!c.aggregates().isEmpty()) {
      ctx.requireAggregates(ws, c.aggregates().values(), progress);
    }
    String json = SegmentJson.write(d);
    ctx.store().write(ws, tx -> {
      tx.require(MetadataStorage.class).putMetadata(KEY + d.id(), json);
      return null;
    });
    readable(d.id());
    Map<String, Compiler.Compiled> byId = new LinkedHashMap<>(snapshot.byId());
    byId.put(d.id(), c);
    snapshot = snapshot(byId);
    LOG.info("saved segment {} in workspace {}", d.id(), ws);
    refresh(closure(Set.of(d.id())), Cause.of(Cause.Type.DEFINITION), progress);
  }

  /**
   * Re-evaluates, over every profile, the segments that read one of these derived traits (and
   * those that read such segments): the model behind the traits changed. Members that enter
   * or leave get events with cause {@code recompute}.
   *
   * @return the ids of the segments re-evaluated
   */
  public synchronized Set<String> traitsChanged(Set<String> traits, ProgressListener progress) {
    Set<String> ids = new java.util.TreeSet<>();
    for (Compiler.Compiled c : snapshot.topo()) {
      for (String t : traits) {
        if (c.deps().computed.contains(t)) {
          ids.add(c.definition().id());
          break;
        }
      }
    }
    if (ids.isEmpty()) {
      return Set.of();
    }
    Set<String> all = new java.util.TreeSet<>(closure(ids));
    LOG.info("re-evaluating {} segments of workspace {}: derived traits changed", all.size(), ws);
    refresh(all, Cause.of(Cause.Type.RECOMPUTE), progress);
    return all;
  }

  /**
   * Deletes a definition and its memberships (each member gets an exit).
   *
   * @throws DefinitionValidationException when another segment reads it
   */
  public synchronized boolean delete(String id) {
    Snapshot s = snapshot;
    if (!s.byId().containsKey(id) && !unreadable.containsKey(id)) {
      return false;
    }
    for (Compiler.Compiled c : s.topo()) {
      if (c.references().contains(id) && !c.definition().id().equals(id)) {
        throw new DefinitionValidationException(List.of(new DefinitionValidationException
            .Violation("", "segment " + id + " is read by segment " + c.definition().id())));
      }
    }
    Map<String, Compiler.Compiled> byId = new LinkedHashMap<>(s.byId());
    byId.remove(id);
    snapshot = snapshot(byId);
    ctx.store().write(ws, tx -> {
      tx.require(MetadataStorage.class).deleteMetadata(KEY + id);
      return null;
    });
    readable(id);
    while (true) {
      List<SegmentEvent> events = new ArrayList<>();
      boolean more = ctx.store().write(ws, tx -> {
        events.clear();
        SegmentStorage storage = tx.require(SegmentStorage.class);
        List<Membership> page = storage.members(id, null, PAGE);
        Instant now = ctx.clock().instant();
        for (Membership m : page) {
          storage.deleteMembership(id, m.profile());
          events.add(new SegmentEvent(ws, id, m.profile(), SegmentEvent.Kind.EXITED, now,
              Cause.of(Cause.Type.DEFINITION)));
        }
        emit(tx, events);
        return page.size() == PAGE;
      });
      publisher.accept(events);
      if (!more) {
        break;
      }
    }
    ctx.store().write(ws, tx -> {
      SegmentHistory.delete(tx.require(MetadataStorage.class), id);
      return null;
    });
    LOG.info("deleted segment {} in workspace {}", id, ws);
    return true;
  }

  /** The segments and, transitively, those that read them. */
  private Set<String> closure(Set<String> ids) {
    Set<String> out = new HashSet<>(ids);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Compiler.Compiled c : snapshot.topo()) {
        if (!out.contains(c.definition().id())) {
          for (String r : c.references()) {
            if (out.contains(r)) {
              out.add(c.definition().id());
              grew = true;
              break;
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Re-evaluates some segments over every profile, writing memberships, a page at a time
   * (progress phase {@code evaluate}).
   */
  private void refresh(Set<String> ids, Cause cause, ProgressListener progress) {
    ProfileId after = null;
    long done = 0;
    while (true) {
      ProfileId from = after;
      List<SegmentEvent> events = new ArrayList<>();
      List<ProfileRecord> page = ctx.store().write(ws, tx -> {
        events.clear();
        List<ProfileRecord> p = tx.profilesAfter(from, PAGE);
        SegmentStorage storage = tx.require(SegmentStorage.class);
        Snapshot s = snapshot;
        EvalContext ec = new EvalContext(ctx.computedTraits(), ctx.readModel(), ws, ctx.clock().instant());
        for (ProfileRecord r : p) {
          evaluate(storage, s, ec, r, null, ids, cause, events);
        }
        emit(tx, events);
        return p;
      });
      publisher.accept(events);
      if (page.isEmpty()) {
        return;
      }
      done += page.size();
      progress.progress("evaluate", done, ProgressListener.UNKNOWN);
      after = page.get(page.size() - 1).id();
    }
  }

  // ---------------------------------------------------------------- real time

  /** Inside the ingest transaction: re-evaluates what the changes may have changed. */
  public void changed(ProfileChanges pc) {
    Snapshot s = snapshot;
    if (s.topo().isEmpty()) {
      return;
    }
    WriteTransaction tx = pc.transaction();
    SegmentStorage storage = tx.require(SegmentStorage.class);
    List<SegmentEvent> events = new ArrayList<>();
    Cause cause = cause(pc);
    EvalContext ec = new EvalContext(ctx.computedTraits(), ctx.readModel(), ws, pc.now());
    for (ProfileChange ch : pc.changes()) {
      if (ch.after() == null) {
        for (Membership m : storage.memberships(ch.id())) {
          storage.deleteMembership(m.segment(), ch.id());
          // Gone without a survivor: erased (the person left, no exit rule should reach them).
          events.add(new SegmentEvent(ws, m.segment(), ch.id(), SegmentEvent.Kind.EXITED,
              pc.now(), ch.mergedInto() != null ? Cause.merge(ch.mergedInto())
                  : Cause.of(Cause.Type.ERASE)));
        }
        if (storage.check(ch.id()).isPresent()) {
          storage.deleteCheck(ch.id());
        }
        continue;
      }
      evaluate(storage, s, ec, ch.after(), ch.before(), null, cause, events);
    }
    if (!events.isEmpty()) {
      emit(tx, events);
      pc.afterCommit(() -> publisher.accept(events));
    }
  }

  /**
   * The typed cause of a change the core reports ({@link ProfileChanges#cause()}).
   *
   * @throws IllegalStateException for a cause that has no {@link Cause.Type}: every cause the
   *     core gives must be typed here (a test drives each one)
   */
  static Cause cause(ProfileChanges pc) {
    String c = pc.cause();
    if (c.equals("event")) {
      String id = pc.messageId();
      if (id == null) {
        throw new IllegalStateException("a change with cause event carries no messageId");
      }
      return Cause.event(id);
    }
    Cause.Type t;
    try {
      t = Cause.Type.ofText(c);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the core reported a change with cause " + c
          + ", which segment events have no type for");
    }
    if (t == Cause.Type.EVENT || t == Cause.Type.MERGE || t == Cause.Type.TIME
        || t == Cause.Type.DEFINITION) {
      throw new IllegalStateException("the core reported a change with cause " + c
          + ", which only segmentation gives");
    }
    return Cause.of(t);
  }

  /**
   * Evaluates a profile's segments and writes what changed: memberships and its scheduled check.
   *
   * @param before the profile before the change, to skip segments that read nothing that
   *     changed; {@code null} to evaluate every segment in {@code only}
   * @param only the segments to evaluate, or {@code null} for those the change affects (every
   *     one when {@code before} is null)
   */
  private void evaluate(SegmentStorage storage, Snapshot s, EvalContext ec, ProfileRecord r,
      @Nullable ProfileRecord before, @Nullable Set<String> only, Cause cause,
      List<SegmentEvent> events) {
    List<Compiler.Compiled> topo = s.topo();
    boolean[] need = new boolean[topo.size()];
    boolean any = false;
    // A restricted profile is a member of no segment; when the restriction starts or ends,
    // every segment is evaluated (the change may touch nothing the segments read).
    boolean restricted = r.state().restricted();
    boolean flipped0 = before != null && before.state().restricted() != restricted;
    if (restricted && !flipped0 && before != null && only == null) {
      return; // it left everything when it was restricted; nothing to do until lifted
    }
    for (int i = 0; i < need.length; i++) {
      Compiler.Compiled c = topo.get(i);
      need[i] = only != null ? only.contains(c.definition().id())
          : flipped0 || c.deps().affectedBy(before, r);
      any |= need[i];
    }
    if (!any) {
      return; // nothing this change touches is read by any segment
    }
    ec.at(r);
    Map<String, Membership> current = new HashMap<>();
    for (Membership m : storage.memberships(r.id())) {
      current.put(m.segment(), m);
    }
    Set<String> flipped = null;
    Instant next = null;
    boolean all = true;
    for (int i = 0; i < need.length; i++) {
      Compiler.Compiled c = topo.get(i);
      String id = c.definition().id();
      boolean needed = need[i];
      if (!needed && only == null && flipped != null) {
        for (String ref : c.references()) {
          if (flipped.contains(ref)) {
            needed = true;
            break;
          }
        }
      }
      if (!needed) {
        all = false;
        ec.segments.put(id, current.containsKey(id) ? Timed.TRUE : Timed.FALSE);
        continue;
      }
      Timed t = restricted ? Timed.FALSE : c.root().timed(ec);
      ec.segments.put(id, t);
      next = Timed.min(next, t.next());
      boolean was = current.containsKey(id);
      if (t.value() != was) {
        if (flipped == null) {
          flipped = new HashSet<>();
        }
        flipped.add(id);
        if (t.value()) {
          storage.putMembership(new Membership(id, r.id(), ec.now));
        } else {
          storage.deleteMembership(id, r.id());
        }
        events.add(new SegmentEvent(ws, id, r.id(),
            t.value() ? SegmentEvent.Kind.ENTERED : SegmentEvent.Kind.EXITED, ec.now, cause));
      }
    }
    Optional<ScheduledCheck> old = storage.check(r.id());
    Instant want = next;
    if (!all && old.isPresent()) {
      want = Timed.min(want, old.get().at());
    }
    if (want == null) {
      if (old.isPresent()) {
        storage.deleteCheck(r.id());
      }
    } else if (old.isEmpty() || !old.get().at().equals(want)) {
      storage.putCheck(new ScheduledCheck(r.id(), want));
    }
  }

  /** Hands the entries and exits to other extensions inside the transaction making them. */
  private void emit(WriteTransaction tx, List<SegmentEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    if (history) {
      SegmentHistory.record(tx.require(MetadataStorage.class), events);
    }
    List<Signal> signals = new ArrayList<>(events.size());
    for (SegmentEvent e : events) {
      signals.add(new Signal(e.kind() == SegmentEvent.Kind.ENTERED
          ? Signal.SEGMENT_ENTERED : Signal.SEGMENT_EXITED, e.profile(), e.segment(), e.at(),
          e.cause().toString()));
    }
    ctx.signal(ws, tx, signals);
  }

  /** Entries and exits of a segment per UTC day (see {@link SegmentHistory}). */
  public List<io.cdpkit.segmentation.SegmentDay> history(String segment,
      java.time.LocalDate from, java.time.LocalDate to) {
    return ctx.store().read(ws, tx -> SegmentHistory.read(tx, segment, from, to));
  }

  // ---------------------------------------------------------------- time

  /**
   * Evaluates every profile whose scheduled check is due by the clock, a page per transaction.
   *
   * @return the number of profiles checked
   */
  public long runDue() {
    long done = 0;
    while (true) {
      Instant now = ctx.clock().instant();
      List<SegmentEvent> events = new ArrayList<>();
      int n = ctx.store().write(ws, tx -> {
        events.clear();
        SegmentStorage storage = tx.require(SegmentStorage.class);
        List<ScheduledCheck> due = storage.dueChecks(now, PAGE);
        Snapshot s = snapshot;
        EvalContext ec = new EvalContext(ctx.computedTraits(), ctx.readModel(), ws, now);
        for (ScheduledCheck c : due) {
          Optional<ProfileRecord> r = tx.profile(c.profile());
          if (r.isEmpty() || s.topo().isEmpty()) {
            storage.deleteCheck(c.profile());
            continue;
          }
          // A check at or before now that evaluation leaves in place would loop: drop it first.
          storage.deleteCheck(c.profile());
          evaluate(storage, s, ec, r.get(), null, s.byId().keySet(), Cause.of(Cause.Type.TIME),
              events);
        }
        emit(tx, events);
        return due.size();
      });
      publisher.accept(events);
      done += n;
      if (n < PAGE) {
        return done;
      }
    }
  }

  // ---------------------------------------------------------------- reads

  public List<String> memberships(ProfileId id) {
    return ctx.store().read(ws, tx -> tx.require(SegmentStorage.class).memberships(id).stream()
        .map(Membership::segment)
        .filter(snapshot.byId()::containsKey).toList());
  }

  public List<Membership> members(String segment, @Nullable ProfileId after, int limit) {
    return ctx.store().read(ws,
        tx -> tx.require(SegmentStorage.class).members(segment, after, limit));
  }

  /** The number of members of a segment; see {@code Segments.size}. */
  public long size(String segment) {
    if (!snapshot.byId().containsKey(segment)) {
      throw new IllegalArgumentException("no segment " + segment);
    }
    return ctx.store().read(ws, tx -> tx.require(SegmentStorage.class).memberCount(segment));
  }

  /** The earliest scheduled check of any profile. */
  public Optional<Instant> nextDue() {
    return ctx.store().read(ws, tx -> tx.require(SegmentStorage.class).dueChecks(Instant.MAX, 1)
        .stream().findFirst().map(ScheduledCheck::at));
  }

  /** The clock of the {@code Cdp}. */
  public java.time.Clock clock() {
    return ctx.clock();
  }

  public Optional<Instant> nextCheck(ProfileId id) {
    return ctx.store().read(ws,
        tx -> tx.require(SegmentStorage.class).check(id).map(ScheduledCheck::at));
  }

  /** Why the profile is in or out of the segment now. */
  public Optional<Explanation> explain(ProfileId id, String segment) {
    Snapshot s = snapshot;
    Compiler.Compiled target = s.byId().get(segment);
    if (target == null) {
      throw new IllegalArgumentException("no segment " + segment);
    }
    return ctx.store().read(ws, tx -> {
      Optional<ProfileRecord> r = tx.profile(id);
      if (r.isEmpty()) {
        return Optional.empty();
      }
      EvalContext ec = new EvalContext(ctx.computedTraits(), ctx.readModel(), ws, ctx.clock().instant()).at(r.get());
      for (Compiler.Compiled c : s.topo()) {
        ec.segments.put(c.definition().id(), c.root().timed(ec));
        if (c == target) {
          break;
        }
      }
      Explanation why = target.root().explain(ec);
      ProfileState.Restriction rs = r.get().state().restriction();
      if (rs != null && rs.restricted()) {
        // The tree as it would be; the profile is out whatever it says.
        return Optional.of(new Explanation("", "processing of the profile is not restricted",
            false, "restricted at " + rs.time() + " (" + rs.reasonCode() + ")", List.of(why)));
      }
      return Optional.of(why);
    });
  }

  /** Evaluates segments over every profile without writing anything. */
  public BatchResult evaluate(Collection<String> segments, ProgressListener progress) {
    Snapshot s = snapshot;
    Set<String> wanted = new HashSet<>(segments);
    for (String id : wanted) {
      if (!s.byId().containsKey(id)) {
        throw new IllegalArgumentException("no segment " + id);
      }
    }
    // Segments read by the wanted ones are evaluated too (their results feed the readers).
    Set<String> needed = new HashSet<>();
    for (String id : wanted) {
      addRefs(id, s, needed);
    }
    List<Compiler.Compiled> order = s.topo().stream()
        .filter(c -> needed.contains(c.definition().id())).toList();
    Compiler.Compiled[] run = order.toArray(new Compiler.Compiled[0]);
    boolean[] read = new boolean[run.length];
    for (int i = 0; i < run.length; i++) {
      for (Compiler.Compiled c : run) {
        read[i] |= c.references().contains(run[i].definition().id());
      }
    }
    RoaringBitmap[] maps = new RoaringBitmap[run.length];
    for (int i = 0; i < maps.length; i++) {
      maps[i] = new RoaringBitmap();
    }
    List<ProfileId> ids = new ArrayList<>();
    Instant now = ctx.clock().instant();
    EvalContext ec = new EvalContext(ctx.computedTraits(), ctx.readModel(), ws, now);
    ProfileId after = null;
    while (true) {
      ProfileId from = after;
      List<ProfileRecord> page = ctx.store().read(ws, tx -> tx.profilesAfter(from, SCAN_PAGE));
      if (page.isEmpty()) {
        break;
      }
      for (ProfileRecord r : page) {
        int ordinal = ids.size();
        ids.add(r.id());
        ec.at(r);
        boolean restricted = r.state().restricted();
        for (int i = 0; i < run.length; i++) {
          boolean in = !restricted && run[i].root().test(ec);
          if (read[i]) {
            ec.segments.put(run[i].definition().id(), in ? Timed.TRUE : Timed.FALSE);
          }
          if (in) {
            maps[i].add(ordinal);
          }
        }
      }
      progress.progress("evaluate", ids.size(), ProgressListener.UNKNOWN);
      after = page.get(page.size() - 1).id();
    }
    Map<String, RoaringBitmap> out = new LinkedHashMap<>();
    for (int i = 0; i < run.length; i++) {
      if (wanted.contains(run[i].definition().id())) {
        maps[i].runOptimize();
        out.put(run[i].definition().id(), maps[i]);
      }
    }
    return new BatchResult(now, ids.toArray(new ProfileId[0]), out);
  }

  private static void addRefs(String id, Snapshot s, Set<String> out) {
    if (!out.add(id)) {
      return;
    }
    Compiler.Compiled c = s.byId().get(id);
    if (c != null) {
      for (String r : c.references()) {
        addRefs(r, s, out);
      }
    }
  }

  /** The result of a batch evaluation: profiles by ordinal, and a bitmap per segment. */
  public record BatchResult(Instant at, ProfileId[] profiles, Map<String, RoaringBitmap> bitmaps) {}
}
