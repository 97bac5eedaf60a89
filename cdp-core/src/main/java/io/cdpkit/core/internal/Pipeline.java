package io.cdpkit.core.internal;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.json.DecodedMessage;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.extension.ProfileChanges;
import io.cdpkit.core.spi.extension.ProfileObserver;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest pipeline and profile queries over one store. Validation, normalisation and the
 * contribution of each event run on the caller's thread; identity resolution and the writes run
 * inside one store write transaction per call, with a savepoint per event.
 *
 * <p>Thread-safe.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final Store store;
  private final PipelineConfig config;
  private final EventPreparer preparer;
  private final IdentityResolver resolver;
  private final EventCodec codec;
  private final TraitRegistry traits;
  private final Catalogs catalogs;
  private final DuplicateOps duplicates;
  /** How a person is read: the one place that follows merges and builds a {@link Profile}. */
  private final ProfileReads reads;
  private final Tombstones tombstones;
  private final List<ProfileObserver> observers = new CopyOnWriteArrayList<>();
  private final EngineStats stats = new EngineStats();

  public Pipeline(Store store, PipelineConfig config, EventCodec codec, ComputedTraits traits) {
    this(store, config, codec, traits, new Tombstones(null));
  }

  public Pipeline(Store store, PipelineConfig config, EventCodec codec, ComputedTraits traits,
      Tombstones tombstones) {
    this.store = store;
    this.tombstones = Objects.requireNonNull(tombstones, "tombstones");
    this.codec = codec;
    this.config = config;
    this.traits = new TraitRegistry(traits);
    this.reads = new ProfileReads(this.traits::current);
    this.catalogs = new Catalogs(this);
    this.duplicates = new DuplicateOps(this);
    this.preparer = new EventPreparer(config, codec, this.traits, catalogs::products);
    this.resolver = new IdentityResolver(config, preparer);
  }

  public PipelineConfig config() {
    return config;
  }

  public Store store() {
    return store;
  }

  public TraitRegistry traits() {
    return traits;
  }

  /** The workspaces' product catalogs. */
  public Catalogs catalogs() {
    return catalogs;
  }

  /** The workspaces' duplicate detection. */
  public DuplicateOps duplicates() {
    return duplicates;
  }

  Tombstones tombstones() {
    return tombstones;
  }

  IdentityResolver resolver() {
    return resolver;
  }

  /** What the engine counts about itself (read by a metrics binder). */
  public EngineStats stats() {
    return stats;
  }

  /** Adds an observer of profile changes (see {@link ProfileObserver}). */
  public void observe(ProfileObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  /** What a write transaction returns, with the actions to run once it committed. */
  private record Written<T>(T result, List<Runnable> afterCommit, int merged, int unmerged) {}

  /**
   * Runs {@code work} in a write transaction, with observers told of what each step changed;
   * then runs their after-commit actions.
   */
  <T> T write(WorkspaceId ws, Function<Steps, T> work) {
    EngineStats.Timing timing = stats.timing();
    long start = timing != null ? System.nanoTime() : 0L;
    int[] attempts = {0};
    Written<T> w;
    try {
      w = store.write(ws, tx -> {
        attempts[0]++;
        Steps steps = new Steps(ws, tx);
        T result = work.apply(steps);
        return new Written<>(result, steps.afterCommit, steps.merged, steps.unmerged);
      });
    } finally {
      if (attempts[0] > 1) {
        stats.storeRetries.add(attempts[0] - 1, ws.value());
      }
      if (timing != null) {
        timing.transaction(ws, System.nanoTime() - start);
      }
    }
    if (w.merged() > 0) {
      stats.merges.add(w.merged(), ws.value());
    }
    if (w.unmerged() > 0) {
      stats.unmerges.add(w.unmerged(), ws.value());
    }
    for (Runnable r : w.afterCommit()) {
      try {
        r.run();
      } catch (RuntimeException ex) {
        LOG.warn("an after-commit action failed in workspace {}", ws, ex);
      }
    }
    return w.result();
  }

  /**
   * The steps of one attempt at a write transaction: the transaction observers' writes go
   * through, and the after-commit actions of the steps that succeeded. Not thread-safe.
   */
  final class Steps {
    final WorkspaceId ws;
    final WriteTransaction tx;
    final @Nullable ObservedTx observed;
    final List<Runnable> afterCommit = new ArrayList<>();
    /** MERGED and UNMERGED ledger entries of the steps that succeeded (when counted). */
    int merged;
    int unmerged;

    Steps(WorkspaceId ws, WriteTransaction raw) {
      this.ws = ws;
      this.observed =
          observers.isEmpty() && !stats.countsLedger() ? null : new ObservedTx(raw);
      this.tx = observed != null ? observed : raw;
    }

    /** Tells observers what the step just done changed. */
    void done(String cause, @Nullable String messageId) {
      if (observed == null) {
        return;
      }
      merged += observed.drainMerged();
      unmerged += observed.drainUnmerged();
      List<ProfileChange> changes = observed.drain();
      if (changes.isEmpty() || observers.isEmpty()) {
        return;
      }
      List<Runnable> mine = new ArrayList<>(0);
      Instant now = config.clock().instant();
      ProfileChanges pc = new ProfileChanges() {
        @Override
        public WorkspaceId workspace() {
          return ws;
        }

        @Override
        public WriteTransaction transaction() {
          return observed.inner();
        }

        @Override
        public List<ProfileChange> changes() {
          return changes;
        }

        @Override
        public String cause() {
          return cause;
        }

        @Override
        public @Nullable String messageId() {
          return messageId;
        }

        @Override
        public Instant now() {
          return now;
        }

        @Override
        public void afterCommit(Runnable action) {
          mine.add(Objects.requireNonNull(action, "action"));
        }
      };
      for (ProfileObserver o : observers) {
        o.changed(pc);
      }
      afterCommit.addAll(mine);
    }

    /** Forgets what the failed step noted. */
    void failed() {
      if (observed != null) {
        observed.reset();
      }
    }
  }

  /**
   * Ingests one event in a transaction of its own.
   *
   * @throws InvalidEventException when the event breaks a rule, or fails inside the transaction
   *     for a reason that repeating cannot cure; nothing was stored
   */
  public IngestResult ingest(WorkspaceId ws, Event event) {
    PreparedEvent p = prepare(ws, event);
    return single(p, writeOne(ws, p));
  }

  /**
   * The result of a single ingest ({@link #ingest}, a gathered one): an event that failed
   * inside the transaction throws, as one rejected at the door does: the store's own
   * {@link StorageException}, else an {@link InvalidEventException}.
   */
  static IngestResult single(PreparedEvent p, IdentityResolver.Outcome o) {
    if (o.failure() != null) {
      throw o.failure() instanceof StorageException se ? se : rejection(o.failure());
    }
    return result(0, p, o);
  }

  /**
   * The result of an event that reached the store: {@code STORED}, or {@code DUPLICATE} when
   * its messageId was there already (stored before, or earlier in the same transaction: the
   * store refuses the repeat, so the first one wins and the repeat gets the same profile);
   * {@code REJECTED} when it failed inside the transaction. It carries the door's warnings.
   */
  static IngestResult result(int index, PreparedEvent p, IdentityResolver.Outcome o) {
    String messageId = p.stored().messageId();
    if (o.failure() != null) {
      return new IngestResult(index, messageId, IngestResult.Status.REJECTED, null,
          rejection(o.failure()));
    }
    return new IngestResult(index, messageId,
        o.erased() ? IngestResult.Status.ERASED
            : o.stored() ? IngestResult.Status.STORED : IngestResult.Status.DUPLICATE,
        o.profile(), null, p.warnings());
  }

  /**
   * The rejection an exception thrown while one event was written becomes. The exception's
   * message is not passed on, as a driver's message may quote the event's values.
   */
  private static InvalidEventException rejection(RuntimeException ex) {
    if (ex instanceof InvalidEventException ie) {
      return ie;
    }
    LOG.debug("an event failed inside its transaction ({}); rejected",
        ex.getClass().getSimpleName());
    return new InvalidEventException("", "could not be stored ("
        + (ex instanceof StorageException ? "the store refused it"
            : ex.getClass().getSimpleName()) + ")");
  }

  /**
   * Ingests a batch: invalid events are rejected one by one, the rest are written in one
   * transaction with a savepoint per event.
   */
  public BatchResult ingestAll(WorkspaceId ws, List<Event> events) {
    List<DecodedMessage> decoded = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      decoded.add(DecodedMessage.valid(i, Objects.requireNonNull(events.get(i), "event")));
    }
    return ingestDecoded(ws, decoded);
  }

  /**
   * Ingests a JSON body (one message or a {@code {"batch": [...]}}), stamping each event's
   * {@code receivedAt} with the pipeline's clock.
   *
   * @throws InvalidEventException when the body as a whole is unreadable or over a limit
   */
  public BatchResult ingestJson(WorkspaceId ws, byte[] body) {
    return ingestBody(ws, codec.readBody(body));
  }

  /**
   * Ingests a parsed body's messages, read with the workspace's zone and id namespace, each
   * received now.
   */
  public BatchResult ingestBody(WorkspaceId ws, io.cdpkit.core.json.DecodedBody body) {
    // Stamped while the events are built: no second copy of each.
    return ingestDecoded(ws, body.withReceivedAt(config.clock().instant())
        .messages(ws.value(), config.zone(ws)));
  }

  /**
   * Writes prepared events in one store transaction: a bulk prefetch of what they will read,
   * then each event under a savepoint. An event that fails rolls back to its savepoint and is
   * rejected ({@link IdentityResolver.Outcome#rejected}); the others go on. A retryable
   * {@link StorageException} ends the attempt (the store repeats the whole transaction).
   */
  List<IdentityResolver.Outcome> writeAll(WorkspaceId ws, List<PreparedEvent> prepared) {
    List<String> messageIds = new ArrayList<>(prepared.size());
    List<Identifier> identifiers = new ArrayList<>();
    for (PreparedEvent p : prepared) {
      messageIds.add(p.stored().messageId());
      identifiers.addAll(p.stored().identifiers());
    }
    return write(ws, steps -> {
      WriteTransaction tx = steps.tx;
      tx.prefetch(messageIds, identifiers);
      boolean[] erased = erasedEvents(ws, tx, prepared);
      List<IdentityResolver.Outcome> out = new ArrayList<>(prepared.size());
      for (int k = 0; k < prepared.size(); k++) {
        PreparedEvent p = prepared.get(k);
        if (erased != null && erased[k]) {
          out.add(IdentityResolver.Outcome.ERASED);
          continue;
        }
        out.add(underSavepoint(steps, p));
      }
      return out;
    });
  }

  /** Writes one event under a savepoint: see {@link #writeAll}. */
  private IdentityResolver.Outcome underSavepoint(Steps steps, PreparedEvent p) {
    WriteTransaction tx = steps.tx;
    Savepoint sp = tx.savepoint();
    try {
      IdentityResolver.Outcome o = ingestOne(steps.ws, tx, p);
      steps.done("event", p.stored().messageId());
      return o;
    } catch (RuntimeException ex) {
      steps.failed();
      tx.rollbackTo(sp);
      if (ex instanceof StorageException se && se.isRetryable()) {
        throw se; // the store repeats the whole transaction
      }
      return IdentityResolver.Outcome.failed(ex);
    }
  }

  /** Validates and normalises one event on the caller's thread. */
  PreparedEvent prepare(WorkspaceId ws, Event event) {
    return preparer.prepare(ws, event);
  }

  /**
   * One event in a transaction of its own; an event that fails inside it (for a reason that
   * repeating cannot cure) comes back {@linkplain IdentityResolver.Outcome#rejected rejected}.
   */
  IdentityResolver.Outcome writeOne(WorkspaceId ws, PreparedEvent p) {
    try {
      return write(ws, steps -> {
        boolean[] erased = erasedEvents(ws, steps.tx, List.of(p));
        if (erased != null && erased[0]) {
          return IdentityResolver.Outcome.ERASED;
        }
        return underSavepoint(steps, p);
      });
    } catch (RuntimeException ex) {
      if (ex instanceof StorageException se && se.isRetryable()) {
        throw se; // the store's own repeats did not cure it
      }
      // The commit failed, possibly on what the event holds (a store may write its rows only
      // then): the event's failure.
      return IdentityResolver.Outcome.failed(ex);
    }
  }

  /**
   * Resolves and stores one event; an event stored for the first time that carries consent
   * decisions appends a {@code consent} line to the audit log.
   */
  private IdentityResolver.Outcome ingestOne(WorkspaceId ws, WriteTransaction tx,
      PreparedEvent p) {
    IdentityResolver.Outcome o = resolver.ingest(ws, tx, preparer.current(ws, p));
    Event e = p.stored().event();
    if (o.stored() && !e.consents().isEmpty()) {
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, config.clock().instant(),
          "consent", o.profile(), null, AuditDetail.consent(e)));
    }
    return o;
  }

  /**
   * Which of these events carry an identifier whose erasure tombstone is at or after the
   * event's own time (the earlier of its event time and its receive time), looked up once for
   * the whole lot; {@code null} when none does (always in a workspace that never had an
   * erasure, without hashing anything). An event whose client time had to be corrected (dated
   * in the future) counts as late whenever one of its identifiers has a tombstone: a retry of an
   * erased person's old event cannot bring her back by being dated ahead.
   */
  private boolean @Nullable [] erasedEvents(WorkspaceId ws, WriteTransaction tx,
      List<PreparedEvent> prepared) {
    if (!tombstones.mayHave(ws, tx)) {
      return null;
    }
    Map<Identifier, String> hashes = new java.util.HashMap<>();
    for (PreparedEvent p : prepared) {
      for (Identifier id : p.stored().identifiers()) {
        hashes.computeIfAbsent(id, i -> tombstones.hash(ws, tx, i));
      }
    }
    if (hashes.isEmpty()) {
      return null;
    }
    Map<String, Instant> found =
        tx.require(PrivacyStorage.class).tombstones(new HashSet<>(hashes.values()));
    if (found.isEmpty()) {
      return null;
    }
    boolean[] out = new boolean[prepared.size()];
    boolean any = false;
    for (int k = 0; k < prepared.size(); k++) {
      PreparedEvent p = prepared.get(k);
      Instant time = p.stored().key().time();
      Instant received = p.stored().event().receivedAt();
      if (received != null && received.isBefore(time)) {
        time = received;
      }
      for (Identifier id : p.stored().identifiers()) {
        Instant at = found.get(hashes.get(id));
        if (at != null && (p.corrected() || !time.isAfter(at))) {
          out[k] = true;
          any = true;
          break;
        }
      }
    }
    return any ? out : null;
  }

  /**
   * See {@link #ingestAll}. Never throws for one bad event: each is rejected on its own, at the
   * door or inside the transaction (see {@link #writeAll}). When the batch's transaction fails
   * as a whole for a reason that repeating cannot cure (a store that writes its rows only at
   * commit refuses one of them), each event is written again in a transaction of its own, so
   * that the failure stays with the event that causes it; when not one of them can be written
   * either, the store is failing and the batch's exception is thrown.
   *
   * @throws StorageException when the store fails (nothing of the batch was stored)
   */
  public BatchResult ingestDecoded(WorkspaceId ws, List<DecodedMessage> messages) {
    IngestResult[] results = new IngestResult[messages.size()];
    List<PreparedEvent> prepared = new ArrayList<>(messages.size());
    List<Integer> positions = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      DecodedMessage m = messages.get(i);
      if (m.error() != null || m.event() == null) {
        InvalidEventException err = m.error() != null ? m.error()
            : new InvalidEventException("", "is null");
        results[i] = new IngestResult(m.index(), m.messageId(), IngestResult.Status.REJECTED,
            null, err);
        continue;
      }
      try {
        prepared.add(prepare(ws, m.event()));
        positions.add(i);
      } catch (InvalidEventException ex) {
        results[i] = new IngestResult(m.index(), m.messageId(), IngestResult.Status.REJECTED,
            null, ex);
      }
    }
    if (!prepared.isEmpty()) {
      // The same messageId twice in one batch: the store refuses the second, so it is a
      // DUPLICATE with the first one's profile (see result()).
      List<IdentityResolver.Outcome> outcomes;
      try {
        outcomes = writeAll(ws, prepared);
      } catch (RuntimeException ex) {
        if (ex instanceof StorageException se && se.isRetryable()) {
          throw se;
        }
        LOG.debug("a batch of {} in workspace {} failed ({}); each event is written alone",
            prepared.size(), ws, ex.getClass().getSimpleName());
        outcomes = new ArrayList<>(prepared.size());
        boolean storeFails = true;
        for (PreparedEvent p : prepared) {
          IdentityResolver.Outcome o = writeOne(ws, p);
          storeFails &= o.failure() instanceof StorageException;
          outcomes.add(o);
        }
        if (storeFails) {
          throw ex; // not one event could be written: the store fails, not an event
        }
      }
      for (int k = 0; k < prepared.size(); k++) {
        DecodedMessage m = messages.get(positions.get(k));
        results[positions.get(k)] = result(m.index(), prepared.get(k), outcomes.get(k));
      }
    }
    BatchResult r = new BatchResult(List.of(results));
    if (LOG.isDebugEnabled()) {
      LOG.debug("batch of {} in workspace {}: {} stored, {} duplicate, {} rejected, {} erased, "
          + "warnings {}", messages.size(), ws, r.stored(), r.duplicates(), r.rejected(),
          r.erased(), r.warningCounts());
    }
    return r;
  }

  /** The live profile an id (possibly merged away) resolves to. */
  public Optional<Profile> profile(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> reads.profile(tx, ws, id, config.clock().instant()));
  }

  /** Live profiles whose ids sort after {@code after}, in id order, at most {@code limit}. */
  public List<Profile> profilesAfter(WorkspaceId ws, @Nullable ProfileId after, int limit) {
    return store.read(ws, tx -> {
      java.time.Instant now = config.clock().instant();
      List<Profile> out = new ArrayList<>();
      for (io.cdpkit.core.spi.storage.ProfileRecord r : tx.profilesAfter(after, limit)) {
        out.add(reads.profile(tx, ws, r, now));
      }
      return List.copyOf(out);
    });
  }

  /** The live id a possibly merged-away id resolves to. */
  public Optional<ProfileId> resolve(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> reads.resolve(tx, id));
  }

  /**
   * The profile holding an identifier (normalised first).
   *
   * @throws InvalidEventException when the identifier is not acceptable for its type
   */
  public Optional<Profile> find(WorkspaceId ws, Identifier identifier) {
    Optional<Identifier> n = config.rules().normalize(identifier);
    if (n.isEmpty()) {
      return Optional.empty();
    }
    return store.read(ws, tx -> tx.node(n.get()).flatMap(node -> tx.profile(node.profile()))
        .map(r -> reads.profile(tx, ws, r, config.clock().instant())));
  }

  /** How a person is read; extensions get the same ({@code ExtensionContext#readModel}). */
  public ProfileReads reads() {
    return reads;
  }

  /** Metadata key prefix under which a workspace records the aggregations its states hold. */
  static final String TRAIT_KEY = "core.computed-trait.";

  /**
   * Metadata key under which a workspace records the trait mapping its states were built with
   * (under {@link #TRAIT_KEY}, so it is read with the aggregations; no computed trait name
   * starts with {@code $}).
   */
  static final String MAPPING_KEY = TRAIT_KEY + "$mapping";

  /** Profiles recomputed per transaction when aggregations are added. */
  static final int RECOMPUTE_PAGE = 200;

  /**
   * Makes sure a workspace's states hold these aggregations (and the host's): see
   * {@link io.cdpkit.core.spi.extension.ExtensionContext#requireAggregates}.
   */
  public void requireAggregates(WorkspaceId ws, Collection<ComputedTrait> more,
      LongConsumer progress) {
    traits.add(more.stream().map(t -> t.withOrderEvents(config.orderEvents())).toList());
    ComputedTraits now = traits.current();
    Map<String, String> want = new TreeMap<>();
    for (ComputedTrait t : now.aggregates()) {
      want.put(TRAIT_KEY + t.name(), fingerprint(t));
    }
    if (!config.traitMapping(ws).isEmpty()) {
      want.put(MAPPING_KEY, sha256(config.traitMapping(ws).fingerprint()));
    }
    Map<String, String> have;
    try {
      have = store.read(ws, tx -> tx.require(MetadataStorage.class).metadata(TRAIT_KEY));
    } catch (UnsupportedOperationException ex) {
      if (want.isEmpty() || want.keySet().equals(Set.of(MAPPING_KEY))) {
        // a store without metadata still works, without computed traits; a trait mapping then
        // applies to what is ingested or recomputed afterwards
        return;
      }
      throw ex;
    }
    if (have.equals(want)) {
      return;
    }
    // A changed or removed trait mapping makes every state stale; a removed computed trait
    // does not (its state is simply no longer read).
    boolean missing = !Objects.equals(have.get(MAPPING_KEY), want.get(MAPPING_KEY));
    for (Map.Entry<String, String> e : want.entrySet()) {
      if (!e.getValue().equals(have.get(e.getKey()))) {
        missing = true;
        break;
      }
    }
    boolean empty = !missing || store.read(ws, tx -> tx.profilesAfter(null, 1).isEmpty());
    if (!empty) {
      LOG.info("recomputing the profiles of workspace {} for new computed traits", ws);
      recomputeAll(ws, progress);
    }
    write(ws, steps -> {
      MetadataStorage metadata = steps.tx.require(MetadataStorage.class);
      Map<String, String> stored = metadata.metadata(TRAIT_KEY);
      for (String k : stored.keySet()) {
        if (!want.containsKey(k)) {
          metadata.deleteMetadata(k);
        }
      }
      want.forEach(metadata::putMetadata);
      return null;
    });
  }

  /** A SHA-256 of a text, in hex: a short stand-in for a long fingerprint. */
  static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest
          .getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /** A definition's stable text: when it changes, states built with the old one are stale. */
  static String fingerprint(ComputedTrait t) {
    return t.aggregation() + "|" + t.property() + "|" + t.window().days() + "|" + t.filter();
  }

  /** Recomputes every profile of a workspace from its events, a page per transaction. */
  public void recomputeAll(WorkspaceId ws, LongConsumer progress) {
    ProfileId after = null;
    long done = 0;
    while (true) {
      ProfileId from = after;
      List<ProfileId> page = store.read(ws, tx -> tx.profilesAfter(from, RECOMPUTE_PAGE))
          .stream().map(ProfileRecord::id).toList();
      if (page.isEmpty()) {
        return;
      }
      write(ws, steps -> {
        for (ProfileId id : page) {
          resolver.recompute(ws, steps.tx, id);
        }
        steps.done("recompute", null);
        return null;
      });
      done += page.size();
      progress.accept(done);
      after = page.get(page.size() - 1);
    }
  }

  /** The events of a profile, by event time then messageId. */
  public List<Event> events(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> reads.events(tx, id).stream().map(StoredEvent::event)
        .toList());
  }

  /**
   * The ledger of a profile: entries naming it, and, transitively, entries naming the profiles
   * merged into it, in the order they were written per profile.
   */
  public List<LedgerEntry> ledger(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> {
      ProfileId start = reads.resolve(tx, id).orElse(id);
      List<LedgerEntry> out = new ArrayList<>();
      Set<LedgerEntry> seenEntries = new HashSet<>();
      Set<ProfileId> visited = new HashSet<>();
      ArrayDeque<ProfileId> todo = new ArrayDeque<>();
      todo.add(start);
      while (!todo.isEmpty()) {
        ProfileId p = todo.poll();
        if (!visited.add(p)) {
          continue;
        }
        for (LedgerEntry e : tx.ledger(p)) {
          if (seenEntries.add(e)) {
            out.add(e);
          }
          if (e.kind() == LedgerEntry.Kind.MERGED && e.profile().equals(p)
              && e.other() != null) {
            todo.add(e.other());
          }
        }
      }
      out.sort(java.util.Comparator.comparing(LedgerEntry::recordedAt));
      return out;
    });
  }

  /** Stored events per counted name. */
  public Map<String, Long> eventNameCounts(WorkspaceId ws) {
    return store.read(ws, ReadTransaction::eventNameCounts);
  }

  /**
   * Ingests one of CDPKit's own events for a known person (see {@link OwnEvents}) and appends
   * an audit line, in one transaction. The event is made inside the transaction from the
   * profile's state then, so that it can be stamped after what it overrides.
   *
   * @param cause what observers are told caused the change ({@code restrict}, ...)
   * @param event makes the event from the normalised identifier and the profile's state
   * @param audit makes the audit line for the profile the event went to
   * @return the profile the event went to
   * @throws IllegalArgumentException when the identifier is blocked or unknown
   * @throws InvalidEventException when the value is not acceptable for its type, or the event
   *     breaks a rule
   * @throws UnsupportedOperationException when the store keeps no audit log
   */
  public ProfileId ingestOwn(WorkspaceId ws, Identifier identifier, String cause,
      java.util.function.BiFunction<Identifier, ProfileState, Event> event,
      Function<ProfileId, io.cdpkit.core.spi.storage.AuditEntry> audit) {
    Identifier n = config.rules().normalize(identifier)
        .orElseThrow(() -> new IllegalArgumentException(identifier + " is blocked"));
    return write(ws, steps -> {
      IdentityNode node = steps.tx.node(n)
          .orElseThrow(() -> new IllegalArgumentException("unknown identifier: " + n));
      ProfileState state = steps.tx.profile(node.profile()).map(ProfileRecord::state)
          .orElse(ProfileState.EMPTY);
      PreparedEvent p = preparer.prepareOwn(ws, event.apply(n, state));
      IdentityResolver.Outcome o = resolver.ingest(ws, steps.tx, p);
      steps.done(cause, p.stored().messageId());
      ProfileId profile = Objects.requireNonNull(o.profile(), "profile");
      steps.tx.require(PrivacyStorage.class).appendAudit(audit.apply(profile));
      return profile;
    });
  }

  /**
   * Splits two identifiers apart for good: adds a do-not-link rule and re-resolves.
   *
   * @throws IllegalArgumentException when either identifier is unknown or blocked
   * @throws InvalidEventException when either is not acceptable for its type
   */
  public void unmerge(WorkspaceId ws, Identifier a, Identifier b) {
    Identifier na = config.rules().normalize(a)
        .orElseThrow(() -> new IllegalArgumentException(a + " is blocked"));
    Identifier nb = config.rules().normalize(b)
        .orElseThrow(() -> new IllegalArgumentException(b + " is blocked"));
    if (na.equals(nb)) {
      throw new IllegalArgumentException("cannot unmerge an identifier from itself");
    }
    boolean known = write(ws, steps -> {
      ProfileId pa = IdentityResolver.profileOf(steps.tx, na);
      boolean k = resolver.unmerge(ws, steps.tx, na, nb);
      steps.done("unmerge", null);
      if (k) {
        steps.tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0,
            config.clock().instant(), "unmerge", pa, tombstones.hash(ws, steps.tx, na),
            AuditDetail.unmerge(na, nb, IdentityResolver.profileOf(steps.tx, nb))));
      }
      return k;
    });
    if (!known) {
      throw new IllegalArgumentException("unknown identifier: " + na + " or " + nb);
    }
    LOG.info("unmerged {} and {} in workspace {}", na, nb, ws);
  }

  /** What {@link #linkProbable} did. */
  public enum LinkOutcome {
    /** The two profiles are one now. */
    LINKED,
    /** They were one already. */
    ALREADY_TOGETHER,
    /** A do-not-link rule separates them; nothing was written. */
    DO_NOT_LINK,
    /** Joining them would break an identity limit; nothing was written. */
    REFUSED_BY_RULES,
    /** One of them is unknown (erased, say); nothing was written. */
    UNKNOWN
  }

  /**
   * Where two profile ids stand for linking: their live profiles, and {@code outcome} null when
   * they may be linked, else why not ({@link LinkOutcome#UNKNOWN},
   * {@link LinkOutcome#ALREADY_TOGETHER}, {@link LinkOutcome#DO_NOT_LINK},
   * {@link LinkOutcome#REFUSED_BY_RULES}).
   */
  record PairCheck(@Nullable LinkOutcome outcome, @Nullable ProfileId first,
      @Nullable ProfileId second) {}

  /** The one check of a pair that linking and queueing a probable match share. */
  PairCheck checkPair(WriteTransaction tx, ProfileId a, ProfileId b) {
    Optional<ProfileId> la = reads.resolve(tx, a);
    Optional<ProfileId> lb = reads.resolve(tx, b);
    if (la.isEmpty() || lb.isEmpty()) {
      return new PairCheck(LinkOutcome.UNKNOWN, null, null);
    }
    if (la.get().equals(lb.get())) {
      return new PairCheck(LinkOutcome.ALREADY_TOGETHER, la.get(), lb.get());
    }
    return new PairCheck(resolver.linkRefusal(tx, la.get(), lb.get()), la.get(), lb.get());
  }

  /**
   * Links two profiles found to be one person by writing a probable-match event (see
   * {@link OwnEvents#probableMatch}) with each one's highest-priority identifier, in one
   * transaction with an audit line ({@code dedup-link}), unless they are one already, a
   * do-not-link rule separates them, or an identity limit would break.
   *
   * @param also runs in the same transaction when the link is written or they were one already
   *     (the review queue removes the item there)
   */
  public LinkOutcome linkProbable(WorkspaceId ws, ProfileId a, ProfileId b, double probability,
      boolean reviewed, String reasonCode,
      java.util.function.Consumer<WriteTransaction> also) {
    return write(ws, steps -> {
      WriteTransaction tx = steps.tx;
      PairCheck c = checkPair(tx, a, b);
      if (c.outcome() == LinkOutcome.ALREADY_TOGETHER) {
        also.accept(tx);
      }
      if (c.outcome() != null) {
        return c.outcome();
      }
      ProfileId la = Objects.requireNonNull(c.first());
      ProfileId lb = Objects.requireNonNull(c.second());
      Identifier ta = resolver.topIdentifier(tx, la);
      Identifier tb = resolver.topIdentifier(tx, lb);
      if (ta == null || tb == null) {
        return LinkOutcome.UNKNOWN;
      }
      Instant now = config.clock().instant();
      PreparedEvent p = preparer.prepareOwn(ws,
          OwnEvents.probableMatch(ta, tb, probability, reviewed, reasonCode, now));
      IdentityResolver.Outcome o = resolver.ingest(ws, tx, p);
      steps.done("probable-match", p.stored().messageId());
      ProfileId survivor = Objects.requireNonNull(o.profile(), "profile");
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, now, "dedup-link",
          survivor, tombstones.hash(ws, tx, ta), AuditDetail.probableMatch(
              survivor.equals(la) ? lb : la,
              Double.isNaN(probability) ? null : probability, reviewed, reasonCode)));
      also.accept(tx);
      return LinkOutcome.LINKED;
    });
  }

  /**
   * Records that two profiles are two people: a do-not-link rule between their highest-priority
   * identifiers, with an audit line ({@code dedup-reject}), in one transaction.
   *
   * @throws IllegalStateException when the two ids resolve to one profile
   *
   * @param also runs in the same transaction (the review queue removes the item there)
   * @return whether both profiles are known
   */
  public boolean rejectProbable(WorkspaceId ws, ProfileId a, ProfileId b, String reasonCode,
      java.util.function.Consumer<WriteTransaction> also) {
    return write(ws, steps -> {
      WriteTransaction tx = steps.tx;
      Optional<ProfileId> la = reads.resolve(tx, a);
      Optional<ProfileId> lb = reads.resolve(tx, b);
      if (la.isPresent() && la.equals(lb)) {
        throw new IllegalStateException("the two ids are one profile now; unmerge two of its "
            + "identifiers instead");
      }
      Identifier ta = la.map(id -> resolver.topIdentifier(tx, id)).orElse(null);
      Identifier tb = lb.map(id -> resolver.topIdentifier(tx, id)).orElse(null);
      if (ta == null || tb == null) {
        also.accept(tx);
        return false;
      }
      resolver.unmerge(ws, tx, ta, tb);
      steps.done("dedup-reject", null);
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, config.clock().instant(),
          "dedup-reject", la.get(), tombstones.hash(ws, tx, ta),
          AuditDetail.probableMatch(lb.get(), null, true, reasonCode)));
      also.accept(tx);
      return true;
    });
  }
}
