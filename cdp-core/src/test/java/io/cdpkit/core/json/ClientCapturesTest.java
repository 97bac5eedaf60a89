package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;

import io.cdpkit.core.testing.SharedData;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Decodes the requests captured from real Segment and RudderStack clients
 * ({@code ../shared/data/clients}, see its README) and checks every event field by field. The
 * expected values below were read from those files.
 */
class ClientCapturesTest {
  /** The server's clock when the requests "arrive". */
  private static final Instant RECEIVED = Instant.parse("2026-11-22T13:10:00Z");

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  private final EventCodec codec = EventCodec.create();

  private static Path clientsDir() {
    return SharedData.dataDir("clients");
  }

  private static List<Path> captures() throws IOException {
    Path dir = clientsDir();
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  private static String name(Path file) {
    return clientsDir().relativize(file).toString().replace('\\', '/');
  }

  @Test
  void theFiveCapturesArePresent() throws IOException {
    assertThat(captures().stream().map(ClientCapturesTest::name))
        .containsExactly("rudder_java/000.json", "rudder_node/000.json", "rudder_node/001.json",
            "segment_java/000.json", "segment_node/000.json");
  }

  @TestFactory
  Stream<DynamicTest> decodesEachCapturePlainAndGzipped() throws IOException {
    return captures().stream().flatMap(file -> {
      String name = name(file);
      return Stream.of(
          DynamicTest.dynamicTest(name + " (plain)", () -> check(name, codec.decodeBody(body(file)))),
          DynamicTest.dynamicTest(name + " (gzip)",
              () -> check(name, codec.decodeBody(gzip(body(file))))));
    });
  }

  private static byte[] body(Path file) throws IOException {
    JsonNode capture = JSON.readTree(file.toFile());
    JsonNode body = capture.get("body");
    assertThat(body).as("body of %s", file).isNotNull();
    return JSON.writeValueAsBytes(body);
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private void check(String name, List<DecodedMessage> decoded) {
    assertThat(decoded).allSatisfy(m -> assertThat(m.error()).as("error of message %d", m.index())
        .isNull());
    List<Event> events = decoded.stream().map(DecodedMessage::orThrow).toList();
    switch (name) {
      case "segment_java/000.json" -> segmentJava(events);
      case "segment_node/000.json" -> segmentNode(events);
      case "rudder_java/000.json" -> rudderJava(events);
      case "rudder_node/000.json" -> rudderNode0(events);
      case "rudder_node/001.json" -> rudderNode1(events);
      default -> fail("no expectations written for capture " + name);
    }
  }

  /** Segment Java: library and instanceId only in the batch context; sentAt only per batch. */
  private static void segmentJava(List<Event> events) {
    assertThat(events).hasSize(2);
    Event identify = events.get(0);
    assertThat(identify.type()).isEqualTo(EventType.IDENTIFY);
    assertThat(identify.messageId()).isEqualTo("bc091007-5dfb-4aa9-80a1-a80a9c9e68d7");
    assertThat(identify.userId()).isEqualTo("u-1");
    assertThat(identify.anonymousId()).isNull();
    assertThat(identify.name()).isNull();
    assertThat(identify.traits()).containsExactly(entry("email", "Jane.Doe@Example.com"));
    assertThat(identify.properties()).isEmpty();
    assertLibrary(identify, "analytics-java", "3.5.4");
    assertThat(identify.context().other())
        .containsExactly(entry("instanceId", "220fbf68-55a9-4497-8f0c-3beae3752c63"));
    assertThat(identify.extra()).containsExactly(entry("integrations", Map.of()));
    assertTimes(identify, "2026-11-22T13:08:58.982Z", null, "2026-11-22T13:08:59.025Z",
        "2026-11-22T13:09:59.957Z");

    Event track = events.get(1);
    assertThat(track.type()).isEqualTo(EventType.TRACK);
    assertThat(track.messageId()).isEqualTo("e3fb25eb-431e-4e69-b370-8e678a63b1c2");
    assertThat(track.userId()).isEqualTo("u-1");
    assertThat(track.name()).isEqualTo("Order Completed");
    assertThat(track.properties())
        .containsExactly(entry("order_id", "o-1"), entry("revenue", new BigDecimal("19.99")));
    assertThat(track.properties().get("revenue")).isInstanceOf(BigDecimal.class);
    assertThat(track.traits()).isEmpty();
    assertLibrary(track, "analytics-java", "3.5.4");
    assertThat(track.extra()).containsExactly(entry("integrations", Map.of()));
    assertTimes(track, "2026-11-22T13:08:59.021Z", null, "2026-11-22T13:08:59.025Z",
        "2026-11-22T13:09:59.996Z");
  }

  /** Segment Node: library per message, batch sentAt, a back-dated timestamp on the track. */
  private static void segmentNode(List<Event> events) {
    assertThat(events).hasSize(2);
    Map<String, Object> metadata = Map.of("nodeVersion", "v20.20.2", "jsRuntime", "node");

    Event identify = events.get(0);
    assertThat(identify.type()).isEqualTo(EventType.IDENTIFY);
    assertThat(identify.messageId())
        .isEqualTo("node-next-1795352925983-f2c276dc-fe86-45be-8e69-b1c1cdf8b6a2");
    assertThat(identify.userId()).isEqualTo("u-1");
    assertThat(identify.traits())
        .containsExactly(entry("email", "Jane.Doe@Example.com"), entry("plan", "pro"));
    assertLibrary(identify, "@segment/analytics-node", "3.1.0");
    assertThat(identify.context().other()).isEmpty();
    assertThat(identify.extra())
        .containsOnly(entry("integrations", Map.of()), entry("_metadata", metadata));
    assertTimes(identify, "2026-11-22T13:08:45.983Z", null, "2026-11-22T13:08:45.987Z",
        "2026-11-22T13:09:59.996Z");

    Event track = events.get(1);
    assertThat(track.type()).isEqualTo(EventType.TRACK);
    assertThat(track.messageId())
        .isEqualTo("node-next-1795352925983-76dcfe86-c5be-4e69-b1c1-cdf8b6a29005");
    assertThat(track.userId()).isEqualTo("u-1");
    assertThat(track.name()).isEqualTo("Order Completed");
    assertThat(track.properties()).containsExactly(entry("order_id", "o-1"),
        entry("revenue", new BigDecimal("19.99")), entry("currency", "USD"));
    assertLibrary(track, "@segment/analytics-node", "3.1.0");
    assertThat(track.extra())
        .containsOnly(entry("integrations", Map.of()), entry("_metadata", metadata));
    // The client says it happened in 2024; its clock ran 74.013 s behind ours at sending.
    assertTimes(track, "2024-01-02T03:04:05Z", null, "2026-11-22T13:08:45.987Z",
        "2024-01-02T03:05:19.013Z");
  }

  /** RudderStack Java: library in message and batch context, Segment channel "server". */
  private static void rudderJava(List<Event> events) {
    assertThat(events).hasSize(2);
    Event identify = events.get(0);
    assertThat(identify.type()).isEqualTo(EventType.IDENTIFY);
    assertThat(identify.messageId()).isEqualTo("39c4ca6b-5b19-45ca-8857-116727d245dd");
    assertThat(identify.userId()).isEqualTo("u-2");
    assertThat(identify.traits()).containsExactly(entry("email", "Jane.Doe@Example.com"));
    assertLibrary(identify, "analytics-java", "3.1.2");
    assertThat(identify.context().channel()).as("server implies no retail channel").isNull();
    assertThat(identify.extra())
        .containsOnly(entry("channel", "server"), entry("integrations", Map.of()));
    assertTimes(identify, "2026-11-22T13:09:00.540Z", null, "2026-11-22T13:09:00.583Z",
        "2026-11-22T13:09:59.957Z");

    Event track = events.get(1);
    assertThat(track.type()).isEqualTo(EventType.TRACK);
    assertThat(track.messageId()).isEqualTo("2a801a36-2d51-4945-a785-8d0f1fa5a9c3");
    assertThat(track.userId()).isEqualTo("u-2");
    assertThat(track.name()).isEqualTo("Product Viewed");
    assertThat(track.properties())
        .containsExactly(entry("order_id", "o-1"), entry("revenue", new BigDecimal("19.99")));
    assertLibrary(track, "analytics-java", "3.1.2");
    assertThat(track.context().channel()).isNull();
    assertThat(track.extra())
        .containsOnly(entry("channel", "server"), entry("integrations", Map.of()));
    assertTimes(track, "2026-11-22T13:09:00.575Z", null, "2026-11-22T13:09:00.583Z",
        "2026-11-22T13:09:59.992Z");
  }

  /** RudderStack Node: originalTimestamp instead of timestamp, sentAt per message. */
  private static void rudderNode0(List<Event> events) {
    assertThat(events).hasSize(1);
    Event identify = events.get(0);
    assertThat(identify.type()).isEqualTo(EventType.IDENTIFY);
    assertThat(identify.messageId()).isEqualTo("30074f64-2c3f-48cb-9034-564925268aad");
    assertThat(identify.userId()).isEqualTo("u-2");
    assertThat(identify.traits()).containsExactly(entry("email", "a@b.co"));
    assertThat(identify.context().traits()).containsExactly(entry("email", "a@b.co"));
    assertLibrary(identify, "analytics-node", "3.0.13");
    assertThat(identify.extra()).containsOnly(entry("channel", "server"),
        entry("_metadata", Map.of("nodeVersion", "20.20.2")));
    assertTimes(identify, null, "2026-11-22T13:08:46.007Z", "2026-11-22T13:08:46.008Z",
        "2026-11-22T13:09:59.999Z");
  }

  private static void rudderNode1(List<Event> events) {
    assertThat(events).hasSize(1);
    Event track = events.get(0);
    assertThat(track.type()).isEqualTo(EventType.TRACK);
    assertThat(track.messageId()).isEqualTo("f72105b2-fdd0-47d9-a38b-2fed4e0a2bc5");
    assertThat(track.userId()).isEqualTo("u-2");
    assertThat(track.name()).isEqualTo("Product Viewed");
    assertThat(track.properties()).containsExactly(entry("sku", "X1"));
    assertLibrary(track, "analytics-node", "3.0.13");
    assertThat(track.extra()).containsOnly(entry("channel", "server"),
        entry("_metadata", Map.of("nodeVersion", "20.20.2")));
    assertTimes(track, null, "2026-11-22T13:08:46.009Z", "2026-11-22T13:08:46.025Z",
        "2026-11-22T13:09:59.984Z");
  }

  private static void assertLibrary(Event e, String name, String version) {
    assertThat(e.context().libraryName()).isEqualTo(name);
    assertThat(e.context().libraryVersion()).isEqualTo(version);
  }

  private static void assertTimes(Event e, @Nullable String timestamp,
      @Nullable String originalTimestamp, String sentAt, String eventTime) {
    assertThat(e.timestamp()).isEqualTo(timestamp == null ? null : Instant.parse(timestamp));
    assertThat(e.originalTimestamp())
        .isEqualTo(originalTimestamp == null ? null : Instant.parse(originalTimestamp));
    assertThat(e.sentAt()).isEqualTo(Instant.parse(sentAt));
    assertThat(e.receivedAt()).isNull();
    assertThat(e.identifiers()).isEmpty();
    assertThat(e.consents()).isEmpty();
    assertThat(e.receivedAtIfAbsent(RECEIVED).eventTime()).isEqualTo(Instant.parse(eventTime));
  }
}
