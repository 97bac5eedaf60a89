package io.cdpkit.core.internal;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.dedup.CandidatePair;
import io.cdpkit.core.dedup.DedupResult;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.DetectionReport;
import io.cdpkit.core.dedup.Duplicates;
import io.cdpkit.core.dedup.FieldKind;
import io.cdpkit.core.dedup.FieldSource;
import io.cdpkit.core.dedup.MatchIndex;
import io.cdpkit.core.dedup.MatchModel;
import io.cdpkit.core.dedup.MatchModelJson;
import io.cdpkit.core.dedup.MatchRecord;
import io.cdpkit.core.dedup.ReviewItem;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.extension.ProfileChanges;
import io.cdpkit.core.spi.extension.ProfileObserver;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.TraitPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Duplicate detection of a {@code Cdp}'s workspaces (see {@link Duplicates}): settings and the
 * learned model kept as metadata ({@value #SETTINGS_KEY}, {@value #MODEL_KEY}), review items as
 * one metadata entry each ({@value #REVIEW_PREFIX} followed by the two profile ids), and per
 * workspace an in-memory {@link MatchIndex} of the profiles' compared values for incremental
 * checks, built from the store on first use and kept current by observing profile changes.
 *
 * <p>Thread-safe.
 */
public final class DuplicateOps implements ProfileObserver {
  static final String SETTINGS_KEY = "core.dedup.settings";
  static final String MODEL_KEY = "core.dedup.model";
  static final String REVIEW_PREFIX = "core.dedup.review.";
  /** Profiles read per transaction. */
  static final int PAGE = 1_000;
  /** Review items written per transaction. */
  static final int QUEUE_PAGE = 500;
  /**
   * Deepest nesting of incremental checks on one thread (a link changes a profile, whose check
   * may link again): beyond it, checks wait for the next batch pass.
   */
  static final int MAX_DEPTH = 16;
  private static final Logger LOG = LoggerFactory.getLogger(DuplicateOps.class);

  private final Pipeline pipeline;
  private final Map<WorkspaceId, State> states = new ConcurrentHashMap<>();
  private final AtomicBoolean observing = new AtomicBoolean();
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  /** Above 0 while this thread runs a batch pass, whose links need no incremental check. */
  private final ThreadLocal<int[]> inBatch = ThreadLocal.withInitial(() -> new int[1]);

  public DuplicateOps(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** What this node knows of one workspace's detection. */
  private static final class State {
    volatile DedupSettings settings;
    volatile boolean configured;
    volatile @Nullable MatchModel model;
    /** Guarded by {@code this}. */
    @Nullable MatchIndex index;
    /**
     * This node's count of the review queue; -1 until read. Atomic rather than guarded: it is
     * touched inside write transactions, where taking this state's lock could wait on a thread
     * that holds the lock and waits for the store.
     */
    final java.util.concurrent.atomic.AtomicInteger queued =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    final Map<String, TraitPath> paths = new ConcurrentHashMap<>();

    State(DedupSettings settings, boolean configured, @Nullable MatchModel model) {
      this.settings = settings;
      this.configured = configured;
      this.model = model;
    }

    boolean incremental() {
      return configured && settings.incremental() && model != null;
    }
  }

  /** The facade of one workspace. */
  public Duplicates of(WorkspaceId ws) {
    Objects.requireNonNull(ws, "ws");
    return new Facade(ws);
  }

  /** Loads a workspace's settings when the {@code Cdp} opens it, to resume incremental checks. */
  public void opened(WorkspaceId ws) {
    if (state(ws).incremental()) {
      observe();
    }
  }

  private State state(WorkspaceId ws) {
    return states.computeIfAbsent(ws, this::load);
  }

  private State load(WorkspaceId ws) {
    Map<String, String> md = new HashMap<>();
    try {
      pipeline.store().read(ws, tx -> {
        MetadataStorage m = tx.require(MetadataStorage.class);
        md.putAll(m.metadata(SETTINGS_KEY));
        md.putAll(m.metadata(MODEL_KEY));
        return null;
      });
    } catch (UnsupportedOperationException noMetadata) {
      return new State(unconfigured(), false, null);
    }
    String s = md.get(SETTINGS_KEY);
    String m = md.get(MODEL_KEY);
    DedupSettings settings = s == null ? unconfigured() : DedupJson.readSettings(s);
    return new State(settings, s != null, m == null ? null : MatchModelJson.read(m));
  }

  private static DedupSettings unconfigured() {
    return DedupSettings.builder().incremental(false).build();
  }

  private void observe() {
    if (observing.compareAndSet(false, true)) {
      pipeline.observe(this);
    }
  }

  // ---------------------------------------------------------------- records

  /** The compared values of a profile, read through the settings' sources. */
  private static MatchRecord record(State s, ProfileId id,
      Function<TraitPath, Optional<Object>> read) {
    Map<String, String> values = new LinkedHashMap<>();
    for (FieldSource f : s.settings.fields()) {
      for (String t : f.traits()) {
        Optional<Object> v = read.apply(s.paths.computeIfAbsent(t, TraitPath::parse));
        if (v.isEmpty()) {
          continue;
        }
        String text = v.get().toString().strip();
        if (f.field().kind() == FieldKind.EMAIL_LOCAL) {
          int at = text.lastIndexOf('@');
          if (at >= 0) {
            text = text.substring(0, at).strip();
          }
        }
        if (!text.isEmpty()) {
          values.put(f.field().name(), text);
          break;
        }
      }
    }
    return new MatchRecord(id.value(), values);
  }

  private static MatchRecord record(State s, ProfileId id, ProfileState state) {
    return record(s, id, p -> p.values(state).stream().findFirst());
  }

  private static MatchRecord record(State s, Profile p) {
    return record(s, p.id(), path -> p.trait(path.toString()));
  }

  // ---------------------------------------------------------------- incremental

  @Override
  public void changed(ProfileChanges changes) {
    State s = states.get(changes.workspace());
    if (s == null || !s.incremental()) {
      return;
    }
    WorkspaceId ws = changes.workspace();
    List<String> gone = new ArrayList<>(0);
    List<MatchRecord> changed = new ArrayList<>(0);
    for (ProfileChange c : changes.changes()) {
      if (c.after() == null) {
        gone.add(c.id().value());
        continue;
      }
      MatchRecord after = record(s, c.id(), c.after().state());
      if (c.before() == null
          || !record(s, c.id(), c.before().state()).values().equals(after.values())) {
        changed.add(after);
      }
    }
    if (gone.isEmpty() && changed.isEmpty()) {
      return;
    }
    boolean batch = inBatch.get()[0] > 0;
    changes.afterCommit(() -> {
      gone.forEach(id -> forget(s, id));
      for (MatchRecord r : changed) {
        if (batch) {
          keep(ws, s, r);
        } else {
          check(ws, s, r);
        }
      }
    });
  }

  /** Puts a changed record in the index without checking it (the batch pass decides). */
  private void keep(WorkspaceId ws, State s, MatchRecord r) {
    MatchIndex index = index(ws, s);
    if (index == null) {
      return;
    }
    if (r.values().isEmpty()) {
      index.remove(r.id());
    } else {
      index.put(r);
    }
  }

  private void forget(State s, String id) {
    synchronized (s) {
      if (s.index != null) {
        s.index.remove(id);
      }
    }
  }

  /** Checks one new or changed profile against its blocks and decides its pairs. */
  private void check(WorkspaceId ws, State s, MatchRecord r) {
    int[] d = depth.get();
    if (d[0] >= MAX_DEPTH || !s.incremental()) {
      return;
    }
    d[0]++;
    try {
      MatchIndex index = index(ws, s);
      if (index == null) {
        return;
      }
      if (r.values().isEmpty()) {
        index.remove(r.id());
        return;
      }
      index.put(r);
      Counts counts = new Counts();
      Optional<ProfileId> self = pipeline.resolve(ws, new ProfileId(r.id()));
      for (CandidatePair pair : index.candidates(r)) {
        if (pair.probability() < s.settings.reviewThreshold()) {
          break;
        }
        String other = pair.first().equals(r.id()) ? pair.second() : pair.first();
        if (self.isPresent() && self.equals(pipeline.resolve(ws, new ProfileId(other)))) {
          continue; // one profile already; its index entry goes with the merge's change
        }
        decide(ws, s, pair, counts);
      }
      if (counts.linked + counts.queued > 0) {
        LOG.debug("incremental duplicate check in workspace {}: {} linked, {} queued", ws,
            counts.linked, counts.queued);
      }
    } finally {
      d[0]--;
    }
  }

  /** The workspace's index, built from the store on first use; null without a model. */
  private @Nullable MatchIndex index(WorkspaceId ws, State s) {
    synchronized (s) {
      MatchModel model = s.model;
      if (model == null) {
        return null;
      }
      if (s.index == null) {
        MatchIndex index = s.settings.detector().index(model);
        readAll(ws, s, ProgressListener.none()).forEach(index::put);
        s.index = index;
      }
      return s.index;
    }
  }

  private List<MatchRecord> readAll(WorkspaceId ws, State s, ProgressListener progress) {
    List<MatchRecord> records = new ArrayList<>();
    ProfileId after = null;
    long seen = 0;
    for (List<Profile> page; !(page = pipeline.profilesAfter(ws, after, PAGE)).isEmpty(); ) {
      for (Profile p : page) {
        MatchRecord r = record(s, p);
        if (!r.values().isEmpty()) {
          records.add(r);
        }
      }
      seen += page.size();
      after = page.get(page.size() - 1).id();
      progress.progress("read", seen, ProgressListener.UNKNOWN);
    }
    return records;
  }

  // ---------------------------------------------------------------- decisions

  /** Outcome counts of one pass. */
  private static final class Counts {
    int linked;
    int queued;
    int alreadyTogether;
    int doNotLink;
    int refused;
    int queueFull;

    void count(Pipeline.LinkOutcome o) {
      switch (o) {
        case LINKED -> linked++;
        case ALREADY_TOGETHER -> alreadyTogether++;
        case DO_NOT_LINK -> doNotLink++;
        case REFUSED_BY_RULES -> refused++;
        case UNKNOWN -> { }
        default -> throw new IllegalStateException("outcome " + o);
      }
    }
  }

  private void decide(WorkspaceId ws, State s, CandidatePair pair, Counts counts) {
    ProfileId a = new ProfileId(pair.first());
    ProfileId b = new ProfileId(pair.second());
    if (pair.probability() >= s.settings.linkThreshold()) {
      counts.count(pipeline.linkProbable(ws, a, b, pair.probability(), false,
          "probable-match", tx -> removeItem(tx, a, b)));
    } else {
      queue(ws, s, List.of(pair), counts);
    }
  }

  /** Queues these pairs (below the link threshold) unless rules or the bound refuse them. */
  private void queue(WorkspaceId ws, State s, List<CandidatePair> pairs, Counts counts) {
    Instant now = pipeline.config().clock().instant();
    pipeline.write(ws, steps -> {
      WriteTransaction tx = steps.tx;
      MetadataStorage md = tx.require(MetadataStorage.class);
      if (s.queued.get() < 0) {
        s.queued.compareAndSet(-1, md.metadata(REVIEW_PREFIX).size());
      }
      for (CandidatePair pair : pairs) {
        Pipeline.PairCheck c = pipeline.checkPair(tx, new ProfileId(pair.first()),
            new ProfileId(pair.second()));
        if (c.outcome() != null) {
          counts.count(c.outcome());
          continue;
        }
        ProfileId a = c.first();
        ProfileId b = c.second();
        boolean firstSmaller = a.value().compareTo(b.value()) < 0;
        ReviewItem item = new ReviewItem(firstSmaller ? a : b, firstSmaller ? b : a,
            pair.probability(), pair.logOdds(),
            pair.priorWeight(), pair.weights(), now);
        String key = key(item.first(), item.second());
        boolean known = !md.metadata(key).isEmpty();
        if (!known && s.queued.get() >= s.settings.maxReviewItems()) {
          counts.queueFull++;
          continue;
        }
        if (!known) {
          s.queued.incrementAndGet();
        }
        md.putMetadata(key, DedupJson.item(item));
        counts.queued++;
      }
      return null;
    });
  }

  private static String key(ProfileId first, ProfileId second) {
    return REVIEW_PREFIX + first.value() + "." + second.value();
  }

  /**
   * Deletes the review item stored under these two ids (in either order); cheap, for
   * auto-links. An item stored under ids merged away since is left: the queue leaves out pairs
   * already one, and the next batch pass replaces the queue.
   */
  private static void removeItem(WriteTransaction tx, ProfileId a, ProfileId b) {
    MetadataStorage md = tx.require(MetadataStorage.class);
    boolean aFirst = a.value().compareTo(b.value()) < 0;
    String key = key(aFirst ? a : b, aFirst ? b : a);
    if (!md.metadata(key).isEmpty()) {
      md.deleteMetadata(key);
    }
  }

  /** Deletes the review items whose two profiles now resolve to these two (in any order). */
  private void removeItems(WriteTransaction tx, ProfileId a, ProfileId b) {
    MetadataStorage md = tx.require(MetadataStorage.class);
    ProfileId la = pipeline.reads().resolve(tx, a).orElse(a);
    ProfileId lb = pipeline.reads().resolve(tx, b).orElse(b);
    for (Map.Entry<String, String> e : md.metadata(REVIEW_PREFIX).entrySet()) {
      ReviewItem item = readItem(e);
      if (item == null) {
        continue;
      }
      ProfileId x = pipeline.reads().resolve(tx, item.first()).orElse(item.first());
      ProfileId y = pipeline.reads().resolve(tx, item.second()).orElse(item.second());
      if ((x.equals(la) && y.equals(lb)) || (x.equals(lb) && y.equals(la))) {
        md.deleteMetadata(e.getKey());
      }
    }
  }

  private static @Nullable ReviewItem readItem(Map.Entry<String, String> e) {
    try {
      return DedupJson.readItem(e.getValue());
    } catch (IllegalArgumentException bad) {
      LOG.warn("review item {} does not read and is left out: {}", e.getKey(),
          bad.getMessage());
      return null;
    }
  }

  // ---------------------------------------------------------------- the facade

  private final class Facade implements Duplicates {
    private final WorkspaceId ws;

    Facade(WorkspaceId ws) {
      this.ws = ws;
    }

    @Override
    public DedupSettings settings() {
      return state(ws).settings;
    }

    @Override
    public void configure(DedupSettings settings) {
      Objects.requireNonNull(settings, "settings");
      State s = state(ws);
      DedupSettings old = s.settings;
      boolean sameModel = s.configured && old.fields().equals(settings.fields())
          && old.blockingRules().equals(settings.blockingRules());
      // The write runs outside this state's lock: a thread holding the lock may wait for the
      // store (building the blocks), and a writer must never wait for the lock.
      pipeline.write(ws, steps -> {
        MetadataStorage md = steps.tx.require(MetadataStorage.class);
        md.putMetadata(SETTINGS_KEY, DedupJson.settings(settings));
        if (!sameModel) {
          md.deleteMetadata(MODEL_KEY);
        }
        return null;
      });
      synchronized (s) {
        s.settings = settings;
        s.configured = true;
        s.paths.clear();
        if (!sameModel) {
          s.model = null;
          s.index = null;
        }
      }
      if (settings.incremental()) {
        observe();
      }
    }

    @Override
    public DetectionReport detect() {
      return detect(ProgressListener.none());
    }

    @Override
    public DetectionReport detect(ProgressListener progress) {
      Objects.requireNonNull(progress, "progress");
      long start = System.nanoTime();
      State s = state(ws);
      DedupSettings settings = s.settings;
      List<MatchRecord> records = readAll(ws, s, progress);
      DedupResult result = settings.detector().detect(records,
          done -> progress.progress("compare", done, ProgressListener.UNKNOWN));
      MatchModel model = result.model();
      MatchIndex index = settings.detector().index(model);
      records.forEach(index::put);
      pipeline.write(ws, steps -> {
        steps.tx.require(MetadataStorage.class).putMetadata(MODEL_KEY,
            MatchModelJson.write(model));
        return null;
      });
      synchronized (s) {
        s.model = model;
        s.index = index;
      }
      if (settings.incremental() && s.configured) {
        observe();
      }
      inBatch.get()[0]++;
      try {
        return decideAll(s, settings, records.size(), result, progress, start);
      } finally {
        inBatch.get()[0]--;
      }
    }

    private DetectionReport decideAll(State s, DedupSettings settings, int profiles,
        DedupResult result, ProgressListener progress, long start) {
      List<CandidatePair> decided = result.atOrAbove(settings.reviewThreshold());
      Counts counts = new Counts();
      long done = 0;
      List<CandidatePair> toQueue = new ArrayList<>();
      for (CandidatePair pair : decided) {
        if (pair.probability() >= settings.linkThreshold()) {
          decide(ws, s, pair, counts);
        } else {
          toQueue.add(pair);
        }
        if (++done % 1_000 == 0) {
          progress.progress("decide", done, decided.size());
        }
      }
      pipeline.write(ws, steps -> {
        MetadataStorage md = steps.tx.require(MetadataStorage.class);
        for (String key : md.metadata(REVIEW_PREFIX).keySet()) {
          md.deleteMetadata(key);
        }
        return null;
      });
      s.queued.set(0);
      for (int i = 0; i < toQueue.size(); i += QUEUE_PAGE) {
        queue(ws, s, toQueue.subList(i, Math.min(toQueue.size(), i + QUEUE_PAGE)), counts);
        done += Math.min(QUEUE_PAGE, toQueue.size() - i);
        progress.progress("decide", done, decided.size());
      }
      progress.progress("decide", decided.size(), decided.size());
      DetectionReport report = new DetectionReport(profiles, result.comparisons(),
          counts.linked, counts.queued, counts.alreadyTogether, counts.doNotLink, counts.refused,
          counts.queueFull, result.skippedBlocks(), Duration.ofNanos(System.nanoTime() - start));
      LOG.info("duplicate detection in workspace {}: {} profiles, {} pairs compared, {} linked, "
          + "{} queued for review", ws, report.profiles(), report.comparisons(), report.linked(),
          report.queued());
      return report;
    }

    @Override
    public Optional<MatchModel> model() {
      return Optional.ofNullable(state(ws).model);
    }

    @Override
    public List<ReviewItem> reviewQueue() {
      State s = state(ws);
      List<ReviewItem> out = new ArrayList<>();
      int[] count = new int[1];
      pipeline.store().read(ws, tx -> {
        Map<String, String> items;
        try {
          items = tx.require(MetadataStorage.class).metadata(REVIEW_PREFIX);
        } catch (UnsupportedOperationException noMetadata) {
          return null;
        }
        count[0] = items.size();
        for (Map.Entry<String, String> e : items.entrySet()) {
          ReviewItem item = readItem(e);
          if (item == null) {
            continue;
          }
          Optional<ProfileId> a = pipeline.reads().resolve(tx, item.first());
          Optional<ProfileId> b = pipeline.reads().resolve(tx, item.second());
          if (a.isEmpty() || b.isEmpty() || a.get().equals(b.get())) {
            continue;
          }
          out.add(resolved(item, a.get(), b.get()));
        }
        return null;
      });
      s.queued.set(count[0]);
      out.sort(Comparator.comparingDouble(ReviewItem::probability).reversed()
          .thenComparing(i -> i.first().value()).thenComparing(i -> i.second().value()));
      return List.copyOf(out);
    }

    @Override
    public void accept(ProfileId first, ProfileId second, String reasonCode) {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(second, "second");
      OwnEvents.checkReason(reasonCode);
      double p = reviewQueue().stream()
          .filter(i -> i.involves(resolve(first)) && i.involves(resolve(second)))
          .mapToDouble(ReviewItem::probability).findFirst().orElse(Double.NaN);
      Pipeline.LinkOutcome o = pipeline.linkProbable(ws, first, second, p, true, reasonCode,
          tx -> removeItems(tx, first, second));
      switch (o) {
        case LINKED, ALREADY_TOGETHER -> { }
        case UNKNOWN -> throw new IllegalArgumentException("unknown profile: " + first + " or "
            + second);
        case DO_NOT_LINK -> throw new IllegalStateException("a do-not-link rule separates "
            + first + " and " + second);
        case REFUSED_BY_RULES -> throw new IllegalStateException("linking " + first + " and "
            + second + " would break an identity limit");
        default -> throw new IllegalStateException("outcome " + o);
      }
    }

    @Override
    public void reject(ProfileId first, ProfileId second, String reasonCode) {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(second, "second");
      OwnEvents.checkReason(reasonCode);
      if (!pipeline.rejectProbable(ws, first, second, reasonCode,
          tx -> removeItems(tx, first, second))) {
        throw new IllegalArgumentException("unknown profile: " + first + " or " + second);
      }
    }

    @Override
    public Optional<CandidatePair> compare(ProfileId first, ProfileId second) {
      State s = state(ws);
      Profile a = pipeline.profile(ws, first).orElseThrow(
          () -> new IllegalArgumentException("unknown profile: " + first));
      Profile b = pipeline.profile(ws, second).orElseThrow(
          () -> new IllegalArgumentException("unknown profile: " + second));
      MatchIndex index = index(ws, s);
      if (index == null) {
        return Optional.empty();
      }
      index.put(record(s, a));
      index.put(record(s, b));
      return index.score(a.id().value(), b.id().value());
    }

    private ProfileId resolve(ProfileId id) {
      return pipeline.resolve(ws, id).orElse(id);
    }
  }

  private static ReviewItem resolved(ReviewItem item, ProfileId a, ProfileId b) {
    boolean aFirst = a.value().compareTo(b.value()) < 0;
    return new ReviewItem(aFirst ? a : b, aFirst ? b : a, item.probability(), item.logOdds(),
        item.priorWeight(), item.weights(), item.queuedAt());
  }

  /** Deletes the review items naming any of these profiles; how many. */
  static int erase(WriteTransaction tx, java.util.Set<ProfileId> profiles) {
    MetadataStorage md;
    try {
      md = tx.require(MetadataStorage.class);
    } catch (UnsupportedOperationException noMetadata) {
      return 0;
    }
    int n = 0;
    for (String key : md.metadata(REVIEW_PREFIX).keySet()) {
      if (names(key, profiles)) {
        md.deleteMetadata(key);
        n++;
      }
    }
    return n;
  }

  /** The review items naming any of these profiles, as stored. */
  static List<ReviewItem> items(ReadTransaction tx, java.util.Set<ProfileId> profiles) {
    MetadataStorage md;
    try {
      md = tx.require(MetadataStorage.class);
    } catch (UnsupportedOperationException noMetadata) {
      return List.of();
    }
    List<ReviewItem> out = new ArrayList<>();
    for (Map.Entry<String, String> e : md.metadata(REVIEW_PREFIX).entrySet()) {
      if (names(e.getKey(), profiles)) {
        ReviewItem item = readItem(e);
        if (item != null) {
          out.add(item);
        }
      }
    }
    return out;
  }

  private static boolean names(String key, java.util.Set<ProfileId> profiles) {
    String ids = key.substring(REVIEW_PREFIX.length());
    for (ProfileId p : profiles) {
      if (ids.startsWith(p.value() + ".") || ids.endsWith("." + p.value())) {
        return true;
      }
    }
    return false;
  }
}
