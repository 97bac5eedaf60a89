package io.cdpkit.core.internal;

import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Identity resolution over the identity graph, inside one write transaction.
 *
 * <h2>The partition</h2>
 * Nodes are identifiers; every event with two or more identifiers adds a {@link Link} (a
 * hyperedge). A <em>component</em> is a connected part of the graph counting every link. Within a
 * component, profiles are defined as the result of replaying its links in {@link EventKey} order
 * (event time, then messageId), each link greedily: start from the set holding its
 * highest-priority identifier, then for each further identifier in priority order, join its set
 * unless that would break a per-type limit or a do-not-link rule (then the conflict is recorded).
 * The partition is thus a function of the set of links and rules, never of arrival order.
 *
 * <h2>Incremental maintenance</h2>
 * A new link is applied greedily to the current partition. That equals the replay whenever the
 * link is accepted whole (joining more never turns an earlier refusal into an acceptance, nor the
 * reverse) or is later than every link of the components it touches. Otherwise (a late event
 * whose link is refused in part) the component is replayed from its links and its profiles are
 * recomputed from their events. An unmerge adds a rule and replays too.
 *
 * <p>An event belongs to the profile holding its anchor (its highest-priority identifier), which
 * is always in the set its link starts from. Profile state is the join of its events'
 * contributions, so a merge joins two states and only a replay recomputes from events.
 *
 * <p>Not thread-safe; each call runs inside the store's write transaction.
 */
final class IdentityResolver {
  /** Redirect chains longer than this are treated as corrupt. */

  private final IdentityRules rules;
  private final EventPreparer preparer;
  private final java.time.Clock clock;
  private final IdGenerator ids = new IdGenerator();
  /**
   * Identifier counts as profiles hold them, one immutable map per distinct value: nearly every
   * profile has one of a handful of counts (one anonymous id; one of each), so a store that
   * keeps records as given keeps one map for all of them. Bounded by {@link #SHARED_COUNTS}.
   */
  private final java.util.concurrent.ConcurrentHashMap<Map<IdentifierType, Integer>,
      Map<IdentifierType, Integer>> sharedCounts = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int SHARED_COUNTS = 1024;

  IdentityResolver(PipelineConfig config, EventPreparer preparer) {
    this.rules = config.rules();
    this.clock = config.clock();
    this.preparer = preparer;
  }

  /**
   * Outcome of one event.
   *
   * @param erased the event was dropped: it carries an identifier erased after the event's time
   */
  record Outcome(boolean stored, @Nullable ProfileId profile, boolean erased,
      @Nullable RuntimeException failure) {
    Outcome(boolean stored, @Nullable ProfileId profile) {
      this(stored, profile, false, null);
    }

    static final Outcome ERASED = new Outcome(false, null, true, null);

    /**
     * An event that failed inside its transaction, for a reason repeating cannot cure, and was
     * rolled back (to its savepoint, or with its own transaction).
     */
    static Outcome failed(RuntimeException failure) {
      return new Outcome(false, null, false, failure);
    }
  }

  Outcome ingest(WorkspaceId ws, WriteTransaction tx, PreparedEvent p) {
    StoredEvent se = p.stored();
    if (!tx.insertEvent(se)) {
      return new Outcome(false, se.anchor() == null ? null : profileOf(tx, se.anchor()));
    }
    List<Identifier> ids = se.identifiers();
    if (ids.isEmpty()) {
      return new Outcome(true, null);
    }
    if (ids.size() == 1) {
      Optional<IdentityNode> node = tx.node(ids.get(0));
      ProfileId pid;
      if (node.isPresent()) {
        pid = node.get().profile();
        ProfileRecord r = tx.profile(pid)
            .orElseThrow(() -> tx.inconsistentRead("node without profile"));
        tx.putProfile(new ProfileRecord(pid, r.state().join(p.contribution()),
            r.identifierCounts(), r.version() + 1));
      } else {
        pid = newSingleton(tx, ids.get(0), newComponent(), p.contribution());
      }
      return new Outcome(true, pid);
    }
    return new Outcome(true, link(ws, tx, se, p.contribution()));
  }

  // ---------------------------------------------------------------- linking

