package io.cdpkit.core;

import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.internal.Gatherer;
import io.cdpkit.core.internal.Pipeline;
import io.cdpkit.core.internal.PipelineConfig;
import io.cdpkit.core.internal.PrivacyOps;
import io.cdpkit.core.internal.Tombstones;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.json.EventLimits;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ProfileObserver;
import io.cdpkit.core.spi.extension.Signal;
import io.cdpkit.core.spi.extension.SignalObserver;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.core.traits.TraitMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded Customer Data Platform: events in, one unified profile per person out.
 *
 * <pre>{@code
 * try (Cdp cdp = Cdp.builder().build()) {
 *   cdp.ingest(Event.identify().messageId("m-1").userId("C-1001")
 *       .trait("email", "Jane.Doe@Example.com").build());
 *   Profile jane = cdp.profiles().find(Identifier.email("jane.doe@example.com")).orElseThrow();
 * }
 * }</pre>
 *
 * <p>Data lives in workspaces (tenants). Hosts with one shop use the methods of this class, which
 * act on {@link WorkspaceId#DEFAULT}; others call {@link #workspace(WorkspaceId)}.
 *
 * <p>Thread-safe. Two instances in one JVM share nothing.
 */
public final class Cdp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Cdp.class);

  private final Store store;
  private final boolean ownsStore;
  private final Pipeline pipeline;
  private final PrivacyOps privacy;
  private final ConcurrentHashMap<WorkspaceId, Workspace> workspaces = new ConcurrentHashMap<>();
  private final Workspace defaultWorkspace;
  private final @Nullable Gatherer gatherer;
  private final List<CdpExtension> extensions;
  private final List<SignalObserver> signalObservers = new CopyOnWriteArrayList<>();
  private final ProgressListener recomputeProgress;

  private Cdp(Builder b) {
    this.store = b.store != null ? b.store : Store.inMemory();
    this.ownsStore = b.store == null;
    PipelineConfig config = new PipelineConfig(
        b.rules != null ? b.rules : IdentityRules.defaults(),
        b.clock != null ? b.clock : Clock.systemUTC(),
        b.defaultCurrency != null ? b.defaultCurrency : "EUR",
        b.sourcePriorities,
        b.orderEvents.isEmpty() ? Set.of("Order Completed") : b.orderEvents,
        b.refundEvents.isEmpty() ? Set.of("Order Refunded") : b.refundEvents,
        b.clockTolerance != null ? b.clockTolerance : PipelineConfig.DEFAULT_CLOCK_TOLERANCE,
        b.timeZone != null ? b.timeZone : ZoneOffset.UTC, b.workspaceZones,
        b.traitMapping != null ? b.traitMapping : TraitMapping.NONE, b.workspaceMappings);
    this.pipeline = new Pipeline(store, config,
        EventCodec.create(b.limits != null ? b.limits : EventLimits.defaults()),
        ComputedTraits.of(b.aggregates.stream()
            .map(t -> t.withOrderEvents(config.orderEvents())).toList(), b.derived),
        new Tombstones(b.privacyKey));
    this.privacy = new PrivacyOps(pipeline);
    this.recomputeProgress = b.recomputeProgress;
    this.extensions = List.copyOf(b.extensions);
    ExtensionContext context = new Context();
    for (CdpExtension e : extensions) {
      e.attach(context);
    }
    this.gatherer = b.gatherDelay == null ? null
        : new Gatherer(pipeline, b.gatherDelay, b.gatherBatch);
    this.defaultWorkspace = workspace(WorkspaceId.DEFAULT);
    LOG.info("CDPKit started with {} store", store.getClass().getSimpleName());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The workspace with this id; it exists as soon as something is ingested into it.
   *
   * <p>The first call for a workspace checks that its profiles hold every declared computed
   * trait; when one was added since they were built, it recomputes them all from their events
   * before returning (logged at INFO, and reported to {@link Builder#recomputeProgress}).
   * Declare the same computed traits on every node.
   */
  public Workspace workspace(WorkspaceId id) {
    Objects.requireNonNull(id, "id");
    return workspaces.computeIfAbsent(id, w -> {
      pipeline.requireAggregates(w, List.of(), done -> recomputeProgress.progress(
          "recompute", done, ProgressListener.UNKNOWN));
      pipeline.duplicates().opened(w);
      for (CdpExtension e : extensions) {
        e.workspaceOpened(w);
      }
      return new Workspace(pipeline, privacy, w, gatherer);
    });
  }

  /** The workspaces opened so far (the default one always), for per-workspace meters. */
  Set<WorkspaceId> openWorkspaces() {
    return Set.copyOf(workspaces.keySet());
  }

  /** The computed traits in force: the declared ones and those extensions added. */
  public ComputedTraits computedTraits() {
    return pipeline.traits().current();
  }

  /** What extensions see of this instance. */
  private final class Context implements ExtensionContext {
    @Override
    public Store store() {
      return store;
    }

    @Override
    public io.cdpkit.core.spi.extension.ReadModel readModel() {
      return pipeline.reads();
    }

    @Override
    public Clock clock() {
      return pipeline.config().clock();
    }

    @Override
    public IdentityRules identityRules() {
      return pipeline.config().rules();
    }

    @Override
    public ComputedTraits computedTraits() {
      return pipeline.traits().current();
    }

    @Override
    public io.cdpkit.core.catalog.Catalog catalog(WorkspaceId workspace) {
      return pipeline.catalogs().of(workspace);
    }

    @Override
    public Set<String> orderEvents() {
      return pipeline.config().orderEvents();
    }

    @Override
    public String defaultCurrency() {
      return pipeline.config().defaultCurrency();
    }

    @Override
    public void observe(ProfileObserver observer) {
      pipeline.observe(observer);
    }

    @Override
    public void observeSignals(SignalObserver observer) {
      signalObservers.add(Objects.requireNonNull(observer, "observer"));
    }

    @Override
    public void signal(WorkspaceId workspace, WriteTransaction transaction,
        List<Signal> signals) {
      if (signals.isEmpty()) {
        return;
      }
      List<Signal> copy = List.copyOf(signals);
      for (SignalObserver o : signalObservers) {
        o.signalled(workspace, transaction, copy);
      }
    }

    @Override
    public void requireAggregates(WorkspaceId workspace, Collection<ComputedTrait> traits,
        ProgressListener progress) {
      Objects.requireNonNull(progress, "progress");
      pipeline.requireAggregates(workspace, traits,
          done -> progress.progress("recompute", done, ProgressListener.UNKNOWN));
    }

    @Override
    public void traitsChanged(WorkspaceId workspace, Set<String> traits,
        ProgressListener progress) {
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(progress, "progress");
      ComputedTraits now = pipeline.traits().current();
      Set<String> changed = new java.util.TreeSet<>();
      for (String t : traits) {
        if (now.derivedTrait(t).isEmpty()) {
          throw new IllegalArgumentException("traitsChanged: " + t
              + " is not a derived trait in force");
        }
        changed.add(t);
      }
      // a derived trait that reads a changed one changes too
      boolean grew = true;
      while (grew) {
        grew = false;
        for (DerivedTrait d : now.derived()) {
          if (!changed.contains(d.name())
              && d.inputs().stream().anyMatch(changed::contains)) {
            changed.add(d.name());
            grew = true;
          }
        }
      }
      Set<String> frozen = java.util.Collections.unmodifiableSet(changed);
      for (CdpExtension e : extensions) {
        e.traitsChanged(workspace, frozen, progress);
      }
    }
  }

  /** Same as {@code workspace(WorkspaceId.DEFAULT).ingest(event)}. */
  public IngestResult ingest(Event event) {
    return defaultWorkspace.ingest(event);
  }

  /** Same as {@code workspace(WorkspaceId.DEFAULT).ingest(events)}. */
  public BatchResult ingest(List<Event> events) {
    return defaultWorkspace.ingest(events);
  }

  /** The pipeline, for the metrics binder of this package. */
  Pipeline pipeline() {
    return pipeline;
  }

  /** Same as {@code workspace(WorkspaceId.DEFAULT).ingestJson(body)}. */
  public BatchResult ingestJson(byte[] body) {
    return defaultWorkspace.ingestJson(body);
  }

  /** Profiles of the default workspace. */
  public Profiles profiles() {
    return defaultWorkspace.profiles();
  }

  /** The person's rights in the default workspace (see {@link Privacy}). */
  public Privacy privacy() {
    return defaultWorkspace.privacy();
  }

  /**
   * Closes the store if this instance created it; a store handed in is the host's to close.
   *
   * <p>With {@link Builder#gatherIngests gathering} on, groups still forming are written at
   * once, and this call waits (uninterruptibly) until every gathered ingest that had begun has
   * committed or failed and returned to its caller, so no event is left behind; only then is
   * the store closed. Ingests made after this call are no longer gathered: each is a
   * transaction of its own, as with gathering off. Idempotent.
   */
  @Override
  public void close() {
    if (gatherer != null) {
      gatherer.close();
    }
    for (CdpExtension e : extensions) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        LOG.warn("extension {} failed to close", e.getClass().getName(), ex);
      }
    }
    if (ownsStore) {
      store.close();
    }
  }

  /**
   * Configures a {@link Cdp}. Each setting may be made once; a second call fails at once and
   * says which setting clashes. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable Store store;
    private @Nullable Clock clock;
    private @Nullable IdentityRules rules;
    private @Nullable String defaultCurrency;
    private @Nullable Duration clockTolerance;
    private @Nullable ZoneId timeZone;
    private final Map<WorkspaceId, ZoneId> workspaceZones = new HashMap<>();
    private @Nullable EventLimits limits;
    private final Map<String, Integer> sourcePriorities = new HashMap<>();
    private final Set<String> orderEvents = new LinkedHashSet<>();
    private final Set<String> refundEvents = new LinkedHashSet<>();
    private @Nullable Duration gatherDelay;
    private int gatherBatch;
    private final List<ComputedTrait> aggregates = new ArrayList<>();
    private final List<DerivedTrait> derived = new ArrayList<>();
    private ProgressListener recomputeProgress = ProgressListener.none();
    private final List<CdpExtension> extensions = new ArrayList<>();
    private byte @Nullable [] privacyKey;
    private @Nullable TraitMapping traitMapping;
    private final Map<WorkspaceId, TraitMapping> workspaceMappings = new HashMap<>();

    private Builder() {}

    /** Shortest privacy key, in bytes: {@value #MIN_PRIVACY_KEY_BYTES}. */
    public static final int MIN_PRIVACY_KEY_BYTES = 16;

    /**
     * The secret key of the keyed hashes (HMAC-SHA256) that erasure tombstones and the audit
     * log use instead of identifiers (see {@link Privacy#erase}). Keep it outside the store and
     * give every node, and every restart, the same key: tombstones hashed under another key
     * no longer match. Without one, each workspace gets a random key at its first erasure,
     * kept in the store's metadata: it works the same, but whoever can read the store can
     * then test guessed identifiers against the tombstones.
     *
     * @param key at least {@value #MIN_PRIVACY_KEY_BYTES} bytes; copied
     * @throws IllegalArgumentException when the key is too short
     * @throws IllegalStateException when a key was already set
     */
    public Builder privacyKey(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (this.privacyKey != null) {
        throw new IllegalStateException("privacy key was already set");
      }
      if (key.length < MIN_PRIVACY_KEY_BYTES) {
        throw new IllegalArgumentException("privacy key must be at least "
            + MIN_PRIVACY_KEY_BYTES + " bytes, was " + key.length);
      }
      this.privacyKey = key.clone();
      return this;
    }

    /**
     * Declares a computed trait: kept for every profile from now on (and recomputed for existing
     * profiles the first time a workspace is opened, see {@link Cdp#workspace}). Its value is in
     * {@link io.cdpkit.core.model.Profile#computedTraits()}.
     *
     * @throws IllegalStateException when a computed trait of that name was already declared
     */
    public Builder computedTrait(ComputedTrait trait) {
      Objects.requireNonNull(trait, "trait");
      checkNewTrait(trait.name());
      aggregates.add(trait);
      return this;
    }

    /**
     * Declares a derived trait (see {@link DerivedTrait}); its inputs must be declared too, in
     * any order, by the time {@link #build()} is called.
     *
     * @throws IllegalStateException when a computed trait of that name was already declared
     */
    public Builder derivedTrait(DerivedTrait trait) {
      Objects.requireNonNull(trait, "trait");
      checkNewTrait(trait.name());
      derived.add(trait);
      return this;
    }

    /**
     * Where the recomputation that opening a workspace may run (a computed trait added or
     * changed since its profiles were built, see {@link Cdp#workspace}) reports its progress:
     * phase {@code recompute}, the profiles done so far, total unknown. It is called on the
     * thread that opens the workspace ({@link #build()} for the default one). Default: nobody.
     */
    public Builder recomputeProgress(ProgressListener progress) {
      this.recomputeProgress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Declares every trait of a set, such as {@link io.cdpkit.core.traits.RetailTraits}. */
    public Builder computedTraits(ComputedTraits traits) {
      traits.aggregates().forEach(this::computedTrait);
      traits.derived().forEach(this::derivedTrait);
      return this;
    }

    private void checkNewTrait(String name) {
      for (ComputedTrait t : aggregates) {
        if (t.name().equals(name)) {
          throw new IllegalStateException("computed trait " + name + " was already declared");
        }
      }
      for (DerivedTrait t : derived) {
        if (t.name().equals(name)) {
          throw new IllegalStateException("computed trait " + name + " was already declared");
        }
      }
    }

    /**
     * Plugs in an optional module (segmentation, activation). It is attached while
     * {@link #build()} runs and closed with the {@code Cdp}.
     *
     * The computed traits it offers ({@link CdpExtension#computedTraits()}) are declared here.
     *
     * @throws IllegalStateException when the same extension was already added, or one of its
     *     traits has the name of a computed trait already declared
     */
    public Builder extension(CdpExtension extension) {
      Objects.requireNonNull(extension, "extension");
      if (extensions.contains(extension)) {
        throw new IllegalStateException("extension " + extension + " was already added");
      }
      ComputedTraits offered = Objects.requireNonNull(extension.computedTraits(),
          "computedTraits() of " + extension);
      List<String> names = new ArrayList<>();
      offered.aggregates().forEach(t -> names.add(t.name()));
      offered.derived().forEach(t -> names.add(t.name()));
      for (String n : names) {
        checkNewTrait(n);
      }
      aggregates.addAll(offered.aggregates());
      derived.addAll(offered.derived());
      extensions.add(extension);
      return this;
    }

    /** The longest a gathered ingest waits for others: {@value #MAX_GATHER_DELAY_MS} ms. */
    public static final long MAX_GATHER_DELAY_MS = 1_000;

    /** The most events one gathered transaction holds: {@value #MAX_GATHER_BATCH}. */
    public static final int MAX_GATHER_BATCH = 10_000;

    /**
     * Lets concurrent {@link Workspace#ingest(Event) single ingests} of one workspace share
     * store transactions (group commit). Default: off, and each single ingest is a transaction
     * of its own.
     *
     * <p>How: the first caller to arrive while no group is forming leads one. It waits until
     * {@code maxBatch} events have joined or {@code maxDelay} has passed, then writes them all
     * in one transaction on its own thread, exactly as a {@link Workspace#ingest(List) batch}
     * is written (a savepoint per event). No thread is started; nothing runs after
     * {@link Cdp#close()}.
     *
     * <p>Latency against throughput: a call may take up to {@code maxDelay} longer, in return
     * for one commit per group instead of one per event. That pays on a store where a commit
     * costs more than an event (the JDBC store, above all with durable commits), with many
     * threads ingesting at once, as a web server's request threads do; a few milliseconds is
     * typical. With one thread ingesting there is nobody to gather with and every call waits
     * the full delay: leave it off then, or ingest lists. Batch and JSON ingests are not
     * gathered; they are one transaction already.
     *
     * <p>Guarantees, the same as without gathering: a call returns only after the transaction
     * holding its event has committed, never before; an invalid event is rejected to its own
     * caller before it joins a group; if a group's transaction fails, nothing of it is stored
     * and every event of it is written again in a transaction of its own, so an event that
     * fails the store fails only its own caller, with its own exception, and the others are
     * stored; the same messageId twice in a group is stored once, the second call gets
     * {@code DUPLICATE} with the first one's profile. The call is not interruptible (see
     * {@link Workspace#ingest(Event)}).
     *
     * @param maxDelay how long the first caller of a group waits for others; more than 0,
     *     at most {@value #MAX_GATHER_DELAY_MS} ms
     * @param maxBatch the most events in a group; 2 to {@value #MAX_GATHER_BATCH}
     * @throws IllegalArgumentException when a value is out of range
     * @throws IllegalStateException when gathering was already set
     */
    public Builder gatherIngests(Duration maxDelay, int maxBatch) {
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (this.gatherDelay != null) {
        throw new IllegalStateException("gatherIngests was already set to maxDelay "
            + this.gatherDelay + ", maxBatch " + this.gatherBatch);
      }
      if (maxDelay.isNegative() || maxDelay.isZero()
          || maxDelay.compareTo(Duration.ofMillis(MAX_GATHER_DELAY_MS)) > 0) {
        throw new IllegalArgumentException("maxDelay must be more than 0 and at most "
            + MAX_GATHER_DELAY_MS + " ms, was " + maxDelay);
      }
      if (maxBatch < 2 || maxBatch > MAX_GATHER_BATCH) {
        throw new IllegalArgumentException("maxBatch must be 2 to " + MAX_GATHER_BATCH
            + " (a group of 1 gathers nothing), was " + maxBatch);
      }
      this.gatherDelay = maxDelay;
      this.gatherBatch = maxBatch;
      return this;
    }

    /** Where data is kept; default: a new in-memory store. */
    public Builder store(Store store) {
      if (this.store != null) {
        throw new IllegalStateException("store was already set to " + this.store);
      }
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock for receivedAt and ledger times; default: the UTC system clock. */
    public Builder clock(Clock clock) {
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set to " + this.clock);
      }
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Identifier rules; default: {@link IdentityRules#defaults()}. */
    public Builder identityRules(IdentityRules rules) {
      if (this.rules != null) {
        throw new IllegalStateException("identity rules were already set");
      }
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Limits for JSON bodies; default {@link EventLimits#defaults()}. */
    public Builder eventLimits(EventLimits limits) {
      if (this.limits != null) {
        throw new IllegalStateException("event limits were already set to " + this.limits);
      }
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * How far beyond its receive time a client may date an event; default 5 minutes
     * ({@link PipelineConfig#DEFAULT_CLOCK_TOLERANCE}). The receive time is the pipeline's clock
     * when the event is ingested, or the {@code receivedAt} a Java caller set (itself bounded
     * by the clock plus this tolerance). An event whose time, corrected for the client's clock
     * skew, lies further ahead is kept at its receive time, with an
     * {@link IngestWarning.Kind#TIME_CORRECTED} warning in its result. Consent decisions get no
     * tolerance: an event carrying them is never dated after its receive time, so a grant
     * "from the future" cannot overtake a withdrawal received later. Erasure compares with the
     * earlier of event time and receive time, and an event whose time had to be corrected is
     * dropped when any of its identifiers was erased.
     *
     * @throws IllegalArgumentException when negative
     * @throws IllegalStateException when already set
     */
    public Builder clockTolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "tolerance");
      if (this.clockTolerance != null) {
        throw new IllegalStateException(
            "clock tolerance was already set to " + this.clockTolerance);
      }
      if (tolerance.isNegative()) {
        throw new IllegalArgumentException("clock tolerance must not be negative");
      }
      this.clockTolerance = tolerance;
      return this;
    }

    /**
     * The zone in which date-times that clients send without an offset are read
     * ({@code "2026-03-01T10:15:00"} in {@code timestamp}, {@code originalTimestamp},
     * {@code sentAt}, {@code receivedAt} and consent times of JSON bodies); default UTC. A time
     * that a daylight-saving change skips moves forward by the gap; a time it repeats takes the
     * earlier offset. Date-times with {@code Z} or an offset are unaffected.
     *
     * @throws IllegalStateException when already set
     */
    public Builder timeZone(ZoneId zone) {
      Objects.requireNonNull(zone, "zone");
      if (this.timeZone != null) {
        throw new IllegalStateException("time zone was already set to " + this.timeZone);
      }
      this.timeZone = zone;
      return this;
    }

    /**
     * As {@link #timeZone(ZoneId)}, for one workspace (a shop per country, say); workspaces
     * without their own zone use the default.
     *
     * @throws IllegalStateException when the workspace's zone was already set
     */
    public Builder timeZone(WorkspaceId workspace, ZoneId zone) {
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(zone, "zone");
      ZoneId was = workspaceZones.putIfAbsent(workspace, zone);
      if (was != null) {
        throw new IllegalStateException(
            "time zone of " + workspace + " was already set to " + was);
      }
      return this;
    }

    /**
     * Currency of orders that name none; default {@code EUR}.
     *
     * @throws IllegalArgumentException when not an ISO 4217 code
     */
    public Builder defaultCurrency(String currency) {
      if (this.defaultCurrency != null) {
        throw new IllegalStateException(
            "default currency was already set to " + this.defaultCurrency);
      }
      Currency.getInstance(Objects.requireNonNull(currency, "currency"));
      this.defaultCurrency = currency;
      return this;
    }

    /**
     * The priority of a source ({@code context.source}); it breaks ties between trait values
     * written at the same instant, higher wins. Unlisted sources have 0.
     *
     * @throws IllegalArgumentException when the source starts with {@code cdp.}, the namespace
     *     of CDPKit's own events (a rectification has the highest priority of all)
     */
    public Builder sourcePriority(String source, int priority) {
      Objects.requireNonNull(source, "source");
      if (io.cdpkit.core.internal.OwnEvents.reserved(source)) {
        throw new IllegalArgumentException("source must not start with "
            + io.cdpkit.core.internal.OwnEvents.RESERVED_PREFIX + ": it is reserved");
      }
      Integer old = sourcePriorities.putIfAbsent(source, priority);
      if (old != null) {
        throw new IllegalStateException(
            "priority of source " + source + " was already set to " + old);
      }
      return this;
    }

    /**
     * Which track properties and {@code context.traits} set profile traits, besides
     * {@code identify} traits (see {@link TraitMapping}: a mapped value is a trait register like
     * an identify trait, ordered by event time, then source priority, then messageId); default
     * none. It applies to every workspace without a mapping of its own
     * ({@link #traitMapping(WorkspaceId, TraitMapping)}).
     *
     * @throws IllegalStateException when a mapping was already set
     * @throws IllegalArgumentException from {@link #build()} when a property is mapped to a
     *     trait the identity rules read as an identifier
     */
    public Builder traitMapping(TraitMapping mapping) {
      Objects.requireNonNull(mapping, "mapping");
      if (this.traitMapping != null) {
        throw new IllegalStateException("trait mapping was already set to " + this.traitMapping);
      }
      this.traitMapping = mapping;
      return this;
    }

    /**
     * As {@link #traitMapping(TraitMapping)}, for one workspace (a shop per country, say): it
     * replaces the default mapping there, it is not added to it ({@link TraitMapping#NONE} maps
     * nothing in that workspace).
     *
     * @throws IllegalStateException when the workspace's mapping was already set
     * @throws IllegalArgumentException from {@link #build()} as for the default mapping
     */
    public Builder traitMapping(WorkspaceId workspace, TraitMapping mapping) {
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(mapping, "mapping");
      TraitMapping was = workspaceMappings.putIfAbsent(workspace, mapping);
      if (was != null) {
        throw new IllegalStateException(
            "trait mapping of " + workspace + " was already set to " + was);
      }
      return this;
    }

    /** A track event name that completes an order; default only {@code Order Completed}. */
    public Builder orderEvent(String name) {
      if (!orderEvents.add(Objects.requireNonNull(name, "name"))) {
        throw new IllegalStateException("order event " + name + " was already added");
      }
      return this;
    }

    /** A track event name that refunds an order; default only {@code Order Refunded}. */
    public Builder refundEvent(String name) {
      if (!refundEvents.add(Objects.requireNonNull(name, "name"))) {
        throw new IllegalStateException("refund event " + name + " was already added");
      }
      return this;
    }

    /**
     * The configured instance.
     *
     * @throws IllegalArgumentException when a derived trait reads a trait that is not declared,
     *     or derived traits read each other in a cycle, or the trait mapping maps a property to
     *     a trait the identity rules read as an identifier
     */
    public Cdp build() {
      List<TraitMapping> mappings = new ArrayList<>(workspaceMappings.values());
      if (traitMapping != null) {
        mappings.add(traitMapping);
      }
      IdentityRules r = rules != null ? rules : IdentityRules.defaults();
      for (TraitMapping m : mappings) {
        for (String t : m.propertyTraits()) {
          if (r.traitIdentifiers().containsKey(t)) {
            throw new IllegalArgumentException("trait mapping: trait " + t + " is read as an "
                + r.traitIdentifiers().get(t).id() + " identifier, and a mapped property would"
                + " set the trait without the identifier: send it as an identifier instead");
          }
        }
      }
      return new Cdp(this);
    }
  }
}
