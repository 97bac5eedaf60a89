package io.cdpkit.activation.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.CdpException;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.Profiles;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentRecord;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's routes: the static page, its script and style sheet, and the JSON API. See
 * {@link Console}. Thread-safe (holds nothing that changes).
 */
final class ConsoleHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Console.class);

  /** Sent with every answer. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none';"
      + " frame-ancestors 'none'";
  /** The longest search body, in bytes. */
  static final int MAX_BODY = 4_096;
  /** Events a profile page lists, the latest. */
  static final int MAX_EVENTS = 200;
  /** Identifier types the search tries when the type is {@code any}. */
  static final List<IdentifierType> ANY = List.of(IdentifierType.EMAIL, IdentifierType.PHONE,
      IdentifierType.CUSTOMER_ID, IdentifierType.LOYALTY_CARD, IdentifierType.POS_CUSTOMER,
      IdentifierType.ANONYMOUS_ID, IdentifierType.DEVICE_ID);

  private static final Pattern PROFILE = Pattern.compile(
      "/api/w/([A-Za-z0-9_.-]{1,64})/profiles/([A-Za-z0-9_.-]{1,64})");
  private static final Pattern SEGMENTS = Pattern.compile("/api/w/([A-Za-z0-9_.-]{1,64})/segments");
  private static final Pattern HISTORY = Pattern.compile(
      "/api/w/([A-Za-z0-9_.-]{1,64})/segments/([a-z0-9][a-z0-9_-]{0,63})/history");
  private static final Pattern HEALTH = Pattern.compile("/api/w/([A-Za-z0-9_.-]{1,64})/health");
  private static final Map<String, String[]> STATIC = Map.of(
      "/", new String[] {"index.html", "text/html; charset=utf-8"},
      "/console.js", new String[] {"console.js", "text/javascript; charset=utf-8"},
      "/console.css", new String[] {"console.css", "text/css; charset=utf-8"});

  /** Writes JSON with {@code < > &} escaped, so no answer holds markup even if sniffed. */
  private static final ObjectMapper JSON_OUT = new ObjectMapper();

  static {
    JSON_OUT.getFactory().setCharacterEscapes(new com.fasterxml.jackson.core.io.CharacterEscapes() {
      private final int[] escapes;

      {
        int[] e = standardAsciiEscapesForJSON();
        e['<'] = ESCAPE_STANDARD;
        e['>'] = ESCAPE_STANDARD;
        e['&'] = ESCAPE_STANDARD;
        escapes = e;
      }

      @Override
      public int[] getEscapeCodesForAscii() {
        return escapes;
      }

      @Override
      public com.fasterxml.jackson.core.@Nullable SerializableString getEscapeSequence(int ch) {
        return null;
      }
    });
  }

  private final Cdp cdp;
  private final List<WorkspaceId> workspaces;
  private final String prefix;
  private final Credentials credentials;
  private final @Nullable SegmentsView segments;
  private final @Nullable Activation activation;
  private final io.cdpkit.core.@Nullable ProgressBoard progress;
  private final java.time.Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, byte[]> resources = new LinkedHashMap<>();

  ConsoleHandler(Cdp cdp, List<WorkspaceId> workspaces, String prefix, Credentials credentials,
      @Nullable SegmentsView segments, @Nullable Activation activation,
      io.cdpkit.core.@Nullable ProgressBoard progress, java.time.Clock clock) {
    this.cdp = cdp;
    this.clock = clock;
    this.workspaces = workspaces;
    this.prefix = prefix;
    this.credentials = credentials;
    this.segments = segments;
    this.activation = activation;
    this.progress = progress;
    for (String[] r : STATIC.values()) {
      try (InputStream in = ConsoleHandler.class.getResourceAsStream(r[0])) {
        if (in == null) {
          throw new IllegalStateException("console resource " + r[0] + " is missing");
        }
        resources.put(r[0], in.readAllBytes());
      } catch (IOException e) {
        throw new IllegalStateException("console resource " + r[0] + " is unreadable", e);
      }
    }
  }

  /** An answer: status, content type, body, extra headers. */
  private record Answer(int status, String type, byte[] body, Map<String, String> headers) {
    static Answer json(int status, JsonNode node) {
      try {
        return new Answer(status, "application/json; charset=utf-8",
            JSON_OUT.writeValueAsBytes(node), Map.of());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a JSON tree could not be written", e);
      }
    }

    static Answer error(int status, String message) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("error", message);
      return json(status, o);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String route = "?";
    Answer a;
    try {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (!path.equals(prefix) && !path.startsWith(prefix + "/")) {
        route = "outside";
        a = Answer.error(404, "not found");
      } else if (!credentials.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
        route = "unauthorized";
        Answer e = Answer.error(401, "a valid credential is required");
        a = credentials.basicEnabled() ? new Answer(401, e.type(), e.body(),
            Map.of("WWW-Authenticate", "Basic realm=\"CDPKit console\", charset=\"UTF-8\""))
            : new Answer(401, e.type(), e.body(), Map.of("WWW-Authenticate", "Bearer"));
      } else {
        String rest = path.substring(prefix.length());
        String[] r = new String[] {"?"};
        a = route(method, rest, exchange, r);
        route = r[0];
      }
    } catch (CdpException | IllegalArgumentException e) {
      // The message names a field and a rule, never a value (the house rule for exceptions).
      a = Answer.error(400, e.getMessage() == null ? "bad request" : e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("console {} failed: {}", route, e.getClass().getName());
      a = Answer.error(500, "internal error");
    }
    send(exchange, a);
    LOG.debug("console {} {} -> {}", exchange.getRequestMethod(), route, a.status());
  }

  private Answer route(String method, String rest, HttpExchange exchange, String[] route)
      throws IOException {
    boolean get = method.equals("GET") || method.equals("HEAD");
    if (rest.isEmpty()) {
      route[0] = "redirect";
      if (!get) {
        return notAllowed("GET, HEAD");
      }
      return new Answer(302, "text/plain; charset=utf-8", new byte[0],
          Map.of("Location", prefix + "/"));
    }
    String[] res = STATIC.get(rest);
    if (res != null) {
      route[0] = rest;
      return get ? new Answer(200, res[1], resources.get(res[0]), Map.of())
          : notAllowed("GET, HEAD");
    }
    if (rest.equals("/api/search")) {
      route[0] = "search";
      if (!method.equals("POST")) {
        return notAllowed("POST");
      }
      return search(exchange);
    }
    if (rest.equals("/api/workspaces")) {
      route[0] = "workspaces";
      if (!get) {
        return notAllowed("GET, HEAD");
      }
      ObjectNode o = json.createObjectNode();
      ArrayNode ws = o.putArray("workspaces");
      workspaces.forEach(w -> ws.add(w.value()));
      o.put("segments", segments != null);
      o.put("activation", activation != null);
      o.put("jobs", progress != null);
      return Answer.json(200, o);
    }
    if (rest.equals("/api/jobs")) {
      route[0] = "jobs";
      if (!get) {
        return notAllowed("GET, HEAD");
      }
      return jobs();
    }
    Matcher m;
    if ((m = PROFILE.matcher(rest)).matches()) {
      route[0] = "profile";
      return get ? profile(m.group(1), m.group(2)) : notAllowed("GET, HEAD");
    }
    if ((m = SEGMENTS.matcher(rest)).matches()) {
      route[0] = "segments";
      return get ? segmentList(m.group(1)) : notAllowed("GET, HEAD");
    }
    if ((m = HISTORY.matcher(rest)).matches()) {
      route[0] = "history";
      return get ? history(m.group(1), m.group(2), exchange.getRequestURI().getRawQuery())
          : notAllowed("GET, HEAD");
    }
    if ((m = HEALTH.matcher(rest)).matches()) {
      route[0] = "health";
      return get ? health(m.group(1)) : notAllowed("GET, HEAD");
    }
    route[0] = "unknown";
    return Answer.error(404, "not found");
  }

  private static Answer notAllowed(String allow) {
    Answer a = Answer.error(405, "method not allowed; the console is read-only");
    return new Answer(a.status(), a.type(), a.body(), Map.of("Allow", allow));
  }

  private Optional<WorkspaceId> workspace(String value) {
    return workspaces.stream().filter(w -> w.value().equals(value)).findFirst();
  }

  // ------------------------------------------------------------------ search

  private Answer search(HttpExchange exchange) throws IOException {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      return Answer.error(415, "search: Content-Type must be application/json");
    }
    String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return Answer.error(403, "search: cross-site requests are refused");
    }
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      return Answer.error(413, "search: body larger than " + MAX_BODY + " bytes");
    }
    JsonNode req;
    try {
      req = json.readTree(body);
    } catch (JsonProcessingException e) {
      return Answer.error(400, "search: body is not JSON");
    }
    if (req == null || !req.isObject()) {
      return Answer.error(400, "search: body must be a JSON object");
    }
    JsonNode wsNode = req.get("workspace");
    JsonNode typeNode = req.get("type");
    JsonNode valueNode = req.get("value");
    if (wsNode == null || !wsNode.isTextual()) {
      return Answer.error(400, "search: /workspace must be a string");
    }
    if (typeNode == null || !typeNode.isTextual()) {
      return Answer.error(400, "search: /type must be a string");
    }
    if (valueNode == null || !valueNode.isTextual() || valueNode.asText().isBlank()) {
      return Answer.error(400, "search: /value must be a non-blank string");
    }
    Optional<WorkspaceId> ws = workspace(wsNode.asText());
    if (ws.isEmpty()) {
      return Answer.error(404, "search: /workspace is not one this console shows");
    }
    List<IdentifierType> types;
    if (typeNode.asText().equals("any")) {
      types = ANY;
    } else if (typeNode.asText().matches("[a-z][a-z0-9_]{0,31}")) {
      types = List.of(IdentifierType.of(typeNode.asText()));
    } else {
      return Answer.error(400, "search: /type must be any or an identifier type such as email");
    }
    Profiles profiles = cdp.workspace(ws.get()).profiles();
    ObjectNode out = json.createObjectNode();
    ArrayNode found = out.putArray("profiles");
    List<String> seen = new ArrayList<>();
    for (IdentifierType t : types) {
      Optional<Profile> p;
      try {
        p = profiles.find(Identifier.of(t, valueNode.asText()));
      } catch (CdpException | IllegalArgumentException e) {
        if (types.size() == 1) {
          throw e;
        }
        continue; // not a valid value of this type (a phone number that is not one)
      }
      if (p.isPresent() && !seen.contains(p.get().id().value())) {
        seen.add(p.get().id().value());
        ObjectNode o = found.addObject();
        o.put("id", p.get().id().value());
        o.put("matchedType", t.id());
      }
    }
    return Answer.json(200, out);
  }

  // ------------------------------------------------------------------ profile

  private Answer profile(String wsValue, String idValue) {
    Optional<WorkspaceId> ws = workspace(wsValue);
    if (ws.isEmpty()) {
      return Answer.error(404, "not found");
    }
    Profiles profiles = cdp.workspace(ws.get()).profiles();
    ProfileId asked = ProfileId.of(idValue);
    Optional<Profile> found = profiles.get(asked);
    if (found.isEmpty()) {
      return Answer.error(404, "no such profile");
    }
    Profile p = found.get();
    ObjectNode o = json.createObjectNode();
    o.put("workspace", ws.get().value());
    o.put("id", p.id().value());
    if (!p.id().equals(asked)) {
      o.put("mergedFrom", asked.value());
    }
    o.put("restricted", p.restricted());
    p.firstSeen().ifPresent(t -> o.put("firstSeen", t.toString()));
    p.lastSeen().ifPresent(t -> o.put("lastSeen", t.toString()));
    ArrayNode ids = o.putArray("identifiers");
    for (Identifier i : p.identifiers()) {
      ids.addObject().put("type", i.type().id()).put("value", i.value());
    }
    ObjectNode traits = o.putObject("traits");
    p.traits().forEach((k, v) -> traits.set(k, value(v)));
    ObjectNode computed = o.putObject("computedTraits");
    p.computedTraits().forEach((k, v) -> computed.set(k, value(v)));

    ObjectNode summary = o.putObject("summary");
    summary.put("orders", p.orderCount());
    ObjectNode spend = summary.putObject("totalSpend");
    p.totalSpend().forEach((c, m) -> spend.put(c, m.toBigDecimal().toPlainString()));
    p.customerSince().ifPresent(t -> summary.put("customerSince", t.toString()));
    p.favouriteStore().ifPresent(s -> summary.put("favouriteStore", s));
    p.favouriteChannel().ifPresent(s -> summary.put("favouriteChannel", s));

    consents(o, p, profiles.consentHistory(p.id()));
    timeline(o.putArray("timeline"), p.state());

    List<Event> events = profiles.events(p.id());
    ArrayNode ev = o.putArray("events");
    o.put("eventCount", events.size());
    for (Event e : events.subList(Math.max(0, events.size() - MAX_EVENTS), events.size())) {
      ObjectNode x = ev.addObject();
      x.put("time", e.eventTime().toString());
      x.put("type", e.type().toString().toLowerCase(java.util.Locale.ROOT));
      if (e.name() != null) {
        x.put("name", e.name());
      }
      x.put("messageId", e.messageId());
    }

    ArrayNode ledger = o.putArray("ledger");
    for (LedgerEntry l : profiles.ledger(p.id())) {
      ObjectNode x = ledger.addObject();
      x.put("kind", l.kind().name().toLowerCase(java.util.Locale.ROOT));
      x.put("profile", l.profile().value());
      if (l.other() != null) {
        x.put("other", l.other().value());
      }
      if (l.identifier() != null) {
        x.put("identifier", l.identifier().type().id() + ": " + l.identifier().value());
      }
      if (l.messageId() != null) {
        x.put("messageId", l.messageId());
      }
      if (l.eventTime() != null) {
        x.put("eventTime", l.eventTime().toString());
      }
      x.put("recordedAt", l.recordedAt().toString());
      x.put("reason", l.reason());
    }

    ArrayNode segs = o.putArray("segments");
    o.put("segmentsShown", segments != null);
    if (segments != null) {
      segments.profile(ws.get(), p.id(), segs);
    }
    ArrayNode deliveries = o.putArray("deliveries");
    o.put("deliveriesShown", activation != null);
    if (activation != null) {
      for (Delivery d : activation.deliveries(ws.get(), p.id())) {
        ObjectNode x = deliveries.addObject();
        x.put("at", d.at().toString());
        x.put("rule", d.rule());
        x.put("channel", d.channel());
        x.put("attempt", d.attempt());
        x.put("outcome", d.outcome());
        if (d.reason() != null) {
          x.put("reason", d.reason());
        }
      }
    }
    return Answer.json(200, o);
  }

  private void consents(ObjectNode o, Profile p, List<ConsentRecord> history) {
    ArrayNode current = o.putArray("consents");
    Instant now = p.readAt() == null ? clock.instant() : p.readAt();
    java.util.TreeSet<ConsentKey> keys = new java.util.TreeSet<>(p.state().consents().keySet());
    for (ConsentRecord r : history) {
      keys.add(r.key());
    }
    for (ConsentKey k : keys) {
      current.addObject().put("purpose", k.purpose()).put("channel", k.channel())
          .put("status", p.consentStatus(k.purpose(), k.channel(), now).toString()
              .toLowerCase(java.util.Locale.ROOT));
    }
    // Decisions given for one address (an e-mail, a phone, a push token), as in force.
    ArrayNode perAddress = o.putArray("addressConsents");
    for (Map.Entry<io.cdpkit.core.model.AddressConsentKey, ProfileState.ConsentValue> e
        : new java.util.TreeMap<>(p.state().addressConsents()).entrySet()) {
      io.cdpkit.core.model.AddressConsentKey k = e.getKey();
      ProfileState.ConsentValue v = e.getValue();
      ObjectNode x = perAddress.addObject();
      x.put("purpose", k.purpose());
      x.put("channel", k.channel());
      x.put("address", k.address().type().id() + ": " + k.address().value());
      x.put("status", p.consentStatus(k.purpose(), k.channel(), k.address(), now).toString()
          .toLowerCase(java.util.Locale.ROOT));
      x.put("time", v.time().toString());
      x.put("messageId", v.messageId());
    }
    ArrayNode h = o.putArray("consentHistory");
    for (ConsentRecord r : history) {
      ConsentChange c = r.change();
      ObjectNode x = h.addObject();
      x.put("time", r.time().toString());
      x.put("messageId", r.messageId());
      x.put("purpose", c.purpose());
      x.put("channel", c.channel());
      x.put("granted", c.granted());
      x.put("basis", c.basis().toString().toLowerCase(java.util.Locale.ROOT));
      if (c.source() != null) {
        x.put("source", c.source());
      }
      if (c.policyVersion() != null) {
        x.put("policyVersion", c.policyVersion());
      }
      if (c.proof() != null) {
        ObjectNode proof = x.putObject("proof");
        if (c.proof().formId() != null) {
          proof.put("formId", c.proof().formId());
        }
        if (c.proof().reference() != null) {
          proof.put("reference", c.proof().reference());
        }
        if (c.proof().confirmedAt() != null) {
          proof.put("confirmedAt", c.proof().confirmedAt().toString());
        }
      }
      if (c.expiresAt() != null) {
        x.put("expiresAt", c.expiresAt().toString());
      }
    }
  }

  /** Orders and refunds by time. */
  private void timeline(ArrayNode out, ProfileState state) {
    List<ObjectNode> items = new ArrayList<>();
    for (Map.Entry<String, ProfileState.OrderEntry> e : state.orders().entrySet()) {
      ProfileState.Order c = e.getValue().completion();
      if (c != null) {
        ObjectNode x = out.objectNode();
        x.put("kind", "order");
        x.put("time", c.time().toString());
        x.put("orderId", e.getKey());
        x.put("amount", money(c.value()));
        if (c.channel() != null) {
          x.put("channel", c.channel());
        }
        if (c.storeId() != null) {
          x.put("store", c.storeId());
        }
        items.add(x);
      }
      for (ProfileState.Refund r : e.getValue().refunds().values()) {
        ObjectNode x = out.objectNode();
        x.put("kind", "refund");
        x.put("time", r.time().toString());
        x.put("orderId", e.getKey());
        x.put("amount", r.amount() == null ? "whole order" : money(r.amount()));
        items.add(x);
      }
    }
    items.sort(Comparator.comparing((ObjectNode x) -> Instant.parse(x.get("time").asText()))
        .thenComparing(x -> x.get("kind").asText()));
    out.addAll(items);
  }

  private static String money(Money m) {
    return m.toBigDecimal().toPlainString() + " " + m.currency();
  }

  /** A trait value as JSON: maps, lists, numbers, booleans and text; anything else as text. */
  private JsonNode value(@Nullable Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = f.objectNode();
      m.forEach((k, x) -> o.set(String.valueOf(k), value(x)));
      return o;
    }
    if (v instanceof Collection<?> c) {
      ArrayNode a = f.arrayNode();
      c.forEach(x -> a.add(value(x)));
      return a;
    }
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof BigDecimal d) {
      return f.textNode(d.toPlainString());
    }
    if (v instanceof Long || v instanceof Integer) {
      return f.numberNode(((Number) v).longValue());
    }
    if (v instanceof Number n) {
      return f.textNode(n.toString());
    }
    return f.textNode(v.toString());
  }

  // ------------------------------------------------------------------ segments and health

  private Answer segmentList(String wsValue) {
    Optional<WorkspaceId> ws = workspace(wsValue);
    if (ws.isEmpty() || segments == null) {
      return Answer.error(404, "not found");
    }
    ObjectNode o = json.createObjectNode();
    segments.list(ws.get(), o.putArray("segments"));
    o.put("maxCount", SegmentsView.MAX_COUNT);
    return Answer.json(200, o);
  }

  private Answer history(String wsValue, String segment, @Nullable String query) {
    Optional<WorkspaceId> ws = workspace(wsValue);
    if (ws.isEmpty() || segments == null || !segments.exists(ws.get(), segment)) {
      return Answer.error(404, "not found");
    }
    LocalDate to = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate from = to.minusDays(29);
    if (query != null) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        String k = eq < 0 ? kv : kv.substring(0, eq);
        String v = eq < 0 ? "" : kv.substring(eq + 1);
        try {
          switch (k) {
            case "from" -> from = LocalDate.parse(v);
            case "to" -> to = LocalDate.parse(v);
            default -> {
              return Answer.error(400, "history: unknown parameter (from and to are known)");
            }
          }
        } catch (DateTimeParseException e) {
          return Answer.error(400, "history: " + k + " must be a day like 2026-12-06");
        }
      }
    }
    ObjectNode o = json.createObjectNode();
    o.put("segment", segment);
    o.put("from", from.toString());
    o.put("to", to.toString());
    segments.history(ws.get(), segment, from, to, o.putArray("days"));
    return Answer.json(200, o);
  }


  private Answer health(String wsValue) {
    Optional<WorkspaceId> ws = workspace(wsValue);
    if (ws.isEmpty() || activation == null) {
      return Answer.error(404, "not found");
    }
    Activation.OutboxHealth h = activation.outboxHealth(ws.get());
    ObjectNode o = json.createObjectNode();
    o.put("pending", h.pending());
    o.put("oldestAgeSeconds", h.oldestAge().toSeconds());
    int dead = activation.deadLetters(ws.get(), null, 1_001).size();
    o.put("deadLetters", Math.min(dead, 1_000));
    o.put("deadLettersCapped", dead > 1_000);
    return Answer.json(200, o);
  }

  private Answer jobs() {
    if (progress == null) {
      return Answer.error(404, "not found");
    }
    ObjectNode o = json.createObjectNode();
    ArrayNode list = o.putArray("jobs");
    for (io.cdpkit.core.ProgressBoard.JobStatus j : progress.jobs()) {
      ObjectNode x = list.addObject();
      x.put("name", j.name());
      x.put("phase", j.phase());
      x.put("done", j.done());
      if (j.total() >= 0) {
        x.put("total", j.total());
      }
      x.put("started", j.started().toString());
      x.put("updated", j.updated().toString());
      if (j.finished() != null) {
        x.put("finished", j.finished().toString());
      }
    }
    return Answer.json(200, o);
  }

  // ------------------------------------------------------------------ sending

  private static void send(HttpExchange exchange, Answer a) throws IOException {
    Headers h = exchange.getResponseHeaders();
    h.set("Content-Security-Policy", CSP);
    h.set("X-Frame-Options", "DENY");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cache-Control", "no-store");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    h.set("Content-Type", a.type());
    a.headers().forEach(h::set);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (head || a.body().length == 0) {
      exchange.sendResponseHeaders(a.status(), -1);
    } else {
      exchange.sendResponseHeaders(a.status(), a.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(a.body());
      }
    }
    exchange.close();
  }
}