  private ProfileId link(WorkspaceId ws, WriteTransaction tx, StoredEvent se,
      ProfileState contribution) {
    List<Identifier> ids = se.identifiers();
    Map<Identifier, IdentityNode> nodes = new HashMap<>();
    LinkedHashSet<String> components = new LinkedHashSet<>();
    for (Identifier id : ids) {
      tx.node(id).ifPresent(n -> {
        nodes.put(id, n);
        components.add(n.component());
      });
    }
    Map<String, ComponentRecord> comps = new LinkedHashMap<>();
    for (String c : components) {
      comps.put(c, componentOf(tx, c));
    }
    List<DoNotLinkRule> dnl = new ArrayList<>();
    comps.values().forEach(c -> dnl.addAll(c.rules()));

    // Greedy step on the current partition.
    Map<ProfileId, ProfileRecord> records = new HashMap<>();
    Greedy g = new Greedy(tx, nodes, records, dnl);
    g.run(ids);

    boolean late = false;
    for (ComponentRecord c : comps.values()) {
      if (c.latestLink() != null && c.latestLink().isAfter(se.key())) {
        late = true;
        break;
      }
    }

    String comp = mergeComponents(tx, comps, nodes, se.key(), ids);
    if (!g.conflicts.isEmpty() && late) {
      replay(ws, tx, comp, se, "re-resolved after a late event");
      return profileOf(tx, ids.get(0));
    }
    return g.apply(comp, se, contribution);
  }

  /** One greedy pass of a link over the current partition; {@link #apply} writes it. */
  private final class Greedy {
    private final WriteTransaction tx;
    private final Map<Identifier, IdentityNode> nodes;
    private final Map<ProfileId, ProfileRecord> records;
    private final List<DoNotLinkRule> dnl;
    /** Existing profiles joined, each with the identifier that brought it in; in order. */
    final LinkedHashMap<ProfileId, Identifier> joinedProfiles = new LinkedHashMap<>();
    final List<Identifier> joinedNew = new ArrayList<>();
    final Map<IdentifierType, Integer> counts = new HashMap<>();
    final List<Identifier> conflicts = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();

    Greedy(WriteTransaction tx, Map<Identifier, IdentityNode> nodes,
        Map<ProfileId, ProfileRecord> records, List<DoNotLinkRule> dnl) {
      this.tx = tx;
      this.nodes = nodes;
      this.records = records;
      this.dnl = dnl;
    }

    void run(List<Identifier> ids) {
      for (int i = 0; i < ids.size(); i++) {
        Identifier id = ids.get(i);
        IdentityNode n = nodes.get(id);
        if (n != null && joinedProfiles.containsKey(n.profile())) {
          continue;
        }
        Map<IdentifierType, Integer> add = n == null ? Map.of(id.type(), 1)
            : record(n.profile()).identifierCounts();
        if (i > 0) {
          String why = limitBroken(counts, add);
          if (why == null && !dnl.isEmpty() && ruleBroken(id, n)) {
            why = "do-not-link rule";
          }
          if (why != null) {
            conflicts.add(id);
            reasons.add(why);
            continue;
          }
        }
        add.forEach((t, c) -> counts.merge(t, c, Integer::sum));
        if (n == null) {
          joinedNew.add(id);
        } else {
          joinedProfiles.put(n.profile(), id);
        }
      }
    }

    private ProfileRecord record(ProfileId pid) {
      return records.computeIfAbsent(pid,
          k -> tx.profile(k).orElseThrow(() -> tx.inconsistentRead("node without profile")));
    }

    /** Whether joining the candidate's set would put the two ends of a rule together. */
    private boolean ruleBroken(Identifier candidate, @Nullable IdentityNode candNode) {
      for (DoNotLinkRule r : dnl) {
        if ((inJoined(r.a()) && inCandidate(r.b(), candidate, candNode))
            || (inJoined(r.b()) && inCandidate(r.a(), candidate, candNode))) {
          return true;
        }
      }
      return false;
    }

    private boolean inJoined(Identifier x) {
      if (joinedNew.contains(x)) {
        return true;
      }
      Optional<IdentityNode> n = nodeOf(x);
      return n.isPresent() && joinedProfiles.containsKey(n.get().profile());
    }

