package io.cdpkit.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.PurgeListener;
import io.cdpkit.core.PurgeReport;
import io.cdpkit.core.RetentionPolicy;
import io.cdpkit.core.json.CdpJacksonModule;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The person's rights over one pipeline: export, erasure, retention purges, the audit log. The
 * public face is {@link io.cdpkit.core.Privacy}.
 *
 * <p>Thread-safe.
 */
public final class PrivacyOps {
  private static final Logger LOG = LoggerFactory.getLogger(PrivacyOps.class);

  /** Profiles per purge transaction. */
  static final int PURGE_PAGE = 200;
  /** Audit lines read per query when collecting a person's. */
  private static final int AUDIT_PAGE = 500;

  /**
   * The export fields of the records modules keep, in the order the export has always shown
   * them, whichever module is found first.
   */
  private static final List<String> KNOWN_FIELDS =
      List.of("memberships", "scheduledCheck", "outbox", "deliveries");

  /** The modules' records of a person, found once on the class path. */
  private static final List<PersonalRecords> RECORDS = loadRecords();

  private static List<PersonalRecords> loadRecords() {
    List<PersonalRecords> found = new ArrayList<>();
    java.util.ServiceLoader.load(PersonalRecords.class, PersonalRecords.class.getClassLoader())
        .forEach(found::add);
    return List.copyOf(found);
  }

  private final Pipeline pipeline;
  private final ObjectMapper json = new ObjectMapper().registerModule(new CdpJacksonModule());

  public PrivacyOps(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** The identifier as stored, or empty when blocked. */
  private Optional<Identifier> normalize(Identifier raw) {
    return pipeline.config().rules().normalize(raw);
  }

  /** The live profile holding an identifier, and every id merged into it. */
  private record Person(ProfileId profile, List<ProfileId> merged, List<Identifier> identifiers,
      String component) {
    Set<ProfileId> allIds() {
      Set<ProfileId> s = new LinkedHashSet<>();
      s.add(profile);
      s.addAll(merged);
      return s;
    }
  }

  private static Optional<Person> person(ReadTransaction tx, Identifier id) {
    Optional<IdentityNode> node = tx.node(id);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    ProfileId p = node.get().profile();
    List<ProfileId> merged = new ArrayList<>();
    ArrayDeque<ProfileId> todo = new ArrayDeque<>(tx.redirectsTo(p));
    Set<ProfileId> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      ProfileId m = todo.poll();
      if (seen.add(m) && !m.equals(p)) {
        merged.add(m);
        todo.addAll(tx.redirectsTo(m));
      }
    }
    merged.sort(null);
    List<Identifier> ids = tx.nodesOfProfile(p).stream().map(IdentityNode::identifier)
        .sorted(java.util.Comparator.comparing((Identifier i) -> i.type().id())
            .thenComparing(Identifier::value))
        .toList();
    return Optional.of(new Person(p, merged, ids, node.get().component()));
  }

  // ---------------------------------------------------------------- export

