package io.cdpkit.activation.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.ConsentPolicy;
import io.cdpkit.activation.FrequencyCap;
import io.cdpkit.activation.Recheck;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Suppression;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
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
import io.cdpkit.core.spi.storage.Delivery;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Membership;
import io.cdpkit.core.spi.storage.OutboxEntry;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.traits.ComputedTraits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
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
  private final Map<String, Rule> rules;
  private final Map<String, ChannelRuntime> channels;
  private final ConsentPolicy consent;
  private final Map<String, List<FrequencyCap>> caps;
  private final RetryPolicy retry;
  private final Duration lease;
  private final int batch;
  /** The host's generator, used under its own lock; {@code null}: a thread-local one. */
  private final @Nullable RandomGenerator random;

  public Engine(ExtensionContext ctx, Map<String, Rule> rules, Map<String, ChannelRuntime> channels,
      ConsentPolicy consent, Map<String, List<FrequencyCap>> caps, RetryPolicy retry,
      Duration lease, int batch, @Nullable RandomGenerator random) {
    this.ctx = ctx;
    this.rules = Map.copyOf(rules);
    this.channels = Map.copyOf(channels);
    this.consent = consent;
    this.caps = Map.copyOf(caps);
    this.retry = retry;
    this.lease = lease;
    this.batch = batch;
    this.random = random;
  }

  // ------------------------------------------------------------------ deciding

  /** Inside an ingest transaction: event triggers. */
  public void changed(ProfileChanges pc) {
    if (!pc.cause().equals("event") || pc.messageId() == null) {
      return;
    }
    WriteTransaction tx = pc.transaction();
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
      if (!r.trigger().filter().test(e)
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
    return tx.insertOutbox(entry(r, profile, now, triggerId, trigger));
  }

  /** Writes a decision whose trigger is known to be new to the outbox, unchecked. */
  private void add(WriteTransaction tx, Rule r, ProfileId profile, Instant now,
      String triggerId, ObjectNode trigger) {
    tx.addOutbox(entry(r, profile, now, triggerId, trigger));
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
          Optional.ofNullable(tx.metadata(mk).get(mk)).map(Long::parseLong));
      long latest = r.trigger().lastTick(now).toEpochMilli();
      if (last.isEmpty()) {
        // Starts with the next tick: a rule added now does not fire for ticks before it.
        ctx.store().write(ws, tx -> {
          tx.putMetadata(mk, Long.toString(latest));
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
        List<Membership> page = ctx.store().write(ws, tx -> {
          inserted[0] = 0;
          List<Membership> p = tx.members(r.trigger().segment(), from, PAGE);
          for (Membership m : p) {
            ObjectNode t = JSON.createObjectNode();
            t.put("kind", "schedule");
            t.put("segment", r.trigger().segment());
            t.put("since", tick.toString());
            if (decide(tx, r, m.profile(), tick, "schedule|" + latest, t)) {
              inserted[0]++;
            }
          }
          if (p.size() < PAGE) {
            tx.putMetadata(mk, Long.toString(latest));
          }
          return p;
        });
        added += inserted[0];
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).profile();
      }
    }
    return added;
  }

  // ------------------------------------------------------------------ sending

  /** A message that passed the gates, on its way to a channel. */
  private record Send(OutboxEntry entry, ChannelRuntime channel, Message message, String detail) {}

  /**
   * Claims a batch of due entries and handles each: gates, channel call, outcome.
   *
   * @return the number of entries claimed
   */
  public int dispatch(WorkspaceId ws) {
    Instant now = ctx.clock().instant();
    String token = UUID.randomUUID().toString();
    List<OutboxEntry> claimed =
        ctx.store().claimOutbox(ws, now, token, now.plus(lease), batch);
    if (claimed.isEmpty()) {
      return 0;
    }
    List<Send> sends = ctx.store().write(ws, tx -> gate(ws, tx, claimed, token, now));
    List<Future<DeliveryResult>> futures = new ArrayList<>(sends.size());
    for (Send s : sends) {
      futures.add(s.channel().submit(s.message()));
    }
    List<DeliveryResult> results = new ArrayList<>(sends.size());
    // However slow the channels, the batch ends within half the lease, so no other worker
    // claims an entry while its send may still be waited for.
    long batchDeadline = System.nanoTime() + lease.toNanos() / 2;
    for (int i = 0; i < sends.size(); i++) {
      Send s = sends.get(i);
      long deadline = Math.min(batchDeadline, System.nanoTime() + s.channel().timeout().toNanos());
      results.add(s.channel().await(futures.get(i), deadline));
    }
    if (!sends.isEmpty()) {
      List<String> keys = new ArrayList<>(sends.size());
      for (Send s : sends) {
        keys.add(s.entry().key());
      }
      ctx.store().write(ws, tx -> {
        Instant at = ctx.clock().instant();
        Map<String, OutboxEntry> current = tx.outbox(keys);
        for (int i = 0; i < sends.size(); i++) {
          Send s = sends.get(i);
          outcome(tx, s, Optional.ofNullable(current.get(s.entry().key())), results.get(i),
              token, at);
        }
        return null;
      });
    }
    return claimed.size();
  }

  private List<Send> gate(WorkspaceId ws, WriteTransaction tx, List<OutboxEntry> claimed,
      String token, Instant now) {
    List<Send> out = new ArrayList<>();
    ComputedTraits traits = ctx.computedTraits();
    List<String> keys = new ArrayList<>(claimed.size());
    for (OutboxEntry c : claimed) {
      keys.add(c.key());
    }
    Map<String, OutboxEntry> entries = tx.outbox(keys);
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
        tx.putDelivery(new Delivery(e.key() + "#" + e.attempts() + "x", e.profile(), now,
            e.rule(), e.channel(), e.key(), e.attempts(), DEAD, why, "{}"));
        tx.updateOutbox(e.next(OutboxEntry.Status.DEAD, e.attempts(), now, why));
        continue;
      }
      Rule r = rules.get(e.rule());
      ChannelRuntime ch = r == null ? null : channels.get(e.channel());
      if (r == null || ch == null) {
        suppress(tx, e, now, r == null ? "rule-removed" : "channel-removed", "{}");
        continue;
      }
      ProfileId pid = live(tx, e.profile());
      if (pid == null) {
        suppress(tx, e, now, "profile-gone", "{}");
        continue;
      }
      ProfileRecord rec = tx.profile(pid).orElseThrow();
      List<Identifier> ids = tx.nodesOfProfile(pid).stream().map(IdentityNode::identifier)
          .toList();
      ProfileState state = rec.state();
      Profile p = new Profile(pid, ws, ids, state, rec.version(),
          traits.isEmpty() ? Map.of() : traits.values(state, now), now);
      JsonNode trigger = triggers.get(e.key());
      Instant since = Instant.parse(trigger.path("since").asText(e.decidedAt().toString()));
      Events events = new Events(tx, ids);
      ObjectNode detail = JSON.createObjectNode();
      detail.put("purpose", r.purpose());
      detail.put("consentChannel", ch.consentChannel());
      detail.set("trigger", trigger);
      if (!pid.equals(e.profile())) {
        detail.put("decidedFor", e.profile().value());
      }
      String why = null;
      ProfileState.Restriction restriction = state.restriction();
      if (restriction != null && restriction.restricted()) {
        // Restriction of processing stops every send, whatever the basis (GDPR Art. 18).
        detail.put("restrictedAt", restriction.time().toString());
        detail.put("restrictionReason", restriction.reasonCode());
        why = "restricted";
      }
      if (why == null) {
        why = recheck(tx, r, pid, since, events);
      }
      if (why == null) {
        why = consent(r, ch, state, now, detail);
      }
      List<Identifier> recipients = new ArrayList<>();
      if (why == null && !ch.addresses().isEmpty()) {
        for (IdentifierType t : ch.addresses()) {
          for (Identifier i : p.identifiers()) {
            if (i.type().equals(t)) {
              recipients.add(i);
            }
          }
        }
        if (recipients.isEmpty()) {
          why = "no-address:" + ch.addresses().stream().map(IdentifierType::id).toList();
        } else {
          detail.putArray("recipients").addAll(
              recipients.stream().map(i -> detail.textNode(i.type().id())).toList());
        }
      }
      Map<String, Object> payload = null;
      if (why == null) {
        try {
          StoredEvent te = trigger.has("messageId")
              ? triggerEvents.get(trigger.get("messageId").asText()) : null;
          payload = r.template().tree().isEmpty() ? Map.of()
              : Rendering.render(r, p, te == null ? null : te.event(), trigger);
        } catch (RuntimeException ex) {
          why = Rendering.missing(ex);
        }
      }
      if (why == null) {
        why = suppression(r, payload, events, now);
      }
      if (why == null) {
        why = cap(tx, e, pid, now);
      }
      if (why != null) {
        suppress(tx, e, now, why, detail.toString());
        continue;
      }
      // The attempt counts from here: if the outcome is lost (the node dies), the next worker
      // sends attempt + 1, and the last attempt still ends in a dead letter.
      int attempt = e.attempts() + 1;
      OutboxEntry counted = e.withAttempts(attempt);
      tx.updateOutbox(counted);
      tx.putDelivery(new Delivery(e.key() + "#" + attempt, pid, now, e.rule(), e.channel(),
          e.key(), attempt, SENDING, null, detail.toString()));
      Message m = new Message(e.key(), ws, pid, r.id(), ch.name(), r.purpose(),
          r.trigger().label(), recipients, payload, attempt,
          e.decidedAt());
      out.add(new Send(counted, ch, m, detail.toString()));
    }
    return out;
  }

  private void outcome(WriteTransaction tx, Send s, Optional<OutboxEntry> current,
      DeliveryResult result, String token, Instant at) {
    OutboxEntry e = s.entry();
    int attempt = e.attempts(); // counted when it passed the gates
    boolean ours = current.isPresent() && token.equals(current.get().lease())
        && current.get().status() == OutboxEntry.Status.PENDING;
    String id = e.key() + "#" + attempt;
    if (current.isEmpty()) {
      return; // the entry was deleted while sending (its person was erased): record nothing
    }
    switch (result.outcome()) {
      case DELIVERED: {
        String detail = s.detail();
        if (result.reference().isPresent()) {
          ObjectNode d = (ObjectNode) readTrigger(detail);
          d.put("reference", result.reference().get());
          detail = d.toString();
        }
        tx.putDelivery(new Delivery(id, s.message().profile(), at, e.rule(), e.channel(),
            e.key(), attempt, DELIVERED, null, detail));
        if (current.isPresent() && current.get().status() == OutboxEntry.Status.PENDING) {
          tx.updateOutbox(current.get().next(OutboxEntry.Status.DONE, attempt, current.get()
              .dueAt(), null));
        }
        return;
      }
      case RETRYABLE:
      case PERMANENT: {
        String reason = truncate(result.reason().orElse("failed"));
        boolean dead = result.outcome() == DeliveryResult.Outcome.PERMANENT
            || attempt >= retry.maxAttempts();
        tx.putDelivery(new Delivery(id, s.message().profile(), at, e.rule(), e.channel(),
            e.key(), attempt, dead ? DEAD : FAILED, reason, s.detail()));
        if (!ours) {
          return; // another worker holds it now; it will decide
        }
        if (dead) {
          tx.updateOutbox(current.get().next(OutboxEntry.Status.DEAD, attempt, at, reason));
          LOG.warn("activation {} of rule {} is a dead letter after {} attempts", e.key(),
              e.rule(), attempt);
        } else {
          Duration wait = backoff(attempt);
          if (result.retryAfter().isPresent() && result.retryAfter().get().compareTo(wait) > 0) {
            wait = result.retryAfter().get();
          }
          tx.updateOutbox(current.get().next(OutboxEntry.Status.PENDING, attempt, at.plus(wait),
              reason));
        }
        return;
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

  private static void suppress(WriteTransaction tx, OutboxEntry e, Instant now, String why,
      String detail) {
    tx.putDelivery(new Delivery(e.key() + "#s", e.profile(), now, e.rule(), e.channel(), e.key(),
        e.attempts(), SUPPRESSED, truncate(why), detail));
    tx.updateOutbox(e.next(OutboxEntry.Status.DONE, e.attempts(), e.dueAt(), null));
  }

  /** The live profile an id is or was merged into, or {@code null}. */
  static @Nullable ProfileId live(ReadTransaction tx, ProfileId id) {
    ProfileId p = id;
    for (int i = 0; i < 1000; i++) {
      if (tx.profile(p).isPresent()) {
        return p;
      }
      Optional<ProfileId> next = tx.redirect(p);
      if (next.isEmpty()) {
        return null;
      }
      p = next.get();
    }
    return null;
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

  private static @Nullable String recheck(ReadTransaction tx, Rule r, ProfileId pid,
      Instant since, Events events) {
    for (Recheck c : r.rechecks()) {
      if (c.isMembership()) {
        boolean member = false;
        for (Membership m : tx.memberships(pid)) {
          if (m.segment().equals(c.segment())) {
            member = true;
            break;
          }
        }
        if (!member) {
          return "recheck:not-member:" + c.segment();
        }
      } else {
        for (StoredEvent se : events.get()) {
          if (!se.event().eventTime().isBefore(since) && c.filter().test(se.event())) {
            return "recheck:event-since:" + StoredEvent.countedName(se.event());
          }
        }
      }
    }
    return null;
  }

  private @Nullable String consent(Rule r, ChannelRuntime ch, ProfileState state, Instant now,
      ObjectNode detail) {
    if (consent.contractBasis().contains(r.purpose())) {
      detail.put("basis", "contract");
      return null;
    }
    ProfileState.ConsentValue v = state.consents().get(new ConsentKey(r.purpose(),
        ch.consentChannel()));
    if (v == null) {
      return "no-consent";
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
    if (!v.granted()) {
      return "consent-denied";
    }
    if (v.statusAt(now) == ConsentStatus.EXPIRED
        || consent.maxAge() != null && v.time().plus(consent.maxAge()).isBefore(now)) {
      return "consent-expired";
    }
    detail.put("basis", v.basis().wireName());
    return null;
  }

  private static @Nullable String suppression(Rule r, Map<String, Object> payload, Events events,
      Instant now) {
    for (Suppression s : r.suppressions()) {
      Object want = payload.get(s.payloadKey());
      if (want == null) {
        continue;
      }
      Instant from = now.minus(s.within());
      for (StoredEvent se : events.get()) {
        Event ev = se.event();
        if (ev.eventTime().isBefore(from) || !s.filter().test(ev)) {
          continue;
        }
        for (Object v : s.path().values(ev)) {
          if (String.valueOf(v).equals(String.valueOf(want))) {
            return "suppression:" + s.name();
          }
        }
      }
    }
    return null;
  }

  private @Nullable String cap(ReadTransaction tx, OutboxEntry e, ProfileId pid, Instant now) {
    List<FrequencyCap> cs = caps.get(e.channel());
    if (cs == null) {
      return null;
    }
    List<Delivery> history = history(tx, pid);
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
        return "frequency-cap:" + c.max() + "/" + c.window();
      }
    }
    return null;
  }

  /**
   * A profile's delivery history with that of the profiles merged into it, sorted by time: the
   * history follows the person.
   */
  public static List<Delivery> history(ReadTransaction tx, ProfileId pid) {
    List<Delivery> out = new ArrayList<>(tx.deliveries(pid));
    Set<ProfileId> seen = new HashSet<>();
    seen.add(pid);
    List<ProfileId> todo = new ArrayList<>(List.of(pid));
    while (!todo.isEmpty()) {
      ProfileId p = todo.remove(todo.size() - 1);
      for (LedgerEntry le : tx.ledger(p)) {
        if (le.kind() == LedgerEntry.Kind.MERGED && le.profile().equals(p)
            && le.other() != null && seen.add(le.other())) {
          out.addAll(tx.deliveries(le.other()));
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
