package io.cdpkit.core.http.clients;

import static io.cdpkit.core.http.clients.ClientTestSupport.JSON;
import static io.cdpkit.core.http.clients.ClientTestSupport.assertAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.http.clients.ClientTestSupport.Collector;
import io.cdpkit.core.http.clients.ClientTestSupport.Reply;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Replays over HTTP, with {@link java.net.http.HttpClient}, the requests captured from the real
 * tracking clients ({@code ../shared/data/clients}) and requests in the shape of the vendors'
 * documented HTTP API examples ({@code vendor/} beside this class): method, path and headers as
 * given, the body gzipped again where the capture says {@code Content-Encoding: gzip} and sent
 * chunked where it says {@code Transfer-Encoding: chunked}. Each must be answered 200 with every
 * event accepted, land on the profile its message names at the event time the Segment spec
 * gives it, and be a duplicate when sent again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaptureReplayTest {
  /** The write keys of the captured clients (their Basic auth or body {@code writeKey}). */
  private static final String[] CAPTURE_KEYS =
      {"SEG_JAVA_KEY", "SEG_WRITE_KEY", "RUD_JAVA_KEY", "RUD_WRITE_KEY"};
  private static final String[] VENDOR_KEYS = {"SEGMENT_HTTP_KEY", "RUDDER_HTTP_KEY"};

  /** The server's clock: a minute after the captures were sent. */
  private static final Instant RECEIVED = Instant.parse("2026-11-22T13:10:00Z");

  /**
   * One collector per set of keys for the file-by-file replays (closing a server takes a
   * second); each replay checks what its own file stored. Closed after the class.
   */
  private final Map<String, Collector> shared = new LinkedHashMap<>();

  private Collector shared(String... keys) {
    return shared.computeIfAbsent(String.join(",", keys), k -> collector(keys));
  }

  @AfterAll
  void closeShared() {
    shared.values().forEach(Collector::close);
  }

  private static Collector collector(String... keys) {
    return Collector.start(Cdp.builder().clock(Clock.fixed(RECEIVED, ZoneOffset.UTC)).build(),
        e -> {}, s -> {}, keys);
  }

  /** Headers the HTTP client sets itself (framing, connection) and may not be given. */
  private static final Set<String> NOT_REPLAYED =
      Set.of("host", "content-length", "connection", "transfer-encoding", "expect", "upgrade");

  /** One request from a file: method, path, headers, the JSON body as sent on the wire. */
  record Recorded(String name, String method, String path, Map<String, String> headers,
      JsonNode body) {
    static Recorded read(String name, Path file) throws IOException {
      JsonNode node = JSON.readTree(file.toFile());
      Map<String, String> headers = new LinkedHashMap<>();
      node.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(),
          e.getValue().asText()));
      return new Recorded(name, node.path("method").asText(), node.path("path").asText(),
          headers, node.get("body"));
    }

    private boolean has(String header, String value) {
      return headers.entrySet().stream().anyMatch(e -> e.getKey().equalsIgnoreCase(header)
          && e.getValue().toLowerCase(Locale.ROOT).contains(value));
    }

    /** The messages of the body: its batch, or the body itself for a single call. */
    List<JsonNode> messages() {
      List<JsonNode> out = new ArrayList<>();
      if (body.has("batch")) {
        body.get("batch").forEach(out::add);
      } else {
        out.add(body);
      }
      return out;
    }

    /** The message's type: its {@code type}, or the single-call path's last segment. */
    EventType type(JsonNode message) {
      String type = message.hasNonNull("type") ? message.get("type").asText()
          : path.substring(path.lastIndexOf('/') + 1);
      return EventType.valueOf(type.toUpperCase(Locale.ROOT));
    }

    Reply send(Collector collector) throws IOException {
      byte[] bytes = JSON.writeValueAsBytes(body);
      if (has("Content-Encoding", "gzip")) {
        bytes = ClientTestSupport.gzip(bytes);
      }
      byte[] wire = bytes;
      HttpRequest.BodyPublisher publisher = has("Transfer-Encoding", "chunked")
          ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(wire))
          : HttpRequest.BodyPublishers.ofByteArray(wire);
      Map<String, String> replayed = new LinkedHashMap<>();
      headers.forEach((k, v) -> {
        if (!NOT_REPLAYED.contains(k.toLowerCase(Locale.ROOT))) {
          replayed.put(k, v);
        }
      });
      return ClientTestSupport.send(collector.baseUri(), method, path, publisher, replayed);
    }
  }

  private static List<Recorded> captures() throws IOException {
    Path dir = SharedData.dataDir("clients");
    try (Stream<Path> files = Files.walk(dir)) {
      List<Recorded> out = new ArrayList<>();
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        out.add(Recorded.read(dir.relativize(f).toString().replace('\\', '/'), f));
      }
      return out;
    }
  }

  private static List<Recorded> vendorExamples() throws IOException {
    Path dir;
    try {
      dir = Path.of(CaptureReplayTest.class.getResource("vendor").toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Recorded> out = new ArrayList<>();
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        out.add(Recorded.read("vendor/" + f.getFileName(), f));
      }
      return out;
    }
  }

  /**
   * Sends {@code r}, checks the answer, checks that each message landed on the profile it
   * names, then sends it again and checks that nothing new was stored.
   */
  private static void replay(Collector collector, Recorded r) throws IOException {
    List<JsonNode> messages = r.messages();
    Reply first = r.send(collector);
    JsonNode answer = assertAccepted(first, messages.size());
    assertThat(answer.path("duplicates").asInt(-1)).as("%s: %s", r.name(), first).isZero();
    for (JsonNode m : messages) {
      checkStored(collector, r, m);
    }
    long stored = collector.eventCounts().values().stream().mapToLong(Long::longValue).sum();

    Reply again = r.send(collector);
    assertThat(again.status()).as("%s again: %s", r.name(), again).isEqualTo(200);
    assertThat(ClientTestSupport.accepted(again.json())).as("%s again: %s", r.name(), again)
        .isZero();
    assertThat(again.json().path("duplicates").asInt(-1)).as("%s again: %s", r.name(), again)
        .isEqualTo(messages.size());
    assertThat(collector.eventCounts().values().stream().mapToLong(Long::longValue).sum())
        .as("%s: events stored after sending it again", r.name()).isEqualTo(stored);
  }

  /**
   * The event time issue 17 and {@link Event#eventTime()} give a message received at
   * {@link #RECEIVED}: its {@code timestamp} when it also has an {@code originalTimestamp}; else
   * its {@code originalTimestamp} or {@code timestamp} corrected for the client's clock skew,
   * {@code receivedAt - (sentAt - t)}, with the message's or else the batch's {@code sentAt};
   * without {@code sentAt}, that time as it is.
   */
  private static Instant expectedTime(Recorded r, JsonNode m) {
    Instant timestamp = time(m, "timestamp");
    Instant original = time(m, "originalTimestamp");
    if (timestamp != null && original != null) {
      return timestamp;
    }
    Instant t = original != null ? original : timestamp;
    if (t == null) {
      return RECEIVED;
    }
    Instant sentAt = time(m, "sentAt");
    if (sentAt == null && r.body().has("batch")) {
      sentAt = time(r.body(), "sentAt");
    }
    return sentAt == null ? t : RECEIVED.minus(Duration.between(t, sentAt));
  }

  private static @Nullable Instant time(JsonNode node, String field) {
    return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
  }

  private static void checkStored(Collector collector, Recorded r, JsonNode m) {
    Identifier who = m.hasNonNull("userId") ? Identifier.customerId(m.get("userId").asText())
        : Identifier.anonymousId(m.get("anonymousId").asText());
    List<Event> events = collector.events(who);
    EventType type = r.type(m);
    String name = type == EventType.TRACK ? m.path("event").asText(null)
        : m.path("name").asText(null);
    List<Event> matching = events.stream()
        .filter(e -> e.type() == type)
        .filter(e -> name == null || name.equals(e.name()))
        .filter(e -> !m.hasNonNull("messageId")
            || m.get("messageId").asText().equals(e.messageId()))
        .filter(e -> expectedTime(r, m).equals(e.eventTime()))
        .toList();
    assertThat(matching).as("%s: the %s %s of %s, at its timestamp, among %s", r.name(), type,
        name, who, events.stream().map(CaptureReplayTest::summary).toList()).hasSize(1);
  }

  /** An event as type, name, messageId and time: no personal data in test reports. */
  private static String summary(Event e) {
    return e.type() + " " + e.name() + " " + e.messageId() + " at " + e.eventTime()
        + " (timestamp " + e.timestamp() + ", originalTimestamp " + e.originalTimestamp()
        + ", sentAt " + e.sentAt() + ")";
  }

  @TestFactory
  @DisplayName("each captured client request, replayed over HTTP, is stored once")
  Stream<DynamicTest> capturedRequests() throws IOException {
    List<Recorded> captures = captures();
    assertThat(captures).extracting(Recorded::name).containsExactly("rudder_java/000.json",
        "rudder_node/000.json", "rudder_node/001.json", "segment_java/000.json",
        "segment_node/000.json");
    return captures.stream().map(r -> DynamicTest.dynamicTest(r.name() + " " + r.path(),
        () -> replay(shared(CAPTURE_KEYS), r)));
  }

  @Test
  @DisplayName("the captured requests in one workspace build the captured customers")
  void capturedRequestsTogether() throws IOException {
    try (Collector collector = collector(CAPTURE_KEYS)) {
      for (Recorded r : captures()) {
        assertAccepted(r.send(collector), r.messages().size());
      }
      assertThat(collector.eventCounts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(8);
      Profile u2 = collector.profile(Identifier.customerId("u-2"));
      assertThat(u2.identifiers()).contains(Identifier.email("a@b.co"));
      Profile u1 = collector.profile(Identifier.customerId("u-1"));
      // Two Segment clients reported the same order o-1: it counts once.
      assertThat(u1.orderCount()).isEqualTo(1);
    }
  }

  @TestFactory
  @DisplayName("each documented vendor example, sent over HTTP, is stored once")
  Stream<DynamicTest> vendorExampleRequests() throws IOException {
    List<Recorded> examples = vendorExamples();
    assertThat(examples).hasSizeGreaterThanOrEqualTo(16);
    return examples.stream().map(r -> DynamicTest.dynamicTest(r.name() + " " + r.path(),
        () -> replay(shared(VENDOR_KEYS), r)));
  }

  @Test
  @DisplayName("the vendor examples in one workspace: aliases merge, orders count, times hold")
  void vendorExamplesTogether() throws IOException {
    try (Collector collector = collector(VENDOR_KEYS)) {
      for (Recorded r : vendorExamples()) {
        assertAccepted(r.send(collector), r.messages().size());
      }
      Profile seg = collector.profile(Identifier.customerId("seg-501"));
      assertThat(collector.profiles()
          .find(Identifier.anonymousId("a4d2c1e0-5f3b-4c1a-9e7d-2b8f6a0c3d19")))
          .map(Profile::id).contains(seg.id());
      assertThat(seg.firstSeen()).contains(Instant.parse("2012-12-02T00:29:00Z"));
      assertThat(collector.profiles().events(seg.id())).extracting(Event::type)
          .contains(EventType.IDENTIFY, EventType.TRACK, EventType.PAGE, EventType.SCREEN,
              EventType.GROUP, EventType.ALIAS);
      assertThat(collector.profiles().find(Identifier.email("maria.lopez@example.org")))
          .map(Profile::id).contains(seg.id());

      Profile batch = collector.profile(Identifier.customerId("seg-502"));
      assertThat(batch.orderCount()).isEqualTo(1);
      assertThat(batch.totalSpend("USD")).isEqualTo(Money.of(1_250, "USD"));

      Profile rudder = collector.profile(Identifier.customerId("rs-301"));
      assertThat(collector.profiles().find(Identifier.anonymousId("rs-anon-301")))
          .map(Profile::id).contains(rudder.id());
      assertThat(collector.profile(Identifier.customerId("rs-302")).totalSpend("EUR"))
          .isEqualTo(Money.of(4_000, "EUR"));
      assertThat(collector.profile(Identifier.customerId("seg-503")).identifiers())
          .contains(Identifier.email("lee@example.com"));
    }
  }
}