  /** See {@link io.cdpkit.core.Privacy#export}. */
  public Optional<String> export(WorkspaceId ws, Identifier raw) {
    Optional<Identifier> n = normalize(raw);
    Instant now = pipeline.config().clock().instant();
    return pipeline.store().write(ws, tx -> {
      String subject = n.isPresent() ? pipeline.tombstones().hash(ws, tx, n.get()) : null;
      Optional<Person> who = n.flatMap(i -> person(tx, i));
      Optional<ObjectNode> doc = who.flatMap(p -> document(ws, tx, p, now));
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("found", doc.isPresent() ? 1L : 0L);
      doc.ifPresent(d -> counts.put("events", (long) d.get("events").size()));
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, now, "export",
          who.map(Person::profile).orElse(null), subject,
          AuditDetail.counts(raw.type().id(), counts)));
      return doc.map(ObjectNode::toString);
    });
  }

  private Optional<ObjectNode> document(WorkspaceId ws, ReadTransaction tx, Person p,
      Instant now) {
    Optional<ProfileRecord> rec = tx.profile(p.profile());
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    ProfileState state = rec.get().state();
    ObjectNode doc = json.createObjectNode();
    doc.put("workspace", ws.value());
    doc.put("exportedAt", now.toString());

    ObjectNode profile = doc.putObject("profile");
    profile.put("id", p.profile().value());
    profile.put("version", rec.get().version());
    ArrayNode merged = profile.putArray("mergedIds");
    p.merged().forEach(m -> merged.add(m.value()));
    ArrayNode ids = profile.putArray("identifiers");
    for (Identifier i : p.identifiers()) {
      ids.addObject().put("type", i.type().id()).put("value", i.value());
    }
    ObjectNode traits = profile.putObject("traits");
    for (Map.Entry<String, ProfileState.TraitValue> t : new TreeMap<>(state.traits()).entrySet()) {
      ObjectNode o = traits.putObject(t.getKey());
      o.set("value", value(t.getValue().value()));
      o.put("time", t.getValue().time().toString());
      o.put("messageId", t.getValue().messageId());
    }
    ObjectNode computed = profile.putObject("computedTraits");
    var ct = pipeline.traits().current();
    if (!ct.isEmpty()) {
      new TreeMap<>(ct.values(ws, state, now)).forEach((k, v) -> computed.set(k, value(v)));
    }
    ArrayNode consents = profile.putArray("consents");
    for (Map.Entry<ConsentKey, ProfileState.ConsentValue> c : state.consents().entrySet()) {
      ProfileState.ConsentValue v = c.getValue();
      ObjectNode o = consents.addObject().put("purpose", c.getKey().purpose())
          .put("channel", c.getKey().channel()).put("granted", v.granted())
          .put("status", v.statusAt(now).name().toLowerCase(java.util.Locale.ROOT))
          .put("time", v.time().toString())
          .put("messageId", v.messageId());
      evidence(o, v.basis(), v.source(), v.policyVersion(), v.proof(), v.expiresAt());
    }
    // Decisions bound to one contact point (ProfileState#addressConsents): filled below, once
    // the other people around the person are known.
    ArrayNode addressConsents = profile.putArray("addressConsents");
    if (state.firstSeen() != null) {
      profile.put("firstSeen", state.firstSeen().toString());
    }
    if (state.lastSeen() != null) {
      profile.put("lastSeen", state.lastSeen().toString());
    }

    List<StoredEvent> events = tx.eventsByAnchors(p.identifiers());
    Others others = new Others(p, events);
    // Each with its address; an address the profile does not hold (a decision its event
    // carried for somebody else's identifier that the identity rules kept apart) is redacted.
    for (var c : state.addressConsents().entrySet()) {
      ProfileState.ConsentValue v = c.getValue();
      ObjectNode o = addressConsents.addObject().put("purpose", c.getKey().purpose())
          .put("channel", c.getKey().channel());
      o.set("address", others.identifier(c.getKey().address()));
      o.put("granted", v.granted())
          .put("status", v.statusAt(now).name().toLowerCase(java.util.Locale.ROOT))
          .put("time", v.time().toString())
          .put("messageId", v.messageId());
      evidence(o, v.basis(), v.source(), v.policyVersion(), v.proof(), v.expiresAt());
    }
    ArrayNode history = doc.putArray("consentHistory");
    ArrayNode evs = doc.putArray("events");
    for (StoredEvent e : events) {
      for (ConsentChange c : e.event().consents()) {
        history.add(consentJson(c, e));
      }
      others.noteAll(e.identifiers());
      evs.add(json.valueToTree(e.event()));
    }

    // The records modules keep of the person (memberships, outbox, delivery history): top-level
    // fields each adds, redacted below like the person's own records.
    List<String> added = personalRecords(tx, p, doc);

    // The merge ledger and the identity graph name other people too: each of their
    // identifiers, profile ids and events is redacted (see Others).
    ArrayNode ledger = doc.putArray("ledger");
    Set<LedgerEntry> seen = new LinkedHashSet<>();
    for (ProfileId id : p.allIds()) {
      seen.addAll(tx.ledger(id));
    }
    List<LedgerEntry> lines = new ArrayList<>(seen);
    lines.sort(java.util.Comparator.comparing(LedgerEntry::recordedAt));
    for (LedgerEntry l : lines) {
      ObjectNode x = ledger.addObject();
      x.put("kind", l.kind().name().toLowerCase(java.util.Locale.ROOT));
      others.profile(x, "profile", l.profile());
      if (l.other() != null) {
        others.profile(x, "other", l.other());
      }
      if (l.identifier() != null) {
        x.set("identifier", others.identifier(l.identifier()));
      }
      others.event(x, l.messageId(), l.eventTime());
      x.put("recordedAt", l.recordedAt().toString()).put("reason", l.reason());
    }

    // The identity graph: the links that joined the person's identifiers (each made by an
    // event) and the do-not-link rules that name one of them.
    Set<Identifier> own = others.own;
    ArrayNode links = doc.putArray("identityLinks");
    for (Link l : tx.links(p.component())) {
      if (java.util.Collections.disjoint(l.identifiers(), own)) {
        continue;
      }
      ObjectNode x = links.addObject();
      others.event(x, l.key().messageId(), l.key().time());
      ArrayNode linked = x.putArray("identifiers");
      l.identifiers().forEach(i -> linked.add(others.identifier(i)));
    }
    ArrayNode rules = doc.putArray("doNotLink");
    tx.component(p.component()).ifPresent(c -> c.rules().forEach(r -> {
      if (own.contains(r.a()) || own.contains(r.b())) {
        rules.addObject().<ObjectNode>set("a", others.identifier(r.a()))
            .<ObjectNode>set("b", others.identifier(r.b()))
            .put("createdAt", r.createdAt().toString());
      }
    }));

    ArrayNode audit = doc.putArray("audit");
    Set<ProfileId> all = p.allIds();
    Set<String> hashes = new HashSet<>();
    for (Identifier i : p.identifiers()) {
      hashes.add(pipeline.tombstones().hash(ws, tx, i));
    }
    for (AuditEntry a : auditOf(tx, all, hashes)) {
      audit.add(others.audit(auditJson(a), a, hashes));
    }
    // Values of other people's identifiers inside the person's own records: her events, her
    // profile's traits and computed traits, and what modules keep of her (outbox triggers,
    // delivery details, ...).
    if (others.any()) {
      others.redactValues(evs);
      others.redactValues((ObjectNode) profile.get("traits"));
      others.redactValues(computed);
      for (String field : added) {
        others.redactValues(doc.get(field));
      }
    }
    return Optional.of(doc);
  }

  /**
   * Lets every {@link PersonalRecords} add its fields to the export; returns the names of the
   * fields they added, which this puts in a stable order: the known ones first
   * ({@link #KNOWN_FIELDS}), then the others as added.
   *
   * @throws IllegalStateException when a module replaced or removed a field already there
   */
  private static List<String> personalRecords(ReadTransaction tx, Person p, ObjectNode doc) {
    Map<String, JsonNode> before = new LinkedHashMap<>();
    doc.fields().forEachRemaining(e -> before.put(e.getKey(), e.getValue()));
    Set<ProfileId> ids = java.util.Collections.unmodifiableSet(p.allIds());
    for (PersonalRecords r : RECORDS) {
      r.export(tx, ids, doc);
      for (Map.Entry<String, JsonNode> e : before.entrySet()) {
        if (doc.get(e.getKey()) != e.getValue()) {
          throw new IllegalStateException(r.getClass().getName()
              + " changed the export's field " + e.getKey() + ": a module adds fields of its own");
        }
      }
    }
    Map<String, JsonNode> added = new LinkedHashMap<>();
    doc.fields().forEachRemaining(e -> {
      if (!before.containsKey(e.getKey())) {
        added.put(e.getKey(), e.getValue());
      }
    });
    if (added.isEmpty()) {
      return List.of();
    }
    List<String> order = new ArrayList<>();
    for (String known : KNOWN_FIELDS) {
      if (added.containsKey(known)) {
        order.add(known);
      }
    }
    for (String name : added.keySet()) {
      if (!order.contains(name)) {
        order.add(name);
      }
    }
    added.keySet().forEach(doc::remove);
    order.forEach(name -> doc.set(name, added.get(name)));
    return order;
  }

  /**
   * What of an export belongs to someone else, and how it is shown. The person's own data: the
   * identifiers her live profile holds, her profile ids (live and merged-away) and her events
   * (those anchored at her identifiers). Everything else the export would name is another
   * person's and is redacted:
   *
   * <ul>
   *   <li>an identifier of someone else (a link's other end, a ledger entry's refused or
   *       formerly merged identifier, a do-not-link rule's other side) is shown as
   *       {@code {"type": "email", "redacted": true}}: the type, never the value;
   *   <li>a profile id not hers is left out, with {@code "<field>Redacted": true};
   *   <li>the messageId and time of an event not hers (a link or ledger entry made by another
   *       person's event) are left out, with {@code "eventRedacted": true};
   *   <li>inside her own events, traits, computed traits and the fields modules add (outbox
   *       triggers, delivery details, ...), every string (and object key) that normalises, under the type of one of those other
   *       identifiers, to that identifier becomes {@code "[redacted <type>]"}.
   * </ul>
   *
   * Not thread-safe; one per export.
   */
  private final class Others {
    final Set<Identifier> own;
    final Set<ProfileId> ownIds;
    final Set<String> ownEvents = new HashSet<>();
    /** Other people's identifiers met so far, by type. */
    final Map<io.cdpkit.core.model.IdentifierType, Set<Identifier>> foreign = new TreeMap<>(
        java.util.Comparator.comparing(io.cdpkit.core.model.IdentifierType::id));

    Others(Person p, List<StoredEvent> events) {
      this.own = new HashSet<>(p.identifiers());
      this.ownIds = p.allIds();
      events.forEach(e -> ownEvents.add(e.messageId()));
    }

    boolean any() {
      return !foreign.isEmpty();
    }

    void note(Identifier i) {
      if (!own.contains(i)) {
        foreign.computeIfAbsent(i.type(), t -> new HashSet<>()).add(i);
      }
    }

    void noteAll(Collection<Identifier> ids) {
      ids.forEach(this::note);
    }

    ObjectNode identifier(Identifier i) {
      ObjectNode o = json.createObjectNode().put("type", i.type().id());
      if (own.contains(i)) {
        return o.put("value", i.value());
      }
      note(i);
      return o.put("redacted", true);
    }

    void profile(ObjectNode x, String field, ProfileId id) {
      if (ownIds.contains(id)) {
        x.put(field, id.value());
      } else {
        x.put(field + "Redacted", true);
      }
    }

    void event(ObjectNode x, @Nullable String messageId, @Nullable Instant time) {
      if (messageId == null) {
        if (time != null) {
          x.put("eventTime", time.toString());
        }
        return;
      }
      if (ownEvents.contains(messageId)) {
        x.put("messageId", messageId);
        if (time != null) {
          x.put("eventTime", time.toString());
        }
      } else {
        x.put("eventRedacted", true);
      }
    }

    /**
     * An audit line about the person as she may see it: a profile id (the line's or an
     * unmerge's {@code otherProfile}) or an identifier's keyed hash that is not hers is
     * redacted.
     */
    ObjectNode audit(ObjectNode x, AuditEntry a, Set<String> ownHashes) {
      if (a.profile() != null && !ownIds.contains(a.profile())) {
        x.remove("profile");
        x.put("profileRedacted", true);
      }
      if (a.subject() != null && !ownHashes.contains(a.subject())) {
        x.remove("subject");
        x.put("subjectRedacted", true);
      }
      if (x.get("detail") instanceof ObjectNode d && d.get("otherProfile") != null
          && ownIds.stream()
          .noneMatch(id -> id.value().equals(d.get("otherProfile").asText()))) {
        d.remove("otherProfile");
        d.put("otherProfileRedacted", true);
      }
      return x;
    }

    /** Strings judged so far, to their redacted form or to "" (nobody else's). */
    private final Map<String, String> judged = new java.util.HashMap<>();

    /** The redacted form of a string, or null when it is nobody else's identifier. */
    @Nullable String redacted(String s) {
      if (s.isEmpty() || s.length() > Identifier.MAX_VALUE_LENGTH) {
        return null;
      }
      // Events repeat their strings (names, keys, products): judge each distinct one once.
      String r = judged.computeIfAbsent(s, x -> {
        String y = judge(x);
        return y == null ? "" : y;
      });
      return r.isEmpty() ? null : r;
    }

    private @Nullable String judge(String s) {
      for (Map.Entry<io.cdpkit.core.model.IdentifierType, Set<Identifier>> f
          : foreign.entrySet()) {
        Optional<Identifier> n;
        try {
          n = normalize(new Identifier(f.getKey(), s));
        } catch (RuntimeException notOfThisType) {
          continue;
        }
        if (n.isPresent() && f.getValue().contains(n.get())) {
          return "[redacted " + f.getKey().id() + "]";
        }
      }
      return null;
    }

    void redactValues(@Nullable JsonNode node) {
      if (node instanceof ArrayNode a) {
        for (int i = 0; i < a.size(); i++) {
          JsonNode c = a.get(i);
          if (c.isTextual()) {
            String r = redacted(c.textValue());
            if (r != null) {
              a.set(i, json.getNodeFactory().textNode(r));
            }
          } else {
            redactValues(c);
          }
        }
      } else if (node instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
          JsonNode c = o.get(name);
          if (c.isTextual()) {
            String r = redacted(c.textValue());
            if (r != null) {
              o.put(name, r);
            }
          } else {
            redactValues(c);
          }
          String rk = redacted(name);
          if (rk != null) {
            JsonNode v = o.remove(name);
            String key = rk;
            for (int n = 2; o.has(key); n++) {
              key = rk + " " + n;
            }
            o.set(key, v);
          }
        }
      }
    }
  }

  /**
   * One consent decision of the consent history, with the event that made it. The one place
   * that turns a decision into export JSON.
   */
  private ObjectNode consentJson(ConsentChange c, StoredEvent e) {
    ObjectNode o = json.createObjectNode();
    o.put("purpose", c.purpose());
    o.put("channel", c.channel());
    o.put("granted", c.granted());
    o.put("time", e.key().time().toString());
    o.put("messageId", e.messageId());
    evidence(o, c.basis(), c.source(), c.policyVersion(), c.proof(), c.expiresAt());
    o.put("eventType", e.event().type().wireName());
    if (e.event().name() != null) {
      o.put("event", e.event().name());
    }
    if (e.event().context().source() != null) {
      o.put("eventSource", e.event().context().source());
    }
    return o;
  }

  /** The evidence of a consent decision: lawful basis, source, policy version, proof, expiry. */
  private static void evidence(ObjectNode o, io.cdpkit.core.model.LawfulBasis basis,
      @Nullable String source, @Nullable String policyVersion,
      io.cdpkit.core.model.@Nullable ConsentProof proof, @Nullable Instant expiresAt) {
    o.put("basis", basis.wireName());
    if (source != null) {
      o.put("source", source);
    }
    if (policyVersion != null) {
      o.put("policyVersion", policyVersion);
    }
    if (proof != null) {
      ObjectNode pr = o.putObject("proof");
      if (proof.formId() != null) {
        pr.put("formId", proof.formId());
      }
      if (proof.reference() != null) {
        pr.put("reference", proof.reference());
      }
      if (proof.confirmedAt() != null) {
        pr.put("confirmedAt", proof.confirmedAt().toString());
      }
    }
    if (expiresAt != null) {
      o.put("expiresAt", expiresAt.toString());
    }
  }

  private static List<AuditEntry> auditOf(ReadTransaction tx, Set<ProfileId> ids,
      Set<String> hashes) {
    List<AuditEntry> out = new ArrayList<>();
    long after = 0;
    while (true) {
      List<AuditEntry> page = tx.require(PrivacyStorage.class).audit(after, AUDIT_PAGE);
      for (AuditEntry a : page) {
        if ((a.profile() != null && ids.contains(a.profile()))
            || (a.subject() != null && hashes.contains(a.subject()))) {
          out.add(a);
        }
        after = a.seq();
      }
      if (page.size() < AUDIT_PAGE) {
        return out;
      }
    }
  }

  private ObjectNode auditJson(AuditEntry a) {
    ObjectNode x = json.createObjectNode();
    x.put("seq", a.seq()).put("at", a.at().toString()).put("operation", a.operation());
    if (a.profile() != null) {
      x.put("profile", a.profile().value());
    }
    if (a.subject() != null) {
      x.put("subject", a.subject());
    }
    x.set("detail", parsed(a.detail()));
    return x;
  }

  private JsonNode parsed(String text) {
    try {
      return json.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return json.getNodeFactory().textNode(text);
    }
  }

  /** A trait or computed trait value as JSON. */
  private JsonNode value(@Nullable Object v) {
    if (v == null) {
      return json.getNodeFactory().nullNode();
    }
    if (v instanceof TemporalAccessor) {
      return json.getNodeFactory().textNode(v.toString());
    }
    if (v instanceof Money) {
      Money m = (Money) v;
      return json.createObjectNode().put("minorUnits", m.minorUnits())
          .put("currency", m.currency());
    }
    if (v instanceof Map) {
      ObjectNode o = json.createObjectNode();
      ((Map<?, ?>) v).forEach((k, x) -> o.set(String.valueOf(k), value(x)));
      return o;
    }
    if (v instanceof Collection) {
      ArrayNode a = json.createArrayNode();
      ((Collection<?>) v).forEach(x -> a.add(value(x)));
      return a;
    }
    try {
      return json.valueToTree(v);
    } catch (IllegalArgumentException e) {
      return json.getNodeFactory().textNode(v.toString());
    }
  }

  // ---------------------------------------------------------------- erasure

  /** See {@link io.cdpkit.core.Privacy#erase}. */
  public ErasureReport erase(WorkspaceId ws, Identifier raw) {
    Identifier n = normalize(raw).orElseThrow(() -> new IllegalArgumentException(
        "identifier of type " + raw.type().id() + " is blocked: it belongs to nobody"));
    Instant now = pipeline.config().clock().instant();
    ErasureReport report = pipeline.write(ws, steps -> {
      WriteTransaction tx = steps.tx;
      Tombstones tombs = pipeline.tombstones();
      tombs.erasing(ws, tx);
      String subject = tombs.hash(ws, tx, n);
      Optional<Person> who = person(tx, n);
      ErasureReport r;
      if (who.isEmpty()) {
        tx.require(PrivacyStorage.class).putTombstone(subject, now);
        r = new ErasureReport(now, null, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      } else {
        r = erase(ws, steps, who.get(), now);
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("profiles", (long) r.profiles());
      counts.put("identifiers", (long) r.identifiers());
      counts.put("events", (long) r.events());
      counts.put("links", (long) r.links());
      counts.put("ledgerEntries", (long) r.ledgerEntries());
      counts.put("memberships", (long) r.memberships());
      counts.put("outboxEntries", (long) r.outboxEntries());
      counts.put("deliveries", (long) r.deliveries());
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, now, "erase", r.profile(),
          subject,
          AuditDetail.counts(raw.type().id(), counts)));
      return r;
    });
    pipeline.tombstones().erased(ws);
    LOG.info("erased {} profile(s), {} event(s) in workspace {}", report.profiles(),
        report.events(), ws);
    return report;
  }

  private ErasureReport erase(WorkspaceId ws, Pipeline.Steps steps, Person p, Instant now) {
    WriteTransaction tx = steps.tx;
    PrivacyStorage privacy = tx.require(PrivacyStorage.class);
    Set<Identifier> gone = new HashSet<>(p.identifiers());
    Set<ProfileId> ids = p.allIds();

    // Events anchored at the person's identifiers; and the probable-match links of duplicate
    // detection that carry one of them while anchored at another person's identifier (after
    // an unmerge): CDPKit's own events, which add nothing but the link.
    List<String> events = new ArrayList<>(privacy.messageIdsByAnchors(p.identifiers()));
    Set<String> anchored = new HashSet<>(events);
    List<Link> links = tx.links(p.component());
    for (Link l : links) {
      String id = l.key().messageId();
      if (!anchored.contains(id) && l.identifiers().stream().anyMatch(gone::contains)
          && tx.event(id).map(e -> OwnEvents.isProbableMatch(e.event())).orElse(false)) {
        events.add(id);
      }
    }
    privacy.deleteEvents(events);

    // The ledger, counted before it goes.
    Set<LedgerEntry> ledger = new HashSet<>();
    for (ProfileId id : ids) {
      ledger.addAll(tx.ledger(id));
    }

    // The identity graph: the component loses the person's nodes; links and do-not-link rules
    // lose the person's identifiers, so the other profiles of the component keep theirs.
    ComponentRecord comp = tx.component(p.component()).orElse(null);
    int linksTouched = 0;
    privacy.deleteLinks(p.component());
    for (Identifier i : p.identifiers()) {
      privacy.deleteNode(i);
    }
    boolean othersLeft = !tx.nodesOfComponent(p.component()).isEmpty();
    if (!othersLeft) {
      linksTouched = links.size();
      tx.deleteComponent(p.component());
    } else {
      io.cdpkit.core.model.EventKey latest = null;
      for (Link l : links) {
        List<Identifier> kept = l.identifiers().stream().filter(i -> !gone.contains(i)).toList();
        if (kept.size() != l.identifiers().size()) {
          linksTouched++;
        }
        if (kept.size() >= 2) {
          tx.addLink(p.component(), new Link(l.key(), kept));
          if (latest == null || l.key().isAfter(latest)) {
            latest = l.key();
          }
        }
      }
      List<DoNotLinkRule> rules = new ArrayList<>();
      if (comp != null) {
        for (DoNotLinkRule r : comp.rules()) {
          if (!gone.contains(r.a()) && !gone.contains(r.b())) {
            rules.add(r);
          }
        }
      }
      tx.putComponent(new ComponentRecord(p.component(), latest, rules));
    }

    // Profiles; observers learn of the deletion (a change with no after and no survivor).
    tx.deleteProfile(p.profile());
    for (ProfileId m : p.merged()) {
      privacy.deleteRedirect(m);
    }
    steps.done("erase", null);

    for (ProfileId id : ids) {
      privacy.deleteLedger(id);
    }
    // What modules keep per profile (memberships, outbox, delivery history), after they
    // reacted.
    Map<String, Integer> erased = new HashMap<>();
    Set<ProfileId> all = java.util.Collections.unmodifiableSet(ids);
    for (PersonalRecords r : RECORDS) {
      r.erase(tx, all).forEach((kind, n) -> erased.merge(kind, n, Integer::sum));
    }

    for (Identifier i : p.identifiers()) {
      privacy.putTombstone(pipeline.tombstones().hash(ws, tx, i), now);
    }
    return new ErasureReport(now, p.profile(), ids.size(), p.identifiers().size(),
        events.size(), linksTouched, ledger.size(), erased.getOrDefault("memberships", 0),
        erased.getOrDefault("outboxEntries", 0), erased.getOrDefault("deliveries", 0),
        erased.getOrDefault(DedupRecords.REVIEW_ITEMS, 0));
  }

  // ---------------------------------------------------------------- retention

  /** See {@link io.cdpkit.core.Privacy#purge}. */
  public PurgeReport purge(WorkspaceId ws, RetentionPolicy policy, PurgeListener listener) {
    Instant now = pipeline.config().clock().instant();
    ProfileId after = null;
    long scanned = 0;
    long deleted = 0;
    long changed = 0;
    while (true) {
      ProfileId from = after;
      List<ProfileId> page = pipeline.store().read(ws, tx -> tx.profilesAfter(from, PURGE_PAGE))
          .stream().map(ProfileRecord::id).toList();
      if (page.isEmpty()) {
        break;
      }
      long[] counts = pipeline.write(ws, steps -> {
        WriteTransaction tx = steps.tx;
        long d = 0;
        long c = 0;
        for (ProfileId id : page) {
          List<Identifier> members = tx.nodesOfProfile(id).stream()
              .map(IdentityNode::identifier).toList();
          List<String> expired = new ArrayList<>();
          for (StoredEvent e : tx.eventsByAnchors(members)) {
            if (policy.expired(e.event(), now)) {
              expired.add(e.messageId());
            }
          }
          if (expired.isEmpty()) {
            continue;
          }
          tx.require(PrivacyStorage.class).deleteEvents(expired);
          d += expired.size();
          Optional<ProfileRecord> before = tx.profile(id);
          pipeline.resolver().recompute(ws, tx, id);
          if (!before.equals(tx.profile(id))) {
            c++;
          }
        }
        steps.done("purge", null);
        return new long[] {d, c};
      });
      scanned += page.size();
      deleted += counts[0];
      changed += counts[1];
      listener.progress(scanned, deleted);
      after = page.get(page.size() - 1);
    }
    PurgeReport report = new PurgeReport(now, scanned, changed, deleted);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("profilesScanned", scanned);
    counts.put("profilesChanged", changed);
    counts.put("eventsDeleted", deleted);
    pipeline.store().write(ws, tx -> tx.require(PrivacyStorage.class).appendAudit(
        new AuditEntry(0, now, "purge", null, null, AuditDetail.counts(null, counts))));
    LOG.info("retention purge of workspace {}: {} profiles scanned, {} events deleted", ws,
        scanned, deleted);
    return report;
  }

  // ---------------------------------------------------------------- audit log

  /** See {@link io.cdpkit.core.Privacy#audit}. */
  public List<AuditEntry> audit(WorkspaceId ws, long afterSeq, int limit) {
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must not be negative, was " + afterSeq);
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return pipeline.store().read(ws, tx -> tx.require(PrivacyStorage.class).audit(afterSeq,
        limit));
  }
}
