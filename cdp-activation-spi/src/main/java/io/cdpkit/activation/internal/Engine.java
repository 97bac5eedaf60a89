package io.cdpkit.activation.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.ConsentPolicy;
import io.cdpkit.activation.FrequencyCap;
import io.cdpkit.activation.Recheck;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Suppression;
import io.cdpkit.activation.SuppressionReason;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.internal.Tally;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ProfileChanges;
import io.cdpkit.core.spi.extension.Signal;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.PropertyPath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides activations inside the transactions of profile changes, and sends what the outbox
 * holds: the gates, the channel calls, the outcomes.
 *
 * <p>Thread-safe.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEDULE_KEY = "activation.schedule.";
  private static final int PAGE = 500;

  /** Outcomes written to the delivery history. */
  public static final String DELIVERED = "delivered";
  public static final String SENDING = "sending";
  public static final String FAILED = "failed";
  public static final String DEAD = "dead";
  public static final String SUPPRESSED = "suppressed";

  private final ExtensionContext ctx;
  private final OutboxClaims claims;
  private final Map<String, Rule> rules;
  private final Map<String, ChannelRuntime> channels;
  private final ConsentPolicy consent;
  private final Map<String, List<FrequencyCap>> caps;
  private final RetryPolicy retry;
  private final Duration lease;
  private final int batch;
  /** The host's generator, used under its own lock; {@code null}: a thread-local one. */
  private final @Nullable RandomGenerator random;
  private final LongAdder handedOver = new LongAdder();
  /**
   * Hand-overs decided, by workspace, channel and outcome (delivered, failed, dead, suppressed),
   * counted once the transaction recording them committed; read by ActivationMetrics.
   */
  private final Tally deliveries = new Tally("workspace", "channel", "outcome");
  private final LongAdder windowTotal = new LongAdder();
  private final AtomicLong windowMax = new AtomicLong();
  /**
   * The rules' event filters (triggers, rechecks, suppressions) with
   * {@link EventFilter#ORDERS} replaced by the {@code Cdp}'s order events; filled in the
   * constructor, read only after.
   */
  private final Map<EventFilter, EventFilter> resolved = new IdentityHashMap<>();

  public Engine(ExtensionContext ctx, Map<String, Rule> rules, Map<String, ChannelRuntime> channels,
      ConsentPolicy consent, Map<String, List<FrequencyCap>> caps, RetryPolicy retry,
      Duration lease, int batch, @Nullable RandomGenerator random) {
    this.ctx = ctx;
    this.claims = ctx.store().capability(OutboxClaims.class)
        .orElseThrow(() -> new UnsupportedCapabilityException(OutboxClaims.class));
    this.rules = Map.copyOf(rules);
    this.channels = Map.copyOf(channels);
    this.consent = consent;
    this.caps = Map.copyOf(caps);
    this.retry = retry;
    this.lease = lease;
    this.batch = batch;
    this.random = random;
    Set<String> orderEvents = Set.copyOf(ctx.orderEvents());
    for (Rule r : this.rules.values()) {
      List<EventFilter> fs = new ArrayList<>();
      if (r.trigger().filter() != null) {
        fs.add(r.trigger().filter());
      }
      r.rechecks().forEach(c -> fs.add(c.filter()));
      r.suppressions().forEach(x -> fs.add(x.filter()));
      for (EventFilter f : fs) {
        if (f.namesOrderEvents()) {
          resolved.put(f, f.withOrderEvents(orderEvents));
        }
      }
    }
  }

  /** A rule's filter as the engine tests it: {@link EventFilter#ORDERS} resolved. */
  private EventFilter resolve(EventFilter f) {
    EventFilter r = resolved.get(f);
    return r == null ? f : r;
  }

  /**
   * The workspace's catalog, reached only when a {@code $catalog} path or a catalog
   * suppression asks for a product.
   */
  private ProductLookup catalog(WorkspaceId ws) {
    return sku -> ctx.catalog(ws).get(sku);
  }

  /**
   * Checks, when activation is attached, that a rule reading segment memberships (a schedule
   * trigger, a {@link Recheck#stillMember}) can: cdp-segmentation, an optional dependency, must
   * be on the class path. Whether the store keeps memberships is known when they are first read
   * ({@link io.cdpkit.core.spi.storage.UnsupportedCapabilityException} then).
   *
   * @throws IllegalStateException when cdp-segmentation is not on the class path
   */
  public static void checkMemberships(String rule) {
    if (!SegmentReads.onClassPath()) {
      throw new IllegalStateException("rule " + rule + " reads segment memberships (a schedule"
          + " trigger or a stillMember recheck): add cdp-segmentation to the class path");
    }
  }

  // ------------------------------------------------------------------ deciding

  /** Inside an ingest transaction: event triggers. */
  public void changed(ProfileChanges pc) {
    if (!pc.cause().equals("event") || pc.messageId() == null) {
      return;
    }
    WriteTransaction tx = pc.transaction();
    ProductLookup catalog = catalog(pc.workspace());
    StoredEvent se = null;
    for (Rule r : rules.values()) {
      if (r.trigger().kind() != Trigger.Kind.EVENT) {
        continue;
      }
      if (se == null) {
        se = tx.event(pc.messageId()).orElse(null);
        if (se == null || se.anchor() == null) {
          return;
        }
      }
      Event e = se.event();
      if (!resolve(r.trigger().filter()).test(e, catalog)
          || e.eventTime().isBefore(pc.now().minus(r.maxEventAge()))) {
        continue;
      }
      Optional<IdentityNode> node = tx.node(se.anchor());
      if (node.isEmpty()) {
        return;
      }
      ObjectNode t = JSON.createObjectNode();
      t.put("kind", "event");
      t.put("messageId", e.messageId());
      t.put("since", e.eventTime().toString());
      // The event is stored for the first time in this transaction (a duplicate fires nothing),
      // so its key is new: no need to ask the store.
      add(tx, r, node.get().profile(), pc.now(), "event|" + e.messageId(), t);
    }
  }

  /** Inside the transaction of a segment change: segment triggers. */
  public void signalled(WriteTransaction tx, List<Signal> signals) {
    for (Signal s : signals) {
      Trigger.Kind kind = s.kind().equals(Signal.SEGMENT_ENTERED) ? Trigger.Kind.SEGMENT_ENTERED
          : s.kind().equals(Signal.SEGMENT_EXITED) ? Trigger.Kind.SEGMENT_EXITED : null;
      if (kind == null || kind == Trigger.Kind.SEGMENT_EXITED
          && (s.cause().startsWith("merge:") || s.cause().equals("erase"))) {
        // A profile merged into another left its segments, but the person did not; an erased
        // person is sent nothing.
        continue;
      }
      for (Rule r : rules.values()) {
        if (r.trigger().kind() == kind && s.subject().equals(r.trigger().segment())) {
          ObjectNode t = JSON.createObjectNode();
          t.put("kind", s.kind());
          t.put("segment", s.subject());
          t.put("cause", s.cause());
          t.put("since", s.at().toString());
          decide(tx, r, s.profile(), s.at(),
              s.kind() + "|" + s.subject() + "|" + s.cause() + "|" + s.at(), t);
        }
      }
    }
  }

  /** Writes the decision to the outbox; {@code false} when this trigger was decided before. */
  private boolean decide(WriteTransaction tx, Rule r, ProfileId profile, Instant now,
      String triggerId, ObjectNode trigger) {
    return outbox(tx).insertOutbox(entry(r, profile, now, triggerId, trigger));
  }

  /** Writes a decision whose trigger is known to be new to the outbox, unchecked. */
  private void add(WriteTransaction tx, Rule r, ProfileId profile, Instant now,
      String triggerId, ObjectNode trigger) {
    outbox(tx).addOutbox(entry(r, profile, now, triggerId, trigger));
  }

  /** The transaction's outbox; activation is attached only to stores that have one. */
  private static OutboxStorage outbox(ReadTransaction tx) {
    return tx.require(OutboxStorage.class);
  }

  private static OutboxEntry entry(Rule r, ProfileId profile, Instant now, String triggerId,
      ObjectNode trigger) {
    return OutboxEntry.pending(key(r.id(), profile, triggerId), r.id(), profile, r.channel(),
        now, now.plus(r.delay()), trigger.toString());
  }

  /** The idempotency key: the rule, then a digest of the profile and what triggered it. */
  static String key(String rule, ProfileId profile, String triggerId) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((profile.value() + "\n" + triggerId).getBytes(StandardCharsets.UTF_8));
      return rule + ":" + HexFormat.of().formatHex(h, 0, 20);
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * Schedule triggers: for every schedule rule whose next tick has come, an outbox entry per
   * member of its segment. Missed ticks fire once, for the latest.
   *
   * @return the number of entries added
   */
  public long runSchedules(WorkspaceId ws) {
    long added = 0;
    Instant now = ctx.clock().instant();
    for (Rule r : rules.values()) {
      if (r.trigger().kind() != Trigger.Kind.SCHEDULE) {
        continue;
      }
      String mk = SCHEDULE_KEY + r.id();
      Optional<Long> last = ctx.store().read(ws, tx ->
          Optional.ofNullable(tx.require(MetadataStorage.class).metadata(mk).get(mk))
              .map(Long::parseLong));
      long latest = r.trigger().lastTick(now).toEpochMilli();
      if (last.isEmpty()) {
        // Starts with the next tick: a rule added now does not fire for ticks before it.
        ctx.store().write(ws, tx -> {
          tx.require(MetadataStorage.class).putMetadata(mk, Long.toString(latest));
          return null;
        });
        continue;
      }
      if (latest <= last.get()) {
        continue;
      }
      Instant tick = Instant.ofEpochMilli(latest);
      ProfileId after = null;
      while (true) {
        ProfileId from = after;
        long[] inserted = new long[1];
        List<ProfileId> page = ctx.store().write(ws, tx -> {
          inserted[0] = 0;
          List<ProfileId> p = SegmentReads.members(tx, r.trigger().segment(), from, PAGE);
          for (ProfileId member : p) {
            ObjectNode t = JSON.createObjectNode();
            t.put("kind", "schedule");
            t.put("segment", r.trigger().segment());
            t.put("since", tick.toString());
            if (decide(tx, r, member, tick, "schedule|" + latest, t)) {
              inserted[0]++;
            }
          }
          if (p.size() < PAGE) {
            tx.require(MetadataStorage.class).putMetadata(mk, Long.toString(latest));
          }
          return p;
        });
        added += inserted[0];
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1);
      }
    }
    return added;
  }

  // ------------------------------------------------------------------ sending

  /** A message that passed the gates, on its way to a channel. */
  private record Send(OutboxEntry entry, Rule rule, ChannelRuntime channel, Message message,
      String detail) {}

  /**
   * What happened on the channel's worker: the plugin's result, or the reason the check at
   * hand-over stopped the message ({@code gone}: the entry was deleted, its person erased).
   */
  private record Attempt(@Nullable DeliveryResult result, @Nullable SuppressionReason stopped,
      boolean gone, @Nullable String detail) {
    static Attempt sent(DeliveryResult r, @Nullable String detail) {
      return new Attempt(r, null, false, detail);
    }

    static Attempt failed(DeliveryResult r) {
      return new Attempt(r, null, false, null);
    }
  }

  /**
   * Claims a batch of due entries and handles each: gates, then, on the channel's worker, the
   * check at hand-over and the channel call, then the outcome.
   *
   * @return the number of entries claimed
   */
  public int dispatch(WorkspaceId ws) {
    Instant now = ctx.clock().instant();
    String token = UUID.randomUUID().toString();
    List<OutboxEntry> claimed =
        claims.claim(ws, now, token, now.plus(lease), batch);
    if (claimed.isEmpty()) {
      return 0;
    }
    List<Send> sends = ctx.store().write(ws, tx -> gate(ws, tx, claimed, token, now));
    List<Future<Attempt>> futures = new ArrayList<>(sends.size());
    for (Send s : sends) {
      futures.add(s.channel().run(() -> handOver(ws, s, token)));
    }
    List<Attempt> results = new ArrayList<>(sends.size());
    // However slow the channels, the batch ends within half the lease, so no other worker
    // claims an entry while its send may still be waited for.
    long batchDeadline = System.nanoTime() + lease.toNanos() / 2;
    for (int i = 0; i < sends.size(); i++) {
      Send s = sends.get(i);
      long deadline = Math.min(batchDeadline, System.nanoTime() + s.channel().timeout().toNanos());
      results.add(s.channel().await(futures.get(i), deadline, Attempt::failed));
    }
    if (!sends.isEmpty()) {
      List<String> keys = new ArrayList<>(sends.size());
      for (Send s : sends) {
        keys.add(s.entry().key());
      }
      String[] outcomes = ctx.store().write(ws, tx -> {
        Instant at = ctx.clock().instant();
        Map<String, OutboxEntry> current = outbox(tx).outbox(keys);
        String[] out = new String[sends.size()];
        for (int i = 0; i < sends.size(); i++) {
          Send s = sends.get(i);
          out[i] = outcome(tx, s, Optional.ofNullable(current.get(s.entry().key())),
              results.get(i), token, at);
        }
        return out;
      });
      for (int i = 0; i < sends.size(); i++) {
        if (outcomes[i] != null) {
          deliveries.increment(ws.value(), sends.get(i).entry().channel(), outcomes[i]);
        }
      }
    }
    return claimed.size();
  }

  // ------------------------------------------------------------------ hand-over

  /** The outcome of the check at hand-over. */
  private record Verdict(@Nullable Message message, @Nullable SuppressionReason stopped,
      boolean gone, @Nullable String detail) {}

  /**
   * On the channel's worker, right before the plugin is called: the check at hand-over, then
   * the call. The check reads the store's current state in a transaction of its own and judges
   * at the clock's current instant:
   * <ul>
   *   <li>the outbox entry still exists (its person was not erased: else nothing is sent and
   *       nothing recorded) and is still this worker's ({@link SuppressionReason.LeaseLost});
   *   <li>the profile (followed through merges) still exists
   *       ({@link SuppressionReason.ProfileGone}) and is not restricted
   *       ({@link SuppressionReason.Restricted});
   *   <li>each recipient still belongs to it (else it is dropped; none left:
   *       {@link SuppressionReason.AddressGone}) and the consent that governs it still allows
   *       the message, expiry and the policy's maximum age judged now (else it is dropped;
   *       none left: the consent reason).
   * </ul>
   * What remains between the check and the plugin call is the time from the start of the
   * check's reads to the call, measured per message ({@link #handoverWindow()}). Measured by
   * {@code ConsentAtHandoverRedTeamTest} on a 2-core machine shared with other builds, 100
   * messages on a warm engine: mean 0.04 to 0.09 ms in memory, 0.9 to 4 ms on H2 file,
   * PostgreSQL and MariaDB (the check's own reads); single outliers up to about 160 ms under
   * load (garbage collection, a descheduled thread). It does not grow with the batch or with
   * a slow channel. A change committed within that window, or while the plugin runs, is not
   * seen by this send.
   */
  private Attempt handOver(WorkspaceId ws, Send s, String token) {
    long start = System.nanoTime();
    Verdict v;
    try {
      v = ctx.store().read(ws, tx -> verdict(ws, tx, s, token));
    } catch (RuntimeException ex) {
      // Fail closed: not sent, retried later like any retryable failure.
      LOG.warn("activation {}: the check at hand-over failed ({}); not sent, will retry",
          s.entry().key(), ex.getClass().getName());
      return Attempt.failed(DeliveryResult.retryable("check at hand-over failed: "
          + ex.getClass().getSimpleName()));
    }
    if (v.message() == null) {
      return new Attempt(null, v.stopped(), v.gone(), v.detail());
    }
    long window = System.nanoTime() - start;
    handedOver.increment();
    windowTotal.add(window);
    windowMax.accumulateAndGet(window, Math::max);
    return Attempt.sent(s.channel().deliver(v.message()), v.detail());
  }

  private Verdict verdict(WorkspaceId ws, ReadTransaction tx, Send s, String token) {
    Instant now = ctx.clock().instant();
    Optional<OutboxEntry> cur = outbox(tx).outbox(s.entry().key());
    if (cur.isEmpty()) {
      return new Verdict(null, null, true, null);
    }
    ObjectNode detail = (ObjectNode) readTrigger(s.detail());
    detail.put("stage", "handover");
    if (cur.get().status() != OutboxEntry.Status.PENDING || !token.equals(cur.get().lease())) {
      return stop(new SuppressionReason.LeaseLost(), detail);
    }
    Optional<ProfileRecord> rec = ctx.readModel().resolve(tx, cur.get().profile())
        .flatMap(tx::profile);
    if (rec.isEmpty()) {
      return stop(new SuppressionReason.ProfileGone(), detail);
    }
    ProfileState state = rec.get().state();
    if (state.restricted()) {
      return stop(new SuppressionReason.Restricted(), detail);
    }
    Message m = s.message();
    List<Identifier> candidates = m.recipients();
    if (!candidates.isEmpty()) {
      // The person's current addresses now: a message decided for an address she has since
      // replaced goes to the new one (judged below), never to one that is no longer hers.
      Set<Identifier> own = new HashSet<>();
      for (IdentityNode n : tx.nodesOfProfile(rec.get().id())) {
        own.add(n.identifier());
      }
      candidates = currentAddresses(s.channel(), own, state);
      if (candidates.isEmpty()) {
        return stop(new SuppressionReason.AddressGone(), detail);
      }
    }
    ObjectNode judged = JSON.createObjectNode();
    Recipients rs = recipients(tx, rec.get().id(), s.rule(), s.channel(), state, candidates,
        now, judged);
    if (rs.reason() != null) {
      detail.setAll(judged);
      return stop(rs.reason(), detail);
    }
    if (!rs.allowed().equals(m.recipients())) {
      detail.setAll(judged);
      m = new Message(m.idempotencyKey(), m.workspace(), m.profile(), m.rule(), m.channel(),
          m.purpose(), m.trigger(), rs.allowed(), m.payload(), m.attempt(), m.decidedAt());
      return new Verdict(m, null, false, detail.toString());
    }
    return new Verdict(m, null, false, null);
  }

  private static Verdict stop(SuppressionReason why, ObjectNode detail) {
    return new Verdict(null, why, false, detail.toString());
  }

  /**
   * The time from the start of the check at hand-over to the plugin call, over every message
   * handed over since start: how many, the longest, the mean.
   */
  public long[] handoverWindow() {
    return new long[] {handedOver.sum(), windowMax.get(), windowTotal.sum()};
  }

  // ------------------------------------------------------------------ gates

  /** What one message's gates look at. */
  private final class Gate {
    final WriteTransaction tx;
    final OutboxEntry entry;
    final Rule rule;
    final ChannelRuntime channel;
    final ProfileId pid;
    final ProfileState state;
    final Profile profile;
    final Instant now;
    final Instant since;
    final JsonNode trigger;
    final Events events;
    final ObjectNode detail;
    final Map<String, StoredEvent> triggerEvents;
    /** The workspace's catalog, as suppressions and rechecks read it. */
    final ProductLookup catalog;
    List<Identifier> recipients = List.of();
    Map<String, Object> payload = Map.of();

    Gate(WriteTransaction tx, OutboxEntry entry, Rule rule, ChannelRuntime channel,
        ProfileId pid, Profile profile, Instant now, JsonNode trigger,
        Map<String, StoredEvent> triggerEvents, ProductLookup catalog) {
      this.tx = tx;
      this.entry = entry;
      this.rule = rule;
      this.channel = channel;
      this.pid = pid;
      this.profile = profile;
      this.state = profile.state();
      this.now = now;
      this.trigger = trigger;
      this.triggerEvents = triggerEvents;
      this.catalog = catalog;
      this.since = Instant.parse(trigger.path("since").asText(entry.decidedAt().toString()));
      this.events = new Events(tx, profile.identifiers());
      this.detail = JSON.createObjectNode();
    }
  }

  /** One gate: passes ({@code null}) or says why the message is not sent. */
  @FunctionalInterface
  private interface Check {
    @Nullable SuppressionReason test(Gate g);
  }

  /** The gates, in order; the first that does not pass decides. */
  private final List<Check> checks = List.of(
      Engine::restriction,
      this::rechecks,
      this::consentAndRecipients,
      Engine::render,
      this::suppressions,
      this::cap);

  private List<Send> gate(WorkspaceId ws, WriteTransaction tx, List<OutboxEntry> claimed,
      String token, Instant now) {
    List<Send> out = new ArrayList<>();
    ComputedTraits traits = ctx.computedTraits();
    List<String> keys = new ArrayList<>(claimed.size());
    for (OutboxEntry c : claimed) {
      keys.add(c.key());
    }
    OutboxStorage ob = outbox(tx);
    ProductLookup catalog = catalog(ws);
    Map<String, OutboxEntry> entries = ob.outbox(keys);
    // The triggering events of rules whose templates read them, in one read.
    List<String> messageIds = new ArrayList<>();
    Map<String, JsonNode> triggers = new java.util.HashMap<>();
    for (OutboxEntry e : entries.values()) {
      JsonNode t = readTrigger(e.trigger());
      triggers.put(e.key(), t);
      Rule r = rules.get(e.rule());
      if (r != null && t.has("messageId") && r.template().readsEvent()) {
        messageIds.add(t.get("messageId").asText());
      }
    }
    Map<String, StoredEvent> triggerEvents =
        messageIds.isEmpty() ? Map.of() : tx.events(messageIds);
    for (OutboxEntry c : claimed) {
      OutboxEntry e = entries.get(c.key());
      if (e == null || e.status() != OutboxEntry.Status.PENDING || !token.equals(e.lease())) {
        continue; // finished or claimed again by another worker meanwhile
      }
      if (e.attempts() >= retry.maxAttempts()) {
        // Every attempt was sent without its outcome being recorded (its node died each time).
        String why = "no outcome recorded after " + e.attempts() + " attempts";
        ob.putDelivery(new Delivery(e.key() + "#" + e.attempts() + "x", e.profile(), now,
            e.rule(), e.channel(), e.key(), e.attempts(), DEAD, why, "{}"));
        ob.updateOutbox(e.next(OutboxEntry.Status.DEAD, e.attempts(), now, why));
        continue;
      }
      Rule r = rules.get(e.rule());
      ChannelRuntime ch = r == null ? null : channels.get(e.channel());
      if (r == null || ch == null) {
        suppress(ob, e, now, r == null ? new SuppressionReason.RuleRemoved()
            : new SuppressionReason.ChannelRemoved(), "{}");
        continue;
      }
      Optional<ProfileRecord> found = ctx.readModel().resolve(tx, e.profile())
          .flatMap(tx::profile);
      if (found.isEmpty()) {
        suppress(ob, e, now, new SuppressionReason.ProfileGone(), "{}");
        continue;
      }
      ProfileId pid = found.get().id();
      Profile p = ctx.readModel().profile(tx, ws, found.get(), now);
      Gate g = new Gate(tx, e, r, ch, pid, p, now, triggers.get(e.key()), triggerEvents,
          catalog);
      g.detail.put("purpose", r.purpose());
      g.detail.put("consentChannel", ch.consentChannel());
      g.detail.set("trigger", g.trigger);
      if (!pid.equals(e.profile())) {
        g.detail.put("decidedFor", e.profile().value());
      }
      SuppressionReason why = null;
      for (Check check : checks) {
        why = check.test(g);
        if (why != null) {
          break;
        }
      }
      if (why != null) {
        suppress(ob, e, now, why, g.detail.toString());
        continue;
      }
      // The attempt counts from here: if the outcome is lost (the node dies), the next worker
      // sends attempt + 1, and the last attempt still ends in a dead letter.
      int attempt = e.attempts() + 1;
      OutboxEntry counted = e.withAttempts(attempt);
      ob.updateOutbox(counted);
      ob.putDelivery(new Delivery(e.key() + "#" + attempt, pid, now, e.rule(), e.channel(),
          e.key(), attempt, SENDING, null, g.detail.toString()));
      Message m = new Message(e.key(), ws, pid, r.id(), ch.name(), r.purpose(),
          r.trigger().label(), g.recipients, g.payload, attempt, e.decidedAt());
      out.add(new Send(counted, r, ch, m, g.detail.toString()));
    }
    return out;
  }

  /** Restriction of processing stops every send, whatever the basis (GDPR Art. 18). */
  private static @Nullable SuppressionReason restriction(Gate g) {
    ProfileState.Restriction restriction = g.state.restriction();
    if (restriction != null && restriction.restricted()) {
      g.detail.put("restrictedAt", restriction.time().toString());
      g.detail.put("restrictionReason", restriction.reasonCode());
      return new SuppressionReason.Restricted();
    }
    return null;
  }

  /**
   * The addresses a message may be written to, per address type of the channel: for a type an
   * {@code identify} trait gives (e-mail and phone by default), only the person's current one
   * ({@link io.cdpkit.core.identity.IdentityRules#currentAddress}): older addresses still
   * recognise her but are not written to. Other types (device tokens, of which a person has
   * one per device, all valid at once) give every identifier of the type.
   */
  private List<Identifier> currentAddresses(ChannelRuntime channel,
      java.util.Collection<Identifier> identifiers, ProfileState state) {
    List<Identifier> out = new ArrayList<>();
    java.util.Collection<IdentifierType> given = ctx.identityRules().traitIdentifiers().values();
    for (IdentifierType t : channel.addresses()) {
      if (given.contains(t)) {
        ctx.identityRules().currentAddress(t, identifiers, state).ifPresent(out::add);
      } else {
        identifiers.stream().filter(i -> i.type().equals(t))
            .sorted(ctx.identityRules().priorityOrder()).forEach(out::add);
      }
    }
    return out;
  }

  private @Nullable SuppressionReason consentAndRecipients(Gate g) {
    List<Identifier> candidates = currentAddresses(g.channel, g.profile.identifiers(), g.state);
    Recipients rs = recipients(g.tx, g.pid, g.rule, g.channel, g.state, candidates, g.now,
        g.detail);
    if (rs.reason() != null) {
      return rs.reason();
    }
    g.recipients = rs.allowed();
    return null;
  }

  /** Most profiles {@link #decidedElsewhere} reads the ledger of (this one and those merged in). */
  static final int MAX_LEDGERS = 64;

  /**
   * The candidates another person made a consent decision for on this consent channel, with the
   * time of the latest such decision. Another person's event that named one of this profile's
   * addresses but could not join the profile (two customer ids, say) is recorded by the
   * identity graph as a conflict in the ledger of the profile holding the address; the
   * decision lives in the state of the profile that event went to. Reads the ledgers of this
   * profile and of the profiles merged into it (at most {@value #MAX_LEDGERS}).
   */
  private Map<Identifier, Instant> decidedElsewhere(ReadTransaction tx, ProfileId pid,
      String consentChannel, List<Identifier> candidates) {
    if (candidates.isEmpty()) {
      return Map.of();
    }
    Set<ProfileId> own = new HashSet<>(List.of(pid));
    java.util.ArrayDeque<ProfileId> todo = new java.util.ArrayDeque<>(List.of(pid));
    Set<ProfileId> others = new HashSet<>();
    while (!todo.isEmpty() && own.size() <= MAX_LEDGERS) {
      ProfileId at = todo.poll();
      for (LedgerEntry e : tx.ledger(at)) {
        if (e.kind() == LedgerEntry.Kind.MERGED && e.profile().equals(at) && e.other() != null
            && own.add(e.other())) {
          todo.add(e.other());
        } else if (e.kind() == LedgerEntry.Kind.CONFLICT && at.equals(e.other())
            && e.identifier() != null && candidates.contains(e.identifier())) {
          others.add(e.profile());
        }
      }
    }
    Map<Identifier, Instant> out = new HashMap<>();
    for (ProfileId o : others) {
      Optional<ProfileId> now = ctx.readModel().resolve(tx, o);
      if (now.isEmpty() || own.contains(now.get()) || now.get().equals(pid)) {
        continue;
      }
      Optional<ProfileRecord> rec = tx.profile(now.get());
      if (rec.isEmpty()) {
        continue;
      }
      for (Map.Entry<io.cdpkit.core.model.AddressConsentKey, ProfileState.ConsentValue> d
          : rec.get().state().addressConsents().entrySet()) {
        if (d.getKey().channel().equals(consentChannel)
            && candidates.contains(d.getKey().address())) {
          out.merge(d.getKey().address(), d.getValue().time(),
              (x, y) -> x.isAfter(y) ? x : y);
        }
      }
    }
    return out;
  }

  /** The recipients a message may go to, or why it may go to none. */
  private record Recipients(List<Identifier> allowed, @Nullable SuppressionReason reason) {}

  /**
   * The consent gate, per recipient: each candidate address is judged on the decision that
   * governs it ({@link ProfileState#consentFor}); a channel that names no address types is
   * judged on the profile-level view ({@link ProfileState#consents()}, the latest decision),
   * and any address-level denial for the purpose on its consent channel stops it too. Writes
   * the decision it relied on to {@code detail}.
   */
  private Recipients recipients(ReadTransaction tx, ProfileId pid, Rule r, ChannelRuntime ch,
      ProfileState state, List<Identifier> candidates, Instant now, ObjectNode detail) {
    ConsentKey key = new ConsentKey(r.purpose(), ch.consentChannel());
    List<String> types = ch.addresses().stream().map(IdentifierType::id).toList();
    if (consent.contractBasis().contains(r.purpose())) {
      detail.put("basis", "contract");
      if (!types.isEmpty() && candidates.isEmpty()) {
        return new Recipients(List.of(), new SuppressionReason.NoAddress(types));
      }
      putRecipients(detail, candidates);
      return new Recipients(candidates, null);
    }
    if (types.isEmpty() || candidates.isEmpty()) {
      // No address to judge: the latest decision of either level (a missing consent is
      // reported before a missing address).
      ProfileState.ConsentValue v = state.consents().get(key);
      SuppressionReason why = judge(v, now);
      putConsent(detail, v);
      if (why == null && types.isEmpty()) {
        for (Map.Entry<io.cdpkit.core.model.AddressConsentKey, ProfileState.ConsentValue> a
            : state.addressConsents().entrySet()) {
          if (a.getKey().key().equals(key) && !a.getValue().granted()) {
            why = new SuppressionReason.ConsentDenied();
            break;
          }
        }
      }
      if (why == null && !types.isEmpty()) {
        why = new SuppressionReason.NoAddress(types);
      }
      if (why == null) {
        detail.put("basis", v.basis().wireName());
      }
      return new Recipients(List.of(), why);
    }
    List<Identifier> allowed = new ArrayList<>();
    ArrayNode withheld = JSON.createArrayNode();
    ProfileState.ConsentValue shown = null;
    SuppressionReason worst = null;
    Map<Identifier, Instant> elsewhere = decidedElsewhere(tx, pid, ch.consentChannel(),
        candidates);
    for (Identifier a : candidates) {
      ProfileState.ConsentValue v = state.consentFor(key, a);
      SuppressionReason why = judge(v, now);
      Instant taken = elsewhere.get(a);
      if (why == null && taken != null && taken.isAfter(v.time())) {
        // Someone else decided for this address after the decision that allows it: a device
        // (or mailbox) that changed hands is not written to on the first owner's old grant.
        why = new SuppressionReason.AddressTaken();
      }
      if (why == null) {
        if (allowed.isEmpty()) {
          shown = v;
        }
        allowed.add(a);
      } else {
        withheld.addObject().put("type", a.type().id()).put("reason", why.code());
        worst = worse(worst, why);
        if (shown == null && allowed.isEmpty()) {
          shown = v;
        }
      }
    }
    if (allowed.isEmpty()) {
      putConsent(detail, shown);
      if (!withheld.isEmpty()) {
        detail.set("withheld", withheld);
      }
      return new Recipients(List.of(), worst);
    }
    putConsent(detail, shown);
    detail.put("basis", shown.basis().wireName());
    putRecipients(detail, allowed);
    if (!withheld.isEmpty()) {
      detail.set("withheld", withheld);
    }
    return new Recipients(List.copyOf(allowed), null);
  }

  private static void putRecipients(ObjectNode detail, List<Identifier> recipients) {
    if (!recipients.isEmpty()) {
      detail.putArray("recipients").addAll(
          recipients.stream().map(i -> detail.textNode(i.type().id())).toList());
    }
  }

  /** Denied before expired before none: the reason a message to no recipient reports. */
  private static SuppressionReason worse(@Nullable SuppressionReason a, SuppressionReason b) {
    if (a == null) {
      return b;
    }
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(SuppressionReason r) {
    return r instanceof SuppressionReason.ConsentDenied ? 3
        : r instanceof SuppressionReason.ConsentExpired ? 2 : 1;
  }

  /** Whether a governing decision allows a message now. */
  private @Nullable SuppressionReason judge(ProfileState.@Nullable ConsentValue v, Instant now) {
    if (v == null) {
      return new SuppressionReason.NoConsent();
    }
    if (!v.granted()) {
      return new SuppressionReason.ConsentDenied();
    }
    if (v.statusAt(now) == ConsentStatus.EXPIRED
        || consent.maxAge() != null && v.time().plus(consent.maxAge()).isBefore(now)) {
      return new SuppressionReason.ConsentExpired();
    }
    return null;
  }

  private static void putConsent(ObjectNode detail, ProfileState.@Nullable ConsentValue v) {
    if (v == null) {
      return;
    }
    ObjectNode c = detail.putObject("consent");
    c.put("granted", v.granted());
    c.put("time", v.time().toString());
    c.put("messageId", v.messageId());
    c.put("basis", v.basis().wireName());
    if (v.source() != null) {
      c.put("source", v.source());
    }
    if (v.policyVersion() != null) {
      c.put("policyVersion", v.policyVersion());
    }
    if (v.expiresAt() != null) {
      c.put("expiresAt", v.expiresAt().toString());
    }
    ConsentProof proof = v.proof();
    if (proof != null) {
      ObjectNode pf = c.putObject("proof");
      if (proof.formId() != null) {
        pf.put("formId", proof.formId());
      }
      if (proof.reference() != null) {
        pf.put("reference", proof.reference());
      }
      if (proof.confirmedAt() != null) {
        pf.put("confirmedAt", proof.confirmedAt().toString());
      }
    }
  }

  private static @Nullable SuppressionReason render(Gate g) {
    try {
      StoredEvent te = g.trigger.has("messageId")
          ? g.triggerEvents.get(g.trigger.get("messageId").asText()) : null;
      g.payload = g.rule.template().tree().isEmpty() ? Map.of()
          : Rendering.render(g.rule, g.profile, te == null ? null : te.event(), g.trigger,
              g.catalog);
      return null;
    } catch (RuntimeException ex) {
      return Rendering.missing(ex);
    }
  }

  /** The deliveries counted so far (see the field). */
  public Tally deliveries() {
    return deliveries;
  }

  /**
   * Records a hand-over's outcome; returns it ({@link #DELIVERED}, {@link #FAILED},
   * {@link #DEAD}, {@link #SUPPRESSED}), or {@code null} when nothing was recorded.
   */
  private @Nullable String outcome(WriteTransaction tx, Send s, Optional<OutboxEntry> current,
      Attempt attempted, String token, Instant at) {
    OutboxEntry e = s.entry();
    OutboxStorage ob = outbox(tx);
    int attempt = e.attempts(); // counted when it passed the gates
    boolean ours = current.isPresent() && token.equals(current.get().lease())
        && current.get().status() == OutboxEntry.Status.PENDING;
    String id = e.key() + "#" + attempt;
    if (current.isEmpty() || attempted.gone()) {
      return null; // the entry was deleted while sending (its person was erased): record nothing
    }
    SuppressionReason stopped = attempted.stopped();
    if (stopped != null) {
      // Not sent: the check at hand-over stopped it. The line replaces the attempt's "sending".
      ob.putDelivery(new Delivery(id, s.message().profile(), at, e.rule(), e.channel(),
          e.key(), attempt, SUPPRESSED, truncate(stopped.code()),
          attempted.detail() == null ? s.detail() : attempted.detail()));
      if (ours) {
        ob.updateOutbox(current.get().next(OutboxEntry.Status.DONE, attempt,
            current.get().dueAt(), null));
      }
      LOG.debug("activation {} of rule {} stopped at hand-over: {}", e.key(), e.rule(),
          stopped.code());
      return SUPPRESSED;
    }
    DeliveryResult result = Objects.requireNonNull(attempted.result());
    String sentDetail = attempted.detail() == null ? s.detail() : attempted.detail();
    switch (result.outcome()) {
      case DELIVERED: {
        String detail = sentDetail;
        if (result.reference().isPresent()) {
          ObjectNode d = (ObjectNode) readTrigger(detail);
          d.put("reference", result.reference().get());
          detail = d.toString();
        }
        ob.putDelivery(new Delivery(id, s.message().profile(), at, e.rule(), e.channel(),
            e.key(), attempt, DELIVERED, null, detail));
        if (current.isPresent() && current.get().status() == OutboxEntry.Status.PENDING) {
          ob.updateOutbox(current.get().next(OutboxEntry.Status.DONE, attempt, current.get()
              .dueAt(), null));
        }
        return DELIVERED;
      }
      case RETRYABLE:
      case PERMANENT: {
        String reason = truncate(result.reason().orElse("failed"));
        boolean dead = result.outcome() == DeliveryResult.Outcome.PERMANENT
            || attempt >= retry.maxAttempts();
        ob.putDelivery(new Delivery(id, s.message().profile(), at, e.rule(), e.channel(),
            e.key(), attempt, dead ? DEAD : FAILED, reason, sentDetail));
        if (!ours) {
          return dead ? DEAD : FAILED; // another worker holds it now; it will decide
        }
        if (dead) {
          ob.updateOutbox(current.get().next(OutboxEntry.Status.DEAD, attempt, at, reason));
          LOG.warn("activation {} of rule {} is a dead letter after {} attempts", e.key(),
              e.rule(), attempt);
        } else {
          Duration wait = backoff(attempt);
          if (result.retryAfter().isPresent() && result.retryAfter().get().compareTo(wait) > 0) {
            wait = result.retryAfter().get();
          }
          ob.updateOutbox(current.get().next(OutboxEntry.Status.PENDING, attempt, at.plus(wait),
              reason));
        }
        return dead ? DEAD : FAILED;
      }
      default:
        throw new IllegalStateException("unknown outcome " + result.outcome());
    }
  }

  private Duration backoff(int attempt) {
    if (random == null) {
      return retry.backoff(attempt, ThreadLocalRandom.current());
    }
    synchronized (random) {
      return retry.backoff(attempt, random);
    }
  }

  private static String truncate(String s) {
    return s.length() <= OutboxEntry.MAX_ERROR_LENGTH ? s
        : s.substring(0, OutboxEntry.MAX_ERROR_LENGTH);
  }

  private static void suppress(OutboxStorage ob, OutboxEntry e, Instant now,
      SuppressionReason why, String detail) {
    ob.putDelivery(new Delivery(e.key() + "#s", e.profile(), now, e.rule(), e.channel(), e.key(),
        e.attempts(), SUPPRESSED, truncate(why.code()), detail));
    ob.updateOutbox(e.next(OutboxEntry.Status.DONE, e.attempts(), e.dueAt(), null));
  }

  /** A profile's events, read once when first needed. */
  private static final class Events {
    private final ReadTransaction tx;
    private final List<Identifier> ids;
    private @Nullable List<StoredEvent> events;

    Events(ReadTransaction tx, List<Identifier> ids) {
      this.tx = tx;
      this.ids = ids;
    }

    List<StoredEvent> get() {
      if (events == null) {
        events = tx.eventsByAnchors(ids);
      }
      return events;
    }
  }

  private @Nullable SuppressionReason rechecks(Gate g) {
    for (Recheck c : g.rule.rechecks()) {
      if (c.isMembership()) {
        if (!SegmentReads.isMember(g.tx, g.pid, c.segment())) {
          return new SuppressionReason.NotMember(c.segment());
        }
      } else {
        for (StoredEvent se : g.events.get()) {
          if (!se.event().eventTime().isBefore(g.since)
              && resolve(c.filter()).test(se.event(), g.catalog)) {
            return new SuppressionReason.EventSince(StoredEvent.countedName(se.event()));
          }
        }
      }
    }
    return null;
  }

  private @Nullable SuppressionReason suppressions(Gate g) {
    for (Suppression s : g.rule.suppressions()) {
      Object want = g.payload.get(s.payloadKey());
      if (want == null) {
        continue;
      }
      boolean matched = switch (s.kind()) {
        case RECENT_EVENT -> recentEvent(g, s, want);
        case BOUGHT_SAME_GROUP -> boughtSameGroup(g, s, want);
        case UNAVAILABLE -> unavailable(g, s, want);
      };
      if (matched) {
        return new SuppressionReason.SuppressionMatched(s.name());
      }
    }
    return null;
  }

  /** An event the filter accepts within the window has a value at a path equal to the payload's. */
  private boolean recentEvent(Gate g, Suppression s, Object want) {
    EventFilter filter = resolve(s.filter());
    Instant from = g.now.minus(s.within());
    String wanted = String.valueOf(want);
    for (StoredEvent se : g.events.get()) {
      Event ev = se.event();
      if (ev.eventTime().isBefore(from) || !filter.test(ev, g.catalog)) {
        continue;
      }
      for (PropertyPath path : s.paths()) {
        for (Object v : path.values(ev, g.catalog)) {
          if (String.valueOf(v).equals(wanted)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * An order event within the window has a line naming the promoted sku, or a catalog product
   * of the promoted product's group (see {@link Suppression#boughtSameGroupRecently}).
   */
  private boolean boughtSameGroup(Gate g, Suppression s, Object want) {
    String sku = ProductLookup.sku(want);
    if (sku == null) {
      return false;
    }
    Product promoted = g.catalog.get(sku);
    String group = promoted == null ? null : promoted.group().orElse(null);
    EventFilter orders = resolve(s.filter());
    Instant from = g.now.minus(s.within());
    for (StoredEvent se : g.events.get()) {
      Event ev = se.event();
      if (ev.eventTime().isBefore(from) || !orders.test(ev)) {
        continue;
      }
      for (PropertyPath lines : s.paths()) {
        for (Object line : lines.values(ev)) {
          if (!(line instanceof Map<?, ?> m)) {
            continue;
          }
          boolean same = namesSku(m, sku);
          Product bought = null;
          if (!same && group != null) {
            bought = g.catalog.named(m);
            same = bought != null && group.equals(bought.group().orElse(null));
          }
          if (!same) {
            continue;
          }
          ObjectNode d = g.detail.putObject("suppression");
          d.put("name", s.name());
          d.put("sku", sku);
          if (bought != null) {
            d.put("group", group);
            d.put("bought", bought.sku());
          }
          d.put("messageId", ev.messageId());
          return true;
        }
      }
    }
    return false;
  }

  /** The catalog holds the promoted product, out of stock. */
  private static boolean unavailable(Gate g, Suppression s, Object want) {
    String sku = ProductLookup.sku(want);
    Product p = sku == null ? null : g.catalog.get(sku);
    if (p == null || p.available()) {
      return false;
    }
    g.detail.putObject("suppression").put("name", s.name()).put("sku", p.sku())
        .put("stock", p.stock().orElse(0L));
    return true;
  }

  /** Whether an order line names this sku by one of {@link ProductLookup#PRODUCT_KEYS}. */
  private static boolean namesSku(Map<?, ?> line, String sku) {
    for (String k : ProductLookup.PRODUCT_KEYS) {
      if (sku.equals(ProductLookup.sku(line.get(k)))) {
        return true;
      }
    }
    return false;
  }

  private @Nullable SuppressionReason cap(Gate g) {
    OutboxEntry e = g.entry;
    Instant now = g.now;
    List<FrequencyCap> cs = caps.get(e.channel());
    if (cs == null) {
      return null;
    }
    List<Delivery> history = history(g.tx, g.pid);
    for (FrequencyCap c : cs) {
      Instant from = now.minus(c.window());
      Set<String> counted = new HashSet<>();
      for (Delivery d : history) {
        if (d.channel().equals(e.channel()) && d.at().isAfter(from) && !d.key().equals(e.key())
            && (d.outcome().equals(DELIVERED) || d.outcome().equals(SENDING))) {
          counted.add(d.key());
        }
      }
      if (counted.size() >= c.max()) {
        return new SuppressionReason.FrequencyCapped(c.max(), c.window());
      }
    }
    return null;
  }

  /**
   * A profile's delivery history with that of the profiles merged into it, sorted by time: the
   * history follows the person.
   */
  public static List<Delivery> history(ReadTransaction tx, ProfileId pid) {
    OutboxStorage ob = outbox(tx);
    List<Delivery> out = new ArrayList<>(ob.deliveries(pid));
    Set<ProfileId> seen = new HashSet<>();
    seen.add(pid);
    List<ProfileId> todo = new ArrayList<>(List.of(pid));
    while (!todo.isEmpty()) {
      ProfileId p = todo.remove(todo.size() - 1);
      for (LedgerEntry le : tx.ledger(p)) {
        if (le.kind() == LedgerEntry.Kind.MERGED && le.profile().equals(p)
            && le.other() != null && seen.add(le.other())) {
          out.addAll(ob.deliveries(le.other()));
          todo.add(le.other());
        }
      }
    }
    out.sort((a, b) -> {
      int c = a.at().compareTo(b.at());
      return c != 0 ? c : a.id().compareTo(b.id());
    });
    return out;
  }

  static JsonNode readTrigger(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode();
    }
  }
}
