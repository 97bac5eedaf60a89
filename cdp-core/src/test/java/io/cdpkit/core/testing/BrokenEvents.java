package io.cdpkit.core.testing;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * Batches of valid retail events in which one random field of some events is broken with an
 * adversarial value, each break with the outcome the ingest door promises for it: the event is
 * rejected naming a field, or kept with a warning. The same batch can be sent built in Java
 * ({@link Batch#events()}) or as a JSON body ({@link Batch#json()}).
 *
 * <p>Used by the property test in cdp-core and the red-team suite on every store. Not
 * thread-safe; a batch is a pure function of its seed.
 */
public final class BrokenEvents {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private BrokenEvents() {}

  /** What a break should do to its event. */
  public enum Expect {
    /** The event is rejected. */
    REJECTED,
    /** The event is stored with a warning of {@link Break#warning}. */
    WARNED
  }

  /**
   * One way to break an event.
   *
   * @param name what it does, for reports
   * @param types the event kinds it applies to ({@code identify}, {@code order}, ...)
   * @param expect what the door must do
   * @param warning the warning kind when {@link Expect#WARNED}
   * @param javaOk whether it can be expressed with the Java builder
   * @param jsonOk whether it can be expressed as JSON
   * @param text whether it attacks the canonical-text rule (unpaired surrogates, NUL, control
   *     and invisible characters), for reports
   * @param deep whether it attacks the depth limit of values built in Java (10,000 levels),
   *     for reports
   * @param apply changes the message (a JSON-like map with {@link Instant} times) given "now"
   */
  public record Break(String name, List<String> types, Expect expect,
      IngestWarning.Kind warning, boolean javaOk, boolean jsonOk, boolean text, boolean deep,
      BiConsumer<Map<String, Object>, Instant> apply) {}

  private static Break reject(String name, List<String> types,
      BiConsumer<Map<String, Object>, Instant> apply) {
    return new Break(name, types, Expect.REJECTED, null, true, true, false, false, apply);
  }

  private static Break warn(String name, List<String> types, IngestWarning.Kind kind,
      BiConsumer<Map<String, Object>, Instant> apply) {
    return new Break(name, types, Expect.WARNED, kind, true, true, false, false, apply);
  }

  private static Break jsonOnly(Break b) {
    return new Break(b.name(), b.types(), b.expect(), b.warning(), false, true, b.text(),
        b.deep(), b.apply());
  }

  private static Break javaOnly(Break b) {
    return new Break(b.name(), b.types(), b.expect(), b.warning(), true, false, b.text(),
        b.deep(), b.apply());
  }

  private static Break text(Break b) {
    return new Break(b.name(), b.types(), b.expect(), b.warning(), b.javaOk(), b.jsonOk(), true,
        b.deep(), b.apply());
  }

  private static Break deep(Break b) {
    return new Break(b.name(), b.types(), b.expect(), b.warning(), b.javaOk(), b.jsonOk(),
        b.text(), true, b.apply());
  }

  static final String OVERSIZED = "property of 300,000 characters";
  static final List<String> ALL = List.of("identify", "order", "page", "consent");
  static final List<String> ORDER = List.of("order");
  static final List<String> IDENTIFY = List.of("identify");

  @SuppressWarnings("unchecked")
  static Map<String, Object> props(Map<String, Object> m) {
    return (Map<String, Object>) m.computeIfAbsent("properties", k -> new LinkedHashMap<>());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> traits(Map<String, Object> m) {
    return (Map<String, Object>) m.computeIfAbsent("traits", k -> new LinkedHashMap<>());
  }

  static Object nested(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      v = i % 2 == 0 ? Map.of("k", v) : List.of(v);
    }
    return v;
  }

  /** Every break. */
  public static final List<Break> BREAKS = List.of(
      reject("total 1e2147483647", ORDER,
          (m, now) -> props(m).put("total", new BigDecimal("1e2147483647"))),
      reject("total 1e-2147483647", ORDER,
          (m, now) -> props(m).put("total", new BigDecimal("1e-2147483647"))),
      reject("total 92,233,720,368,547,758.07", ORDER,
          (m, now) -> props(m).put("total", new BigDecimal("92233720368547758.07"))),
      reject("total beyond the largest amount", ORDER,
          (m, now) -> props(m).put("total", new BigDecimal("1000000000000.01"))),
      reject("negative total", ORDER, (m, now) -> props(m).put("total", new BigDecimal("-0.01"))),
      reject("total that is text", ORDER, (m, now) -> props(m).put("total", "NaN")),
      reject("total that is a list", ORDER, (m, now) -> props(m).put("total", List.of(1L))),
      reject("unknown currency", ORDER, (m, now) -> props(m).put("currency", "XYZ")),
      reject("order id that is a map", ORDER,
          (m, now) -> props(m).put("order_id", Map.of("a", 1L))),
      warn("binary-float total", ORDER, IngestWarning.Kind.AMOUNT_ROUNDED,
          (m, now) -> props(m).put("total", 9.95 + 9.95 + 9.95)),
      warn("total with 5 decimals", ORDER, IngestWarning.Kind.AMOUNT_ROUNDED,
          (m, now) -> props(m).put("total", new BigDecimal("12.34567"))),
      reject("number 1e2147483647 in a property", ALL,
          (m, now) -> props(m).put("weight", new BigDecimal("1e2147483647"))),
      reject("number with 5,000 digits", List.of("page"),
          (m, now) -> props(m).put("n", new BigDecimal("9".repeat(5_000)))),
      reject("timestamp Instant.MAX", ALL, (m, now) -> m.put("timestamp", Instant.MAX)),
      reject("timestamp Instant.MIN with sentAt", ALL, (m, now) -> {
        m.put("timestamp", Instant.MIN);
        m.put("sentAt", now);
      }),
      reject("sentAt Instant.MAX", ALL, (m, now) -> m.put("sentAt", Instant.MAX)),
      reject("skew that dates the event before 1970", ALL, (m, now) -> {
        m.put("timestamp", Instant.parse("1970-01-02T00:00:00Z"));
        m.put("sentAt", Instant.parse("9999-01-01T00:00:00Z"));
      }),
      reject("timestamp before 1970", ALL,
          (m, now) -> m.put("timestamp", Instant.parse("1969-07-20T20:17:40Z"))),
      reject("timestamp in the year 10000", ALL,
          (m, now) -> m.put("timestamp", Instant.parse("+10000-01-01T00:00:00Z"))),
      reject("consent expiring at Instant.MAX", List.of("consent"),
          (m, now) -> ((Map<String, Object>) ((List<?>) m.get("consent")).get(0))
              .put("expiresAt", Instant.MAX)),
      warn("timestamp a year ahead", ALL, IngestWarning.Kind.TIME_CORRECTED,
          (m, now) -> m.put("timestamp", now.plus(Duration.ofDays(365)))),
      warn("timestamp in 2036 without sentAt", ALL, IngestWarning.Kind.TIME_CORRECTED, (m, now) -> {
        m.put("timestamp", Instant.parse("2036-01-01T00:00:00Z"));
        m.remove("sentAt");
      }),
      warn("sentAt ten days behind timestamp", ALL, IngestWarning.Kind.TIME_CORRECTED,
          (m, now) -> {
            m.put("timestamp", now);
            m.put("sentAt", now.minus(Duration.ofDays(10)));
          }),
      javaOnly(warn("receivedAt a month ahead", ALL, IngestWarning.Kind.TIME_CORRECTED,
          (m, now) -> m.put("receivedAt", now.plus(Duration.ofDays(30))))),
      warn("phone trait that does not parse", IDENTIFY, IngestWarning.Kind.IDENTIFIER_DROPPED,
          (m, now) -> traits(m).put("phone", "call me maybe")),
      warn("e-mail trait that is a number", IDENTIFY, IngestWarning.Kind.IDENTIFIER_DROPPED,
          (m, now) -> traits(m).put("email", 42L)),
      warn("e-mail trait that is no address", IDENTIFY, IngestWarning.Kind.IDENTIFIER_DROPPED,
          (m, now) -> traits(m).put("email", "not-an-address")),
      reject("phone identifier that does not parse", ALL,
          (m, now) -> m.put("externalIds", List.of(Map.of("type", "phone", "id", "call me",
              "collection", "users", "encoding", "none")))),
      reject("messageId of 201 characters", ALL,
          (m, now) -> m.put("messageId", "m" + "x".repeat(200))),
      reject("userId of 600 characters", ALL, (m, now) -> m.put("userId", "u".repeat(600))),
      reject(OVERSIZED, ALL,
          (m, now) -> props(m).put("blob", "x".repeat(300_000))),
      deep(javaOnly(reject("properties 10,000 deep", ALL, (m, now) -> props(m).put("deep",
          nested(10_000))))),
      javaOnly(reject("properties 1,200 deep", ALL, (m, now) -> props(m).put("deep",
          nested(1_200)))),
      reject("properties 100 deep", ALL, (m, now) -> props(m).put("deep", nested(100))),
      jsonOnly(reject("userId that is an object", ALL,
          (m, now) -> m.put("userId", Map.of("id", 42L)))),
      jsonOnly(reject("timestamp that is no time", ALL,
          (m, now) -> m.put("timestamp", "yesterday"))),
      jsonOnly(reject("properties that is a list", ALL,
          (m, now) -> m.put("properties", List.of(1L)))),
      jsonOnly(reject("consent that is a string", List.of("consent"),
          (m, now) -> m.put("consent", "yes"))),
      text(reject("lone surrogate in userId", ALL,
          (m, now) -> m.put("userId", "Gr\uD800ta-" + m.get("userId")))),
      text(reject("NUL in messageId", ALL,
          (m, now) -> m.put("messageId", m.get("messageId") + "\u0000"))),
      text(reject("NUL in event name", ORDER,
          (m, now) -> m.put("event", "Order\u0000Completed"))),
      text(reject("zero-width space in e-mail identifier", ALL,
          (m, now) -> m.put("externalIds", List.of(Map.of("type", "email",
              "id", "gr\u200Bta@example.com", "collection", "users", "encoding", "none"))))));

  /** The breaks that apply to an event kind and a form (Java or JSON). */
  static List<Break> breaks(String kind, boolean json) {
    List<Break> out = new ArrayList<>();
    for (Break b : BREAKS) {
      if (b.types().contains(kind) && (json ? b.jsonOk() : b.javaOk())) {
        out.add(b);
      }
    }
    return out;
  }

  /**
   * One message of a batch.
   *
   * @param messageId its id (as sent; unique in a run)
   * @param person the userId it was made for
   * @param brk the break applied, or {@code null} for a good event
   * @param message the message as a map
   */
  public record Message(String messageId, String person, Break brk, Map<String, Object> message) {
    public boolean good() {
      return brk == null;
    }
  }

  /**
   * A batch.
   *
   * @param messages its messages, in order
   * @param asJson whether it is meant to be sent as JSON
   */
  public record Batch(List<Message> messages, boolean asJson) {
    /** The body of an {@code ingestJson}. */
    public byte[] body() {
      List<Object> out = new ArrayList<>();
      for (Message m : messages) {
        out.add(jsonValue(m.message()));
      }
      try {
        return JSON.writeValueAsBytes(Map.of("batch", out));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * The events built in Java, one per message: {@code null} where the builder itself refuses
     * the message (an {@link InvalidEventException}: the event cannot even be made).
     */
    public List<Event> events() {
      List<Event> out = new ArrayList<>();
      for (Message m : messages) {
        try {
          out.add(toEvent(m.message()));
        } catch (InvalidEventException ex) {
          out.add(null);
        }
      }
      return out;
    }
  }

  private static Object jsonValue(Object v) {
    if (v instanceof Instant i) {
      return i.toString();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, jsonValue(x)));
      if (out.containsKey("externalIds")) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("externalIds", out.remove("externalIds"));
        out.put("context", ctx);
      }
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(BrokenEvents::jsonValue).toList();
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static Event toEvent(Map<String, Object> m) {
    String type = (String) m.get("type");
    Event.Builder b = Event.builder(EventType.fromWireName(type).orElseThrow());
    b.messageId((String) m.get("messageId"));
    b.userId((String) m.get("userId"));
    b.anonymousId((String) m.get("anonymousId"));
    b.name((String) (type.equals("track") ? m.get("event") : m.get("name")));
    b.timestamp((Instant) m.get("timestamp"));
    b.sentAt((Instant) m.get("sentAt"));
    b.receivedAt((Instant) m.get("receivedAt"));
    if (m.get("properties") instanceof Map<?, ?> p) {
      b.properties((Map<String, ?>) p);
    }
    if (m.get("traits") instanceof Map<?, ?> t) {
      b.traits((Map<String, ?>) t);
    }
    if (m.get("externalIds") instanceof List<?> ids) {
      for (Object o : ids) {
        Map<String, Object> x = (Map<String, Object>) o;
        b.identifier(io.cdpkit.core.model.IdentifierType.of((String) x.get("type")),
            (String) x.get("id"));
      }
    }
    if (m.get("consent") instanceof List<?> cs) {
      for (Object o : cs) {
        Map<String, Object> c = (Map<String, Object>) o;
        ConsentChange.Builder cb = ConsentChange.builder((String) c.get("purpose"),
            (String) c.get("channel"), (Boolean) c.get("granted"));
        if (c.get("expiresAt") != null) {
          cb.expiresAt((Instant) c.get("expiresAt"));
        }
        b.consent(cb.build());
      }
    }
    b.context(EventContext.builder().channel("web").build());
    return b.build();
  }

  /**
   * A batch of 1 to {@code maxSize} events for a handful of people, about a third of them
   * broken, made from {@code seed}.
   *
   * @param run distinguishes the messageIds of batches sent to the same store
   * @param now the pipeline's clock
   */
  public static Batch batch(long seed, int maxSize, boolean json, String run, Instant now) {
    Random rnd = new Random(seed);
    int n = 1 + rnd.nextInt(maxSize);
    List<Message> out = new ArrayList<>(n);
    int oversized = 0;
    for (int i = 0; i < n; i++) {
      String kind = ALL.get(rnd.nextInt(ALL.size()));
      int person = rnd.nextInt(5);
      String id = run + "-" + i;
      Map<String, Object> m = good(kind, id, person, now, rnd);
      Break brk = null;
      if (rnd.nextInt(3) == 0) {
        List<Break> options = breaks(kind, json);
        brk = options.get(rnd.nextInt(options.size()));
        if (json && brk.name().equals(OVERSIZED) && oversized++ > 0) {
          // Two of them would pass the body limit (512,000 bytes), which rejects a body as a
          // whole, by design: one per JSON batch.
          brk = options.get(0);
        }
        brk.apply().accept(m, now);
      }
      out.add(new Message((String) m.get("messageId"), "C-" + run + "-" + person, brk, m));
    }
    return new Batch(out, json);
  }

  static Map<String, Object> good(String kind, String id, int person, Instant now, Random rnd) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", kind.equals("order") ? "track" : kind.equals("page") ? "page" : "identify");
    m.put("messageId", id);
    String run = id.substring(0, id.lastIndexOf('-'));
    m.put("userId", "C-" + run + "-" + person);
    Instant at = now.minus(Duration.ofMinutes(rnd.nextInt(60 * 24 * 30)));
    m.put("timestamp", at);
    if (rnd.nextBoolean()) {
      m.put("sentAt", at.plusSeconds(rnd.nextInt(120))); // an honest client's small skew
    }
    switch (kind) {
      case "identify" -> {
        Map<String, Object> t = traits(m);
        t.put("email", "p" + person + "-" + run + "@example.com");
        // a Dutch mobile number of its own per run and person (an erasure tombstones it)
        t.put("phone", "+3161" + String.format("%05d%02d",
            Math.floorMod(run.hashCode(), 100_000), person));
        t.put("name", "Person " + person);
      }
      case "order" -> {
        m.put("event", "Order Completed");
        Map<String, Object> p = props(m);
        p.put("order_id", "o-" + id);
        p.put("total", BigDecimal.valueOf(rnd.nextInt(1_000_000), 2));
        p.put("currency", "EUR");
        p.put("products", List.of(Map.of("product_id", "P-" + rnd.nextInt(100),
            "price", BigDecimal.valueOf(rnd.nextInt(10_000), 2), "quantity", 1L)));
      }
      case "page" -> {
        m.put("name", "Home");
        m.put("anonymousId", "a-" + run + "-" + person);
        props(m).put("path", "/");
      }
      case "consent" -> {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("purpose", "marketing");
        c.put("channel", "email");
        c.put("granted", rnd.nextBoolean());
        List<Object> l = new ArrayList<>();
        l.add(c);
        m.put("consent", l);
      }
      default -> throw new IllegalArgumentException(kind);
    }
    return m;
  }

  /**
   * What went wrong with a batch's results, or an empty list: every good event stored, every
   * broken one rejected (or built-in Java refused by the builder), or stored with its warning.
   *
   * @param results the batch's results, one per event sent (for Java, only the events that
   *     could be built, in order)
   */
  public static List<String> check(Batch batch, BatchResult results) {
    List<String> problems = new ArrayList<>();
    List<Event> built = batch.asJson() ? null : batch.events();
    int k = 0;
    for (int i = 0; i < batch.messages().size(); i++) {
      Message m = batch.messages().get(i);
      if (built != null && built.get(i) == null) {
        if (m.good()) {
          problems.add(m.messageId() + ": a good event could not be built");
        } else if (m.brk().expect() != Expect.REJECTED) {
          problems.add(m.messageId() + " (" + m.brk().name() + "): refused by the builder");
        }
        continue;
      }
      IngestResult r = results.results().get(k++);
      if (m.good()) {
        if (r.status() != IngestResult.Status.STORED || !r.warnings().isEmpty()) {
          problems.add(m.messageId() + ": good event " + r.status() + " " + r.error() + " "
              + r.warnings());
        }
      } else if (m.brk().expect() == Expect.REJECTED) {
        if (r.status() != IngestResult.Status.REJECTED) {
          problems.add(m.messageId() + " (" + m.brk().name() + "): " + r.status());
        }
      } else if (r.status() != IngestResult.Status.STORED
          || r.warnings().stream().noneMatch(w -> w.kind() == m.brk().warning())) {
        problems.add(m.messageId() + " (" + m.brk().name() + "): " + r.status() + " "
            + r.error() + " " + r.warnings());
      }
    }
    if (k != results.results().size()) {
      problems.add("results for " + results.results().size() + " events, expected " + k);
    }
    return problems;
  }

  /** The events of a batch that the builder could make, for {@code ingest(List)}. */
  public static List<Event> buildable(Batch batch) {
    return batch.events().stream().filter(java.util.Objects::nonNull).toList();
  }
}
