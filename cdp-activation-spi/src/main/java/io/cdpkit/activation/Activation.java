package io.cdpkit.activation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.internal.ChannelRuntime;
import io.cdpkit.activation.internal.Engine;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consent-safe activation for a {@link io.cdpkit.core.Cdp}: rules turn segment entries and
 * exits, events and schedules into messages, and channels deliver them.
 *
 * <pre>{@code
 * Activation activation = Activation.builder()
 *     .discoverProviders()                              // smtp, webhook, ... from the classpath
 *     .channel("newsletter", "smtp", Map.of("host", "mail.example.com", "from", "shop@example.com"))
 *     .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("new-customers"))
 *         .channel("newsletter").purpose("marketing")
 *         .template(Template.parse("{\"subject\": \"Welcome\", \"text\": \"Hi {{trait.firstName|}}\"}"))
 *         .build())
 *     .cap(new FrequencyCap("newsletter", 3, Duration.ofDays(7)))
 *     .build();
 * try (Cdp cdp = Cdp.builder().extension(segmentation).extension(activation).build()) {
 *   activation.start();                                // or call dispatch() yourself
 *   cdp.ingest(...);
 * }
 * }</pre>
 *
 * <h2>What happens, in order</h2>
 * <ol>
 *   <li><b>Decision.</b> Inside the transaction of the change that fires a trigger (the event
 *       ingested, the segment entry made by an event or by time), the engine writes an outbox
 *       entry with an idempotency key per (rule, profile, trigger). The decision commits with
 *       the change or not at all; the same trigger never decides twice.
 *   <li><b>Claim.</b> A worker claims due entries ({@link OutboxClaims#claim}), with a lease;
 *       several nodes share the work without waiting for each other.
 *   <li><b>Gates</b>, in one transaction, against the profile as it is now (following merges):
 *       rechecks, the consent gate (purpose x the channel's consent channel; see
 *       {@link ConsentPolicy}) per recipient address (see
 *       {@link io.cdpkit.core.model.ProfileState#consentFor}: a message goes only to the
 *       addresses whose own consent allows it), the template's fields, suppressions,
 *       frequency caps. A message that fails one is not sent, and the history says why
 *       ({@link #suppressionReason}).
 *   <li><b>Hand-over</b>, on the channel's worker right before the channel is called: the
 *       consent, restriction, erasure and address checks again, against the store's current
 *       state and the clock's current instant, per recipient; a message that fails is not
 *       sent ({@link SuppressionReason}). What remains is the time from that check to the call
 *       ({@link #handoverWindow()}).
 *   <li><b>Send</b> on the channel's workers (its own threads, or the host's executor:
 *       {@link Builder#executor}), with its concurrency and timeout.
 *   <li><b>Outcome.</b> Delivered, or retried with backoff and jitter ({@link RetryPolicy}), or
 *       a dead letter after a permanent failure or the last attempt.
 * </ol>
 * Ingestion never calls a channel, so no channel can slow it down. Delivery is at least once:
 * a crash or a lost result between the send and its outcome sends again, with the same
 * idempotency key.
 *
 * <h2>Channels</h2>
 * A channel is registered by name, from a provider and a configuration. Besides the provider's
 * own keys, the configuration may hold {@code consent-channel} (the consent channel checked,
 * when the provider has no default or another is wanted), {@code concurrency} (calls at a time,
 * 1 to 64, default 1) and {@code timeout} (per call, ISO-8601 like {@code PT5S}, default 10 s).
 *
 * <p>Limits: rules are part of the host's code, given to the builder, not stored; every node
 * sharing a database must be built with the same rules and channels. A schedule fires once
 * for the latest tick it missed. Outbox entries and history lines stay in the store until a
 * retention job removes them.
 *
 * <h2>Storage</h2>
 * The outbox and the delivery history are records activation owns: the store keeps them
 * through activation's capabilities {@link OutboxStorage} (in transactions) and
 * {@link OutboxClaims} (claims by workers). {@code Store.inMemory()} has both when this module
 * is on the class path, and so has the JDBC store; attaching to a store without them throws
 * {@link UnsupportedCapabilityException}. Rules that read segment memberships (schedule
 * triggers, {@link Recheck#stillMember}) also need segmentation's storage capability:
 * cdp-segmentation on the class path (checked when attached) and a store that keeps
 * memberships.
 *
 * <p>Thread-safe. An instance serves one {@code Cdp}.
 */
public final class Activation implements CdpExtension, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Activation.class);
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,63}");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private final Map<String, ChannelProvider> providers;
  private final Map<String, Map<String, String>> channelConfigs;
  private final Map<String, String> channelProviders;
  private final Map<String, Rule> rules;
  private final ConsentPolicy consent;
  private final Map<String, List<FrequencyCap>> caps;
  private final RetryPolicy retry;
  private final Duration lease;
  private final int batch;
  private final Duration pollInterval;
  private final @Nullable RandomGenerator random;
  private final @Nullable Executor executor;
  private final Set<WorkspaceId> workspaces = ConcurrentHashMap.newKeySet();
  private volatile @Nullable Engine engine;
  private volatile @Nullable ExtensionContext context;
  private final Map<String, ChannelRuntime> runtimes = new LinkedHashMap<>();
  private @Nullable Thread worker;
  private volatile boolean running;

  private Activation(Builder b) {
    this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(b.providers));
    this.channelConfigs = new LinkedHashMap<>(b.channelConfigs);
    this.channelProviders = new LinkedHashMap<>(b.channelProviders);
    this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(b.rules));
    this.consent = b.consent;
    Map<String, List<FrequencyCap>> c = new LinkedHashMap<>();
    for (FrequencyCap cap : b.caps) {
      c.computeIfAbsent(cap.channel(), k -> new ArrayList<>()).add(cap);
    }
    this.caps = c;
    this.retry = b.retry;
    this.lease = b.lease;
    this.batch = b.batch;
    this.pollInterval = b.pollInterval;
    this.random = b.random;
    this.executor = b.executor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Creates the channels and starts deciding; called by the {@code Cdp} builder. */
  @Override
  public synchronized void attach(ExtensionContext ctx) {
    if (context != null) {
      throw new IllegalStateException("this Activation is already attached to a Cdp");
    }
    checkStorage(ctx.store());
    for (Rule r : rules.values()) {
      for (String p : r.template().paths()) {
        if (p.startsWith("computed.") && !ctx.computedTraits().contains(p.substring(9))) {
          throw new IllegalArgumentException("rule " + r.id() + ": template field '" + p
              + "' names no declared computed trait");
        }
      }
    }
    try {
      for (Map.Entry<String, String> e : channelProviders.entrySet()) {
        runtimes.put(e.getKey(), create(e.getKey(), providers.get(e.getValue()),
            channelConfigs.get(e.getKey()), ctx.clock(), executor));
      }
    } catch (RuntimeException ex) {
      runtimes.values().forEach(ChannelRuntime::close);
      runtimes.clear();
      throw ex;
    }
    for (ChannelRuntime r : runtimes.values()) {
      if (lease.compareTo(r.timeout().multipliedBy(2)) < 0) {
        runtimes.values().forEach(ChannelRuntime::close);
        runtimes.clear();
        throw new IllegalArgumentException("lease " + lease + " must be at least twice channel "
            + r.name() + "'s timeout " + r.timeout() + ", or a slow send could be claimed twice");
      }
    }
    Engine e = new Engine(ctx, rules, runtimes, consent, caps, retry, lease, batch, random);
    this.engine = e;
    this.context = ctx;
    ctx.observe(e::changed);
    ctx.observeSignals((ws, tx, signals) -> e.signalled(tx, signals));
    LOG.info("activation ready: {} channels {}, {} rules", runtimes.size(), runtimes.keySet(),
        rules.size());
  }

  /**
   * Checks that the store keeps what activation writes, before anything is decided: the outbox
   * and delivery history ({@link OutboxStorage}), claims ({@link OutboxClaims}), and segment
   * cdp-segmentation when a rule reads memberships.
   *
   * @throws UnsupportedCapabilityException naming the capability the store lacks
   * @throws IllegalStateException when a rule needs memberships and cdp-segmentation is not on
   *     the class path
   */
  private void checkStorage(Store store) {
    if (store.capability(OutboxClaims.class).isEmpty()) {
      throw new UnsupportedCapabilityException(OutboxClaims.class);
    }
    if (!store.read(WorkspaceId.DEFAULT,
        tx -> tx.capability(OutboxStorage.class).isPresent())) {
      throw new UnsupportedCapabilityException(OutboxStorage.class);
    }
    for (Rule r : rules.values()) {
      boolean members = r.trigger().kind() == Trigger.Kind.SCHEDULE
          || r.rechecks().stream().anyMatch(Recheck::isMembership);
      if (members) {
        Engine.checkMemberships(r.id());
      }
    }
  }

  private static ChannelRuntime create(String name, ChannelProvider p, Map<String, String> config,
      Clock clock, @Nullable Executor executor) {
    String consentChannel = config.getOrDefault("consent-channel", p.consentChannel());
    if (consentChannel == null || !ID.matcher(consentChannel.replace('_', '-')).matches()) {
      throw new IllegalArgumentException("channel " + name + ": config key 'consent-channel' is "
          + "required (provider " + p.id() + " has no default) and must be a channel name");
    }
    int concurrency = intConfig(name, config, "concurrency", 1, 1, 64);
    Duration timeout = Duration.ofSeconds(10);
    if (config.containsKey("timeout")) {
      try {
        timeout = Duration.parse(config.get("timeout"));
      } catch (DateTimeParseException ex) {
        throw new IllegalArgumentException("channel " + name
            + ": config key 'timeout' must be an ISO-8601 duration such as PT5S");
      }
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("channel " + name
            + ": config key 'timeout' must be above 0 and at most 10 minutes");
      }
    }
    Duration t = timeout;
    ChannelContext cc = new ChannelContext() {
      @Override
      public String channelName() {
        return name;
      }

      @Override
      public Map<String, String> config() {
        return config;
      }

      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Duration timeout() {
        return t;
      }

      @Override
      public String loggerName() {
        return "io.cdpkit.activation.channel." + name;
      }
    };
    Channel ch = p.create(cc);
    if (ch == null) {
      throw new IllegalStateException("provider " + p.id() + " created no channel for " + name);
    }
    LOG.info("channel {} bound to provider {} (consent channel {}, concurrency {}, timeout {})",
        name, p.id(), consentChannel, concurrency, timeout);
    return new ChannelRuntime(name, p.id(), consentChannel, ch, concurrency, timeout, executor);
  }

  private static int intConfig(String name, Map<String, String> config, String key, int dflt,
      int min, int max) {
    String v = config.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("channel " + name + ": config key '" + key
        + "' must be a whole number from " + min + " to " + max);
  }

  @Override
  public void workspaceOpened(WorkspaceId workspace) {
    workspaces.add(workspace);
  }

  private Engine engine() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException(
          "add this Activation to a Cdp with Cdp.builder().extension(...) first");
    }
    return e;
  }

  private ExtensionContext context() {
    engine();
    return Objects.requireNonNull(context);
  }

  /** The registered rules, by id. */
  public Map<String, Rule> rules() {
    return rules;
  }

  /** The providers known, by id (registered and discovered). */
  public Map<String, ChannelProvider> providers() {
    return providers;
  }

  /**
   * Claims and handles one batch of due outbox entries of every workspace opened, on the
   * calling thread (channel calls run on their workers; this waits for them).
   *
   * @return the number of entries handled
   */
  public int dispatch() {
    int n = 0;
    for (WorkspaceId ws : workspaces) {
      n += dispatch(ws);
    }
    return n;
  }

  /** As {@link #dispatch()}, for one workspace. */
  public int dispatch(WorkspaceId workspace) {
    return engine().dispatch(Objects.requireNonNull(workspace, "workspace"));
  }

  /**
   * Fires the schedule triggers whose tick has come, by the {@code Cdp}'s clock, in every
   * workspace opened.
   *
   * @return the number of outbox entries added
   */
  public long runSchedules() {
    long n = 0;
    for (WorkspaceId ws : workspaces) {
      n += engine().runSchedules(ws);
    }
    return n;
  }

  /**
   * Runs schedules, then dispatches until nothing is due: for tests, examples and hosts that
   * drive activation from their own scheduler.
   *
   * @return the number of entries handled
   */
  public long drain() {
    runSchedules();
    long n = 0;
    int k;
    while ((k = dispatch()) > 0) {
      n += k;
    }
    return n;
  }

  /**
   * Runs schedules and dispatches on the host's scheduler, as
   * {@code Segments.runDueOn} does for segment checks: one run now, then again at once while
   * entries were due, else after the poll interval. A run that throws is logged and the next
   * one is scheduled as usual. CDPKit starts no thread of its own here; the scheduler is the
   * host's to shut down. Channel calls run on the executor given to
   * {@link Builder#executor(Executor)} (else on the channels' own threads): do not give the
   * same single-threaded executor to both, or every send waits for the dispatch that waits
   * for it, until the channel's timeout.
   *
   * @return a handle whose {@code close()} stops further runs (a run in progress finishes)
   */
  public AutoCloseable startOn(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    engine();
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable[] task = new Runnable[1];
    task[0] = () -> {
      if (stopped.get()) {
        return;
      }
      long n = runOnce();
      if (!stopped.get()) {
        if (n > 0) {
          scheduler.execute(task[0]);
        } else {
          scheduler.schedule(task[0], pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    };
    scheduler.execute(task[0]);
    return () -> stopped.set(true);
  }

  /**
   * The time between the start of the check at hand-over (consent, restriction, erasure,
   * address and lease, read from the store right before a message is handed to its channel)
   * and the channel call, over every message handed over since this activation was attached:
   * the window in which a change is not seen by the send. For monitoring. Measured in the
   * red-team suite: a mean of about 0.1 ms on the in-memory store and 1 to 4 ms on H2 file,
   * PostgreSQL and MariaDB, single outliers up to about 160 ms on a loaded machine.
   */
  public HandoverWindow handoverWindow() {
    long[] w = engine().handoverWindow();
    return new HandoverWindow(w[0], Duration.ofNanos(w[1]),
        w[0] == 0 ? Duration.ZERO : Duration.ofNanos(w[2] / w[0]));
  }

  /**
   * Messages handed over and how long the window between the check at hand-over and the
   * channel call was.
   *
   * <p>Immutable.
   *
   * @param messages messages handed to a channel after the check
   * @param longest the longest window
   * @param mean the mean window
   */
  public record HandoverWindow(long messages, Duration longest, Duration mean) {}

  /**
   * The typed reason of a line of {@link #deliveries}: empty unless the message was
   * suppressed.
   */
  public static Optional<SuppressionReason> suppressionReason(Delivery delivery) {
    return SuppressionReason.of(Objects.requireNonNull(delivery, "delivery"));
  }

  /**
   * Starts a daemon thread of CDPKit's own that runs schedules and dispatches, pausing for the
   * poll interval whenever nothing was due. Failures are logged and retried after the
   * interval. The default when the host gives no scheduler; see
   * {@link #startOn(ScheduledExecutorService)}.
   *
   * @throws IllegalStateException when already started
   */
  public synchronized void start() {
    engine();
    if (worker != null) {
      throw new IllegalStateException("already started");
    }
    running = true;
    Thread t = new Thread(this::loop, "cdpkit-activation");
    t.setDaemon(true);
    worker = t;
    t.start();
  }

  /**
   * One run of the background loop ({@link #start()}, {@link #startOn}): schedules, then one
   * dispatch; a failure is logged, and the run counts as having found nothing due.
   *
   * @return the number of entries the dispatch claimed
   */
  private long runOnce() {
    try {
      runSchedules();
      return dispatch();
    } catch (RuntimeException e) {
      LOG.warn("activation dispatch failed; retrying in {}", pollInterval, e);
      return 0;
    }
  }

  private void loop() {
    while (running) {
      long n = runOnce();
      if (n == 0) {
        try {
          Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * A profile's delivery history, with that of the profiles merged into it, oldest first: what
   * was sent or not, when, why, by which rule, relying on which consent
   * ({@link Delivery#detail()}).
   */
  public List<Delivery> deliveries(WorkspaceId workspace, ProfileId profile) {
    return context().store().read(workspace, tx -> Engine.history(tx, profile));
  }

  /** As {@link #deliveries(WorkspaceId, ProfileId)} in the default workspace. */
  public List<Delivery> deliveries(ProfileId profile) {
    return deliveries(WorkspaceId.DEFAULT, profile);
  }

  /**
   * The delivery history of {@link #deliveries(WorkspaceId, ProfileId)} as a JSON array, for a
   * person's data export: each line with its fields and its detail as an object.
   */
  public String deliveriesJson(WorkspaceId workspace, ProfileId profile) {
    ObjectMapper json = new ObjectMapper();
    ArrayNode out = json.createArrayNode();
    for (Delivery d : deliveries(workspace, profile)) {
      ObjectNode o = out.addObject();
      o.put("at", d.at().toString());
      o.put("profile", d.profile().value());
      o.put("rule", d.rule());
      o.put("channel", d.channel());
      o.put("key", d.key());
      o.put("attempt", d.attempt());
      o.put("outcome", d.outcome());
      o.put("reason", d.reason());
      try {
        o.set("detail", json.readTree(d.detail()));
      } catch (JsonProcessingException e) {
        o.put("detail", d.detail());
      }
    }
    return out.toString();
  }

  /** The hand-overs counted so far, for {@link ActivationMetrics}. */
  io.cdpkit.core.internal.Tally deliveries() {
    return engine().deliveries();
  }

  /** The workspaces opened so far. */
  Set<WorkspaceId> workspaces() {
    return Set.copyOf(workspaces);
  }

  /**
   * How a workspace's outbox is doing: the pending entries (waiting to be sent, or to be sent
   * again after a failure) and the time since the oldest of them was decided. Reads every
   * pending entry, a page at a time, in one read transaction: meant for a gauge that caches it
   * (see {@link ActivationMetrics}), not for every event.
   */
  public OutboxHealth outboxHealth(WorkspaceId workspace) {
    Objects.requireNonNull(workspace, "workspace");
    ExtensionContext c = context();
    Instant now = c.clock().instant();
    return c.store().read(workspace, tx -> {
      OutboxStorage ob = tx.require(OutboxStorage.class);
      long pending = 0;
      Instant oldest = null;
      String after = null;
      while (true) {
        List<OutboxEntry> page = ob.outbox(OutboxEntry.Status.PENDING, after, 1000);
        for (OutboxEntry e : page) {
          pending++;
          if (oldest == null || e.decidedAt().isBefore(oldest)) {
            oldest = e.decidedAt();
          }
        }
        if (page.size() < 1000) {
          break;
        }
        after = page.get(page.size() - 1).key();
      }
      Duration age = oldest == null || oldest.isAfter(now) ? Duration.ZERO
          : Duration.between(oldest, now);
      return new OutboxHealth(pending, age);
    });
  }

  /**
   * A workspace's outbox at one instant. Immutable.
   *
   * @param pending entries waiting to be sent (or sent again)
   * @param oldestAge time since the oldest pending entry was decided; zero when none is pending
   */
  public record OutboxHealth(long pending, Duration oldestAge) {
    public OutboxHealth {
      if (pending < 0) {
        throw new IllegalArgumentException("pending must not be negative: " + pending);
      }
      Objects.requireNonNull(oldestAge, "oldestAge");
    }
  }

  /** An outbox entry by its idempotency key. */
  public Optional<OutboxEntry> outbox(WorkspaceId workspace, String key) {
    return context().store().read(workspace, tx -> tx.require(OutboxStorage.class).outbox(key));
  }

  /** Dead letters whose key sorts after {@code afterKey}, at most {@code limit}. */
  public List<OutboxEntry> deadLetters(WorkspaceId workspace, @Nullable String afterKey,
      int limit) {
    return context().store().read(workspace,
        tx -> tx.require(OutboxStorage.class).outbox(OutboxEntry.Status.DEAD, afterKey, limit));
  }

  /**
   * Sends a dead letter again: it becomes pending, due now, with its attempts reset.
   *
   * @return {@code false} when there is no dead letter with this key
   */
  public boolean requeue(WorkspaceId workspace, String key) {
    ExtensionContext c = context();
    return c.store().write(workspace, tx -> {
      OutboxStorage outbox = tx.require(OutboxStorage.class);
      Optional<OutboxEntry> e = outbox.outbox(key);
      if (e.isEmpty() || e.get().status() != OutboxEntry.Status.DEAD) {
        return false;
      }
      outbox.updateOutbox(e.get().next(OutboxEntry.Status.PENDING, 0, c.clock().instant(), null));
      return true;
    });
  }

  /** Stops the worker thread and closes the channels. */
  @Override
  public synchronized void close() {
    running = false;
    Thread t = worker;
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      worker = null;
    }
    runtimes.values().forEach(ChannelRuntime::close);
  }

  /** Configures an {@link Activation}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, ChannelProvider> providers = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> channelConfigs = new LinkedHashMap<>();
    private final Map<String, String> channelProviders = new LinkedHashMap<>();
    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final List<FrequencyCap> caps = new ArrayList<>();
    private ConsentPolicy consent = ConsentPolicy.STRICT;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private Duration lease = Duration.ofMinutes(5);
    private int batch = 100;
    private Duration pollInterval = Duration.ofSeconds(1);
    private @Nullable RandomGenerator random;
    private @Nullable Executor executor;

    private Builder() {}

    /**
     * The host's executor for channel calls (and the check at hand-over that precedes each):
     * each channel still runs at most its {@code concurrency} calls at a time on it, and a call
     * that runs out of time is interrupted. Unless set, each channel gets daemon threads of its
     * own ({@code concurrency} of them), stopped by {@link Activation#close()}; a host's
     * executor is the host's to shut down.
     *
     * @throws IllegalStateException when already set
     */
    public Builder executor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      if (this.executor != null) {
        throw new IllegalStateException("executor was already set");
      }
      this.executor = executor;
      return this;
    }

    /**
     * Registers a provider explicitly.
     *
     * @throws IllegalArgumentException when its id is invalid or its SPI major is not this one's
     * @throws IllegalStateException when another provider has the id
     */
    public Builder provider(ChannelProvider provider) {
      Objects.requireNonNull(provider, "provider");
      check(provider);
      ChannelProvider old = providers.get(provider.id());
      if (old != null) {
        throw new IllegalStateException("two channel providers have the id '" + provider.id()
            + "': " + old.getClass().getName() + " and " + provider.getClass().getName());
      }
      providers.put(provider.id(), provider);
      return this;
    }

    private static void check(ChannelProvider p) {
      String id = p.id();
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("channel provider " + p.getClass().getName()
            + ": id '" + id + "' must be 1 to 64 of a-z 0-9 -, starting with a letter");
      }
      if (p.spiMajorVersion() != ChannelProvider.SPI_MAJOR_VERSION) {
        throw new IllegalArgumentException("channel provider " + id + " ("
            + p.getClass().getName() + ") was built for SPI major " + p.spiMajorVersion()
            + ", this engine speaks " + ChannelProvider.SPI_MAJOR_VERSION + ": rebuild it");
      }
    }

    /** Discovers providers with the thread's context class loader; see below. */
    public Builder discoverProviders() {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      return discoverProviders(cl == null ? Activation.class.getClassLoader() : cl);
    }

    /**
     * Discovers the providers declared in {@code META-INF/services} with
     * {@link ServiceLoader}. A provider that cannot be loaded or instantiated is logged and
     * skipped; one whose class was already registered explicitly is skipped. Each provider
     * bound is logged.
     *
     * @throws IllegalStateException when two different providers have one id
     * @throws IllegalArgumentException when a provider reports another SPI major or a bad id
     */
    public Builder discoverProviders(ClassLoader loader) {
      Iterator<ChannelProvider> it = ServiceLoader.load(ChannelProvider.class, loader).iterator();
      while (true) {
        ChannelProvider p;
        try {
          if (!it.hasNext()) {
            break;
          }
          p = it.next();
        } catch (ServiceConfigurationError e) {
          LOG.warn("skipped a channel provider that could not be loaded: {}", e.getMessage());
          continue;
        }
        ChannelProvider old = providers.get(p.id());
        if (old != null && old.getClass().equals(p.getClass())) {
          continue;
        }
        provider(p);
        LOG.info("discovered channel provider {} ({})", p.id(), p.getClass().getName());
      }
      return this;
    }

    /**
     * Registers a channel: a name rules use, the provider id, and its configuration (see the
     * class description for the engine's own keys). The channel is created when the
     * {@code Cdp} is built.
     *
     * @throws IllegalArgumentException when the name is invalid or taken, or no provider has
     *     the id (register or discover providers first)
     */
    public Builder channel(String name, String provider, Map<String, String> config) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(config, "config");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("channel name '" + name
            + "' must be 1 to 64 of a-z 0-9 _ -");
      }
      if (channelProviders.containsKey(name)) {
        throw new IllegalArgumentException("channel name '" + name + "' is taken");
      }
      if (!providers.containsKey(provider)) {
        throw new IllegalArgumentException("channel " + name + ": no provider '" + provider
            + "' (known: " + providers.keySet() + ")");
      }
      channelProviders.put(name, provider);
      channelConfigs.put(name, Collections.unmodifiableMap(new TreeMap<>(config)));
      return this;
    }

    /** Registers a provider and a channel of it in one call. */
    public Builder channel(String name, ChannelProvider provider, Map<String, String> config) {
      ChannelProvider old = providers.get(provider.id());
      if (old != provider) {
        provider(provider);
      }
      return channel(name, provider.id(), config);
    }

    /**
     * Adds a rule.
     *
     * @throws IllegalArgumentException when its id is taken or its channel is not registered
     */
    public Builder rule(Rule rule) {
      Objects.requireNonNull(rule, "rule");
      if (rules.containsKey(rule.id())) {
        throw new IllegalArgumentException("rule id '" + rule.id() + "' is taken");
      }
      if (!channelProviders.containsKey(rule.channel())) {
        throw new IllegalArgumentException("rule " + rule.id() + ": channel '" + rule.channel()
            + "' is not registered (register channels before rules)");
      }
      rules.put(rule.id(), rule);
      return this;
    }

    /** Adds a frequency cap. */
    public Builder cap(FrequencyCap cap) {
      caps.add(Objects.requireNonNull(cap, "cap"));
      return this;
    }

    /** The consent policy; {@link ConsentPolicy#STRICT} unless set. */
    public Builder consentPolicy(ConsentPolicy policy) {
      this.consent = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The retry policy; {@link RetryPolicy#DEFAULT} unless set. */
    public Builder retry(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * How long a worker's claim on an outbox entry lasts (5 minutes unless set): after it, an
     * entry whose worker died is claimed again. Must be at least twice the longest channel
     * timeout (checked when attached).
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("lease: must be at least 1 second");
      }
      this.lease = lease;
      return this;
    }

    /** Entries claimed per dispatch, 1 to 10,000 (100 unless set). */
    public Builder batchSize(int size) {
      if (size < 1 || size > 10_000) {
        throw new IllegalArgumentException("batchSize: must be 1 to 10000");
      }
      this.batch = size;
      return this;
    }

    /** How long the worker started by {@link #start()} pauses when nothing is due. */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval: must be positive");
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * The randomness of retry jitter (for reproducible tests), used under its own lock; a
     * thread-local generator unless set.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The activation; attach it with {@code Cdp.builder().extension(...)}.
     *
     * @throws IllegalArgumentException when a cap names an unregistered channel, or a channel's
     *     lease is not longer than its timeout
     */
    public Activation build() {
      for (FrequencyCap c : caps) {
        if (!channelProviders.containsKey(c.channel())) {
          throw new IllegalArgumentException("cap: channel '" + c.channel()
              + "' is not registered");
        }
      }
      return new Activation(this);
    }
  }
}