    private boolean inCandidate(Identifier x, Identifier candidate,
        @Nullable IdentityNode candNode) {
      if (candNode == null) {
        return x.equals(candidate);
      }
      Optional<IdentityNode> n = nodeOf(x);
      return n.isPresent() && n.get().profile().equals(candNode.profile());
    }

    private Optional<IdentityNode> nodeOf(Identifier x) {
      IdentityNode n = nodes.get(x);
      return n != null ? Optional.of(n) : tx.node(x);
    }

    ProfileId apply(String comp, StoredEvent se, ProfileState contribution) {
      Instant now = clock.instant();
      Instant time = se.key().time();
      ProfileId survivor;
      ProfileRecord base;
      if (joinedProfiles.isEmpty()) {
        survivor = newProfileId();
        base = new ProfileRecord(survivor, ProfileState.EMPTY, Map.of(), 0);
      } else {
        survivor = joinedProfiles.keySet().iterator().next();
        base = record(survivor);
      }
      ProfileState state = base.state();
      for (Map.Entry<ProfileId, Identifier> j : joinedProfiles.entrySet()) {
        ProfileId other = j.getKey();
        if (other.equals(survivor)) {
          continue;
        }
        state = state.join(record(other).state());
        for (IdentityNode n : tx.nodesOfProfile(other)) {
          tx.putNode(n.withProfile(survivor));
        }
        tx.deleteProfile(other);
        tx.putRedirect(other, survivor);
        tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.MERGED, survivor, other, j.getValue(),
            se.messageId(), time, now, OwnEvents.isProbableMatch(se.event())
                ? io.cdpkit.core.dedup.Duplicates.LEDGER_REASON
                : "linked by " + j.getValue().type().id()));
      }
      for (Identifier id : joinedNew) {
        tx.putNode(new IdentityNode(id, survivor, comp));
      }
      for (int i = 0; i < conflicts.size(); i++) {
        Identifier id = conflicts.get(i);
        IdentityNode n = nodes.get(id);
        ProfileId other = n != null ? n.profile()
            : newSingleton(tx, id, comp, ProfileState.EMPTY);
        tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.CONFLICT, survivor, other, id,
            se.messageId(), time, now, reasons.get(i)));
      }
      tx.putProfile(new ProfileRecord(survivor, state.join(contribution), shared(counts),
          base.version() + 1));
      return survivor;
    }
  }

  /** Which limit joining {@code add} to {@code have} breaks, or null. */
  private @Nullable String limitBroken(Map<IdentifierType, Integer> have,
      Map<IdentifierType, Integer> add) {
    for (Map.Entry<IdentifierType, Integer> e : add.entrySet()) {
      int max = rules.maxPerProfile(e.getKey());
      if (max != IdentityRules.UNBOUNDED && have.getOrDefault(e.getKey(), 0) + e.getValue() > max) {
        return "limit: " + e.getKey().id() + " max " + max;
      }
    }
    return null;
  }

  /**
   * Makes the touched components one (keeping the largest), adds the link to it, and returns its
   * id. New identifiers are not given nodes here.
   */
  private String mergeComponents(WriteTransaction tx, Map<String, ComponentRecord> comps,
      Map<Identifier, IdentityNode> nodes, EventKey key, List<Identifier> ids) {
    String target;
    List<DoNotLinkRule> rulesAll = new ArrayList<>();
    EventKey latest = key;
    if (comps.isEmpty()) {
      target = newComponent();
    } else if (comps.size() == 1) {
      ComponentRecord c = comps.values().iterator().next();
      target = c.id();
      rulesAll.addAll(c.rules());
      if (c.latestLink() != null && c.latestLink().isAfter(latest)) {
        latest = c.latestLink();
      }
    } else {
      Map<String, List<IdentityNode>> members = new HashMap<>();
      String largest = null;
      for (String c : comps.keySet()) {
        List<IdentityNode> m = tx.nodesOfComponent(c);
        members.put(c, m);
        if (largest == null || m.size() > members.get(largest).size()) {
          largest = c;
        }
      }
      target = largest;
      for (ComponentRecord c : comps.values()) {
        rulesAll.addAll(c.rules());
        if (c.latestLink() != null && c.latestLink().isAfter(latest)) {
          latest = c.latestLink();
        }
        if (c.id().equals(target)) {
          continue;
        }
        for (IdentityNode n : members.get(c.id())) {
          IdentityNode moved = n.withComponent(target);
          tx.putNode(moved);
          nodes.computeIfPresent(n.identifier(), (k, v) -> moved);
        }
        tx.moveLinks(c.id(), target);
        tx.deleteComponent(c.id());
      }
    }
    tx.addLink(target, new Link(key, ids));
    tx.putComponent(new ComponentRecord(target, latest, rulesAll));
    return target;
  }

  // ---------------------------------------------------------------- replay

  /**
   * Replays a component's links under its rules and rewrites its profiles to match: nodes move,
   * states are recomputed from events for every profile whose members changed, profiles no longer
   * needed are redirected, and the ledger records what merged and what split.
   *
   * @param cause the event that made the replay necessary, or {@code null} for an unmerge
   */
  void replay(WorkspaceId ws, WriteTransaction tx, String comp, @Nullable StoredEvent cause,
      String reason) {
    ComponentRecord record = componentOf(tx, comp);
    Map<Identifier, IdentityNode> nodes = new HashMap<>();
    for (IdentityNode n : tx.nodesOfComponent(comp)) {
      nodes.put(n.identifier(), n);
    }
    List<Link> links = new ArrayList<>(tx.links(comp));
    links.sort(Comparator.comparing(Link::key));
    UnionFind uf = new UnionFind();
    for (Identifier id : nodes.keySet()) {
      uf.add(id);
    }
    for (Link l : links) {
      for (Identifier id : l.identifiers()) {
        uf.add(id);
      }
    }
    // Joins refused in the causing event's own link, and joins that held before the replay and
    // no longer do: recorded in the ledger like incremental conflicts once groups have ids.
    record Refusal(Identifier first, Identifier refused, String reason) {}
    List<Refusal> refusals = new ArrayList<>();
    for (Link l : links) {
      Identifier first = l.identifiers().get(0);
      boolean causeLink = cause != null && l.key().equals(cause.key());
      for (int i = 1; i < l.identifiers().size(); i++) {
        Identifier id = l.identifiers().get(i);
        Identifier s = uf.find(first);
        Identifier t = uf.find(id);
        if (s.equals(t)) {
          continue;
        }
        String why = limitBroken(uf.counts(s), uf.counts(t));
        if (why == null && ruleBroken(uf, record.rules(), s, t)) {
          why = "do-not-link rule";
        }
        if (why != null) {
          IdentityNode nf = nodes.get(first);
          IdentityNode ni = nodes.get(id);
          boolean heldBefore = nf != null && ni != null && nf.profile().equals(ni.profile());
          if (causeLink || heldBefore) {
            refusals.add(new Refusal(first, id, why));
          }
          continue;
        }
        uf.union(s, t);
      }
    }

    // Group members; deterministic order: larger groups first, then by smallest member.
    Map<Identifier, List<Identifier>> groupsByRoot = new HashMap<>();
    for (Identifier id : uf.members()) {
      groupsByRoot.computeIfAbsent(uf.find(id), k -> new ArrayList<>()).add(id);
    }
    Comparator<Identifier> idOrder = Comparator.comparing((Identifier i) -> i.type().id())
        .thenComparing(Identifier::value);
    List<List<Identifier>> groups = new ArrayList<>(groupsByRoot.values());
    for (List<Identifier> g : groups) {
      g.sort(idOrder);
    }
    groups.sort(Comparator.<List<Identifier>>comparingInt(List::size).reversed()
        .thenComparing(g -> g.get(0), idOrder));

    Map<ProfileId, Set<Identifier>> oldMembers = new HashMap<>();
    for (IdentityNode n : nodes.values()) {
      oldMembers.computeIfAbsent(n.profile(), k -> new HashSet<>()).add(n.identifier());
    }
    // Old ids follow their most important identifier: candidates (group, old id) rank by the
    // highest priority of an identifier they share, then by how many they share.
    record Candidate(int group, ProfileId old, int priority, int shared) {}
    List<Candidate> candidates = new ArrayList<>();
    for (int gi = 0; gi < groups.size(); gi++) {
      Map<ProfileId, int[]> score = new HashMap<>();
      for (Identifier id : groups.get(gi)) {
        IdentityNode n = nodes.get(id);
        if (n != null) {
          int[] sc = score.computeIfAbsent(n.profile(), k -> new int[] {Integer.MIN_VALUE, 0});
          sc[0] = Math.max(sc[0], rules.priority(id.type()));
          sc[1]++;
        }
      }
      for (Map.Entry<ProfileId, int[]> e : score.entrySet()) {
        candidates.add(new Candidate(gi, e.getKey(), e.getValue()[0], e.getValue()[1]));
      }
    }
    candidates.sort(Comparator.comparingInt(Candidate::priority).reversed()
        .thenComparing(Comparator.comparingInt(Candidate::shared).reversed())
        .thenComparing(Candidate::old).thenComparingInt(Candidate::group));
    Set<ProfileId> taken = new HashSet<>();
    ProfileId[] picked = new ProfileId[groups.size()];
    for (Candidate c : candidates) {
      if (picked[c.group()] == null && !taken.contains(c.old())) {
        picked[c.group()] = c.old();
        taken.add(c.old());
      }
    }
    Map<Identifier, ProfileId> assigned = new HashMap<>();
    List<ProfileId> groupIds = new ArrayList<>();
    for (int gi = 0; gi < groups.size(); gi++) {
      ProfileId pick = picked[gi] != null ? picked[gi] : newProfileId();
      groupIds.add(pick);
      for (Identifier id : groups.get(gi)) {
        assigned.put(id, pick);
      }
    }

    Instant now = clock.instant();
    String msg = cause == null ? null : cause.messageId();
    Instant time = cause == null ? null : cause.key().time();
    for (int gi = 0; gi < groups.size(); gi++) {
      List<Identifier> g = groups.get(gi);
      ProfileId pid = groupIds.get(gi);
      Set<Identifier> before = oldMembers.getOrDefault(pid, Set.of());
      boolean sameMembers = before.size() == g.size() && before.containsAll(g);
      Optional<ProfileRecord> old = tx.profile(pid);
      boolean touchedByCause = cause != null && cause.anchor() != null
          && g.contains(cause.anchor());
      if (sameMembers && old.isPresent() && !touchedByCause) {
        continue;
      }
      for (Identifier id : g) {
        IdentityNode n = nodes.get(id);
        if (n == null || !n.profile().equals(pid)) {
          tx.putNode(new IdentityNode(id, pid, comp));
        }
      }
      ProfileState state = stateFromEvents(ws, tx, g);
      Map<IdentifierType, Integer> counts = new HashMap<>();
      for (Identifier id : g) {
        counts.merge(id.type(), 1, Integer::sum);
      }
      tx.putProfile(new ProfileRecord(pid, state, shared(counts),
          old.map(ProfileRecord::version).orElse(0L) + 1));
      // A group that took members of another old profile: that profile merged or split.
      Map<ProfileId, Integer> from = new HashMap<>();
      for (Identifier id : g) {
        IdentityNode n = nodes.get(id);
        if (n != null && !n.profile().equals(pid)) {
          from.merge(n.profile(), 1, Integer::sum);
        }
      }
      for (ProfileId src : from.keySet()) {
        if (taken.contains(src)) {
          tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.UNMERGED, src, pid, null, msg, time,
              now, reason));
        }
      }
    }
    for (Refusal r : refusals) {
      tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.CONFLICT, assigned.get(r.first()),
          assigned.get(r.refused()), r.refused(), msg, time, now, r.reason()));
    }
    // Old profiles that no group kept: merged into the group holding most of their members.
    for (Map.Entry<ProfileId, Set<Identifier>> e : oldMembers.entrySet()) {
      ProfileId old = e.getKey();
      if (taken.contains(old)) {
        continue;
      }
      Map<ProfileId, Integer> dest = new HashMap<>();
      for (Identifier id : e.getValue()) {
        dest.merge(assigned.get(id), 1, Integer::sum);
      }
      ProfileId to = dest.entrySet().stream()
          .max(Map.Entry.<ProfileId, Integer>comparingByValue()
              .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .map(Map.Entry::getKey).orElseThrow();
      tx.deleteProfile(old);
      tx.putRedirect(old, to);
      tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.MERGED, to, old, null, msg, time, now,
          reason));
    }
  }

  private static boolean ruleBroken(UnionFind uf, List<DoNotLinkRule> rules, Identifier s,
      Identifier t) {
    for (DoNotLinkRule r : rules) {
      if (!uf.contains(r.a()) || !uf.contains(r.b())) {
        continue;
      }
      Identifier ra = uf.find(r.a());
      Identifier rb = uf.find(r.b());
      if ((ra.equals(s) && rb.equals(t)) || (ra.equals(t) && rb.equals(s))) {
        return true;
      }
    }
    return false;
  }

  /** Union-find over identifiers with per-type counts at each root. Not thread-safe. */
  private static final class UnionFind {
    private final Map<Identifier, Identifier> parent = new LinkedHashMap<>();
    private final Map<Identifier, Map<IdentifierType, Integer>> counts = new HashMap<>();

    void add(Identifier id) {
      if (parent.putIfAbsent(id, id) == null) {
        Map<IdentifierType, Integer> c = new HashMap<>();
        c.put(id.type(), 1);
        counts.put(id, c);
      }
    }

    boolean contains(Identifier id) {
      return parent.containsKey(id);
    }

    Set<Identifier> members() {
      return parent.keySet();
    }

    Identifier find(Identifier id) {
      Identifier root = id;
      while (!parent.get(root).equals(root)) {
        root = parent.get(root);
      }
      Identifier cur = id;
      while (!cur.equals(root)) {
        Identifier next = parent.get(cur);
        parent.put(cur, root);
        cur = next;
      }
      return root;
    }

    Map<IdentifierType, Integer> counts(Identifier root) {
      return counts.get(root);
    }

    /** Joins root {@code t} into root {@code s}. */
    void union(Identifier s, Identifier t) {
      parent.put(t, s);
      Map<IdentifierType, Integer> cs = counts.get(s);
      counts.remove(t).forEach((k, v) -> cs.merge(k, v, Integer::sum));
    }
  }

  // ---------------------------------------------------------------- probable matches

  /**
   * Why linking these two live profiles would be refused, or {@code null} when it would not:
   * {@link Pipeline.LinkOutcome#DO_NOT_LINK} when a rule separates an identifier of one from
   * one of the other, {@link Pipeline.LinkOutcome#REFUSED_BY_RULES} when their union would break
   * an identity limit.
   */
  Pipeline.@Nullable LinkOutcome linkRefusal(WriteTransaction tx, ProfileId a, ProfileId b) {
    List<IdentityNode> na = tx.nodesOfProfile(a);
    List<IdentityNode> nb = tx.nodesOfProfile(b);
    Set<Identifier> ia = new HashSet<>();
    na.forEach(n -> ia.add(n.identifier()));
    Set<Identifier> ib = new HashSet<>();
    nb.forEach(n -> ib.add(n.identifier()));
    Set<String> comps = new LinkedHashSet<>();
    na.forEach(n -> comps.add(n.component()));
    nb.forEach(n -> comps.add(n.component()));
    for (String c : comps) {
      for (DoNotLinkRule r : tx.component(c).map(ComponentRecord::rules).orElse(List.of())) {
        if ((ia.contains(r.a()) && ib.contains(r.b()))
            || (ia.contains(r.b()) && ib.contains(r.a()))) {
          return Pipeline.LinkOutcome.DO_NOT_LINK;
        }
      }
    }
    Map<IdentifierType, Integer> have = new HashMap<>(
        tx.profile(a).map(ProfileRecord::identifierCounts).orElse(Map.of()));
    return limitBroken(have, tx.profile(b).map(ProfileRecord::identifierCounts)
        .orElse(Map.of())) == null ? null : Pipeline.LinkOutcome.REFUSED_BY_RULES;
  }

  /** The highest-priority identifier of a live profile, or {@code null} when it has none. */
  @Nullable Identifier topIdentifier(WriteTransaction tx, ProfileId id) {
    return tx.nodesOfProfile(id).stream().map(IdentityNode::identifier)
        .min(rules.priorityOrder()).orElse(null);
  }

  // ---------------------------------------------------------------- unmerge and lookups

  /**
   * Adds a do-not-link rule between two identifiers and replays their component.
   *
   * @return whether both identifiers have nodes
   */
  boolean unmerge(WorkspaceId ws, WriteTransaction tx, Identifier a, Identifier b) {
    Optional<IdentityNode> na = tx.node(a);
    Optional<IdentityNode> nb = tx.node(b);
    if (na.isEmpty() || nb.isEmpty()) {
      return false;
    }
    String comp = na.get().component();
    ComponentRecord c = componentOf(tx, comp);
    List<DoNotLinkRule> rs = new ArrayList<>(c.rules());
    rs.add(new DoNotLinkRule(a, b, clock.instant()));
    tx.putComponent(new ComponentRecord(c.id(), c.latestLink(), rs));
    if (comp.equals(nb.get().component())) {
      replay(ws, tx, comp, null, "unmerge");
    }
    return true;
  }

  /**
   * Recomputes a live profile's state from its events (after the computed traits changed);
   * writes it only when it differs.
   */
  void recompute(WorkspaceId ws, WriteTransaction tx, ProfileId id) {
    Optional<ProfileRecord> old = tx.profile(id);
    if (old.isEmpty()) {
      return;
    }
    List<Identifier> members = tx.nodesOfProfile(id).stream().map(IdentityNode::identifier)
        .toList();
    ProfileState state = stateFromEvents(ws, tx, members);
    if (!state.equals(old.get().state())) {
      tx.putProfile(new ProfileRecord(id, state, old.get().identifierCounts(),
          old.get().version() + 1));
    }
  }

  /** The join of the contributions of the events anchored at these identifiers. */
  ProfileState stateFromEvents(WorkspaceId ws, WriteTransaction tx,
      List<Identifier> anchors) {
    ProfileState state = ProfileState.EMPTY;
    for (StoredEvent e : tx.eventsByAnchors(anchors)) {
      state = state.join(preparer.contribution(ws, e));
    }
    return state;
  }

  /** The live profile holding an identifier. */
  static @Nullable ProfileId profileOf(WriteTransaction tx, Identifier id) {
    return tx.node(id).map(IdentityNode::profile).orElse(null);
  }

  private ProfileId newSingleton(WriteTransaction tx, Identifier id, String comp,
      ProfileState state) {
    ProfileId pid = newProfileId();
    tx.putNode(new IdentityNode(id, pid, comp));
    tx.putProfile(new ProfileRecord(pid, state, shared(Map.of(id.type(), 1)), 1));
    return pid;
  }

  /**
   * The id of a new component. Its record is not stored: a component without links and
   * do-not-link rules, as a new visitor's is, has none ({@link #componentOf}). That spares
   * every new visitor a row and an index entry on the durable stores. Its first link writes it.
   */
  private String newComponent() {
    return ids.next();
  }

  /**
   * The record of a component some node belongs to: the stored one, or, where none is stored,
   * the record of a component without links and rules ({@link #newComponent}).
   */
  private static ComponentRecord componentOf(WriteTransaction tx, String id) {
    return tx.component(id).orElseGet(() -> new ComponentRecord(id, null, List.of()));
  }

  private ProfileId newProfileId() {
    return new ProfileId(ids.next());
  }

  /** An immutable copy of {@code counts}, the same object for equal counts (up to a bound). */
  private Map<IdentifierType, Integer> shared(Map<IdentifierType, Integer> counts) {
    Map<IdentifierType, Integer> known = sharedCounts.get(counts);
    if (known != null) {
      return known;
    }
    Map<IdentifierType, Integer> copy = Map.copyOf(counts);
    if (sharedCounts.size() < SHARED_COUNTS) {
      Map<IdentifierType, Integer> raced = sharedCounts.putIfAbsent(copy, copy);
      return raced != null ? raced : copy;
    }
    return copy;
  }
}
