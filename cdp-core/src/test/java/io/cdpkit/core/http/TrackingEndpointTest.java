package io.cdpkit.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The handler without a network: what each request is answered and what it stores. */
class TrackingEndpointTest {
  static final Instant NOW = Instant.parse("2026-11-22T13:10:00Z");
  static final WorkspaceId SHOP = WorkspaceId.of("shop");
  static final WorkspaceId OUTLET = WorkspaceId.of("outlet");
  static final ObjectMapper JSON = new ObjectMapper();

  final Down store = new Down(Store.inMemory());
  final Cdp cdp = Cdp.builder().store(store).clock(Clock.fixed(NOW, ZoneOffset.UTC))
      .timeZone(OUTLET, ZoneId.of("Europe/Amsterdam")).build();
  final TrackingEndpoint endpoint = TrackingEndpoint.builder(cdp)
      .writeKey("shop-key", SHOP).writeKey("outlet-key", OUTLET).build();

  /** A store that fails every write while {@link #down} is set, as an unreachable database. */
  static final class Down implements Store {
    final Store inner;
    volatile boolean down;

    Down(Store inner) {
      this.inner = inner;
    }

    @Override
    public <T> T write(WorkspaceId ws, Function<? super WriteTransaction, ? extends T> work) {
      if (down) {
        throw new StorageException("connection refused", true, null);
      }
      return inner.write(ws, work);
    }

    @Override
    public <T> T read(WorkspaceId ws, Function<? super ReadTransaction, ? extends T> work) {
      return inner.read(ws, work);
    }
  }

  static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(
        StandardCharsets.UTF_8));
  }

  static TrackingRequest post(String path, String body, String... headers) {
    return post(path, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  static TrackingRequest post(String path, byte[] body, String... headers) {
    Map<String, List<String>> h = new HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i], List.of(headers[i + 1]));
    }
    return new TrackingRequest("POST", path, h, new ByteArrayInputStream(body));
  }

  static JsonNode json(TrackingResponse r) throws IOException {
    return JSON.readTree(r.body());
  }

  static byte[] gzip(byte[] in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(in);
    }
    return out.toByteArray();
  }

  Profile profile(WorkspaceId ws, String userId) {
    return cdp.workspace(ws).profiles().find(Identifier.customerId(userId)).orElseThrow();
  }

  long storedEvents(WorkspaceId ws) {
    return cdp.workspace(ws).profiles().eventCounts().values().stream()
        .mapToLong(Long::longValue).sum();
  }

  static String track(String messageId, String userId) {
    return "{\"type\":\"track\",\"event\":\"Product Viewed\",\"messageId\":\"" + messageId
        + "\",\"userId\":\"" + userId + "\"}";
  }

  @Nested
  class Keys {
    @Test
    @DisplayName("the Basic header's key routes to its workspace; the body key to its own")
    void routes() throws IOException {
      TrackingResponse a = endpoint.handle(post("/v1/batch",
          "{\"batch\":[" + track("m1", "u1") + "]}", "Authorization", basic("shop-key")));
      TrackingResponse b = endpoint.handle(post("/v1/batch",
          "{\"writeKey\":\"outlet-key\",\"batch\":[" + track("m2", "u2") + "]}"));
      assertThat(a.status()).isEqualTo(200);
      assertThat(b.status()).isEqualTo(200);
      assertThat(json(a).get("stored").asInt()).isEqualTo(1);
      assertThat(storedEvents(SHOP)).isEqualTo(1);
      assertThat(storedEvents(OUTLET)).isEqualTo(1);
      assertThat(cdp.workspace(SHOP).profiles().find(Identifier.customerId("u2"))).isEmpty();
    }

    @Test
    @DisplayName("a missing, unknown, malformed or near-miss key is 401 and stores nothing; the "
        + "header wins over the body, so a bad header is not rescued by a good body key")
    void refused() {
      String body = "{\"writeKey\":\"shop-key\",\"batch\":[" + track("m1", "u1") + "]}";
      String noKey = "{\"batch\":[" + track("m1", "u1") + "]}";
      List<TrackingResponse> answers = List.of(
          endpoint.handle(post("/v1/batch", noKey)),
          endpoint.handle(post("/v1/batch", noKey, "Authorization", basic("nope"))),
          endpoint.handle(post("/v1/batch", noKey, "Authorization", basic("shop-ke"))),
          endpoint.handle(post("/v1/batch", noKey, "Authorization", basic("shop-key "))),
          endpoint.handle(post("/v1/batch", noKey, "Authorization", "Basic %%%")),
          endpoint.handle(post("/v1/batch", noKey, "Authorization", "Bearer shop-key")),
          endpoint.handle(post("/v1/batch", body, "Authorization", basic("nope"))),
          endpoint.handle(post("/v1/batch", "{\"writeKey\":7,\"batch\":[]}")));
      for (TrackingResponse r : answers) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers()).containsKey("WWW-Authenticate");
      }
      assertThat(storedEvents(SHOP) + storedEvents(OUTLET)).isZero();
    }

    @Test
    @DisplayName("a key is refused when blank, with a colon, or given twice; an endpoint needs one")
    void builderChecks() {
      assertThatThrownBy(() -> TrackingEndpoint.builder(cdp).writeKey(" ", SHOP))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TrackingEndpoint.builder(cdp).writeKey("a:b", SHOP))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TrackingEndpoint.builder(cdp).writeKey("k", SHOP)
          .writeKey("k", OUTLET)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> TrackingEndpoint.builder(cdp).build())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Nested
  class Paths {
    @Test
    @DisplayName("single-call paths, long and short, give a message without type the path's "
        + "type; a prefix before /v1/ is allowed; a query is ignored")
    void singleCalls() throws IOException {
      String[][] calls = {
          {"/v1/track", "{\"event\":\"Product Viewed\",\"userId\":\"u1\",\"messageId\":\"a\"}"},
          {"/v1/identify", "{\"traits\":{\"email\":\"A@B.co\"},\"userId\":\"u1\","
              + "\"messageId\":\"b\"}"},
          {"/v1/page", "{\"name\":\"Home\",\"userId\":\"u1\",\"messageId\":\"c\"}"},
          {"/v1/screen", "{\"name\":\"Cart\",\"userId\":\"u1\",\"messageId\":\"d\"}"},
          {"/v1/group", "{\"groupId\":\"g1\",\"userId\":\"u1\",\"messageId\":\"e\"}"},
          {"/v1/alias", "{\"previousId\":\"old\",\"userId\":\"u1\",\"messageId\":\"f\"}"},
          {"/collect/v1/t?x=1", "{\"event\":\"Product Added\",\"userId\":\"u1\","
              + "\"messageId\":\"g\"}"},
          {"/v1/p/", "{\"name\":\"Cart\",\"userId\":\"u1\",\"messageId\":\"h\"}"},
      };
      for (String[] c : calls) {
        TrackingResponse r = endpoint.handle(post(c[0], c[1], "Authorization",
            basic("shop-key")));
        assertThat(r.status()).as(c[0]).isEqualTo(200);
        assertThat(json(r).get("stored").asInt()).as(c[0] + " " + r.bodyText()).isEqualTo(1);
      }
      Map<String, Long> counts = cdp.workspace(SHOP).profiles().eventCounts();
      assertThat(counts).containsEntry("Product Viewed", 1L).containsEntry("identify", 1L)
          .containsEntry("page", 2L).containsEntry("screen", 1L).containsEntry("group", 1L)
          .containsEntry("alias", 1L).containsEntry("Product Added", 1L);
    }

    @Test
    @DisplayName("a message's own type is kept on a single-call path")
    void ownTypeKept() {
      endpoint.handle(post("/v1/track", "{\"type\":\"page\",\"name\":\"Home\",\"userId\":\"u1\","
          + "\"messageId\":\"a\"}", "Authorization", basic("shop-key")));
      assertThat(cdp.workspace(SHOP).profiles().eventCounts()).containsOnlyKeys("page");
    }

    @Test
    @DisplayName("unknown paths are 404, other methods 405 (with Allow), other encodings 415")
    void wrongRequests() {
      String body = "{\"batch\":[" + track("m1", "u1") + "]}";
      assertThat(endpoint.handle(post("/v2/batch", body, "Authorization", basic("shop-key")))
          .status()).isEqualTo(404);
      assertThat(endpoint.handle(post("/v1/x", body, "Authorization", basic("shop-key")))
          .status()).isEqualTo(404);
      assertThat(endpoint.handle(post("/v1batch", body)).status()).isEqualTo(404);
      TrackingResponse get = endpoint.handle(new TrackingRequest("GET", "/v1/batch", Map.of(),
          InputStream.nullInputStream()));
      assertThat(get.status()).isEqualTo(405);
      assertThat(get.headers()).containsEntry("Allow", "POST, OPTIONS");
      assertThat(endpoint.handle(post("/v1/batch", body, "Authorization", basic("shop-key"),
          "Content-Encoding", "br")).status()).isEqualTo(415);
      assertThat(storedEvents(SHOP)).isZero();
    }
  }

  @Nested
  class Bodies {
    @Test
    @DisplayName("gzip is inflated with or without Content-Encoding; text/plain and form types "
        + "are read as JSON")
    void encodings() throws IOException {
      byte[] plain = ("{\"batch\":[" + track("m1", "u1") + "]}").getBytes(StandardCharsets.UTF_8);
      assertThat(endpoint.handle(post("/v1/batch", gzip(plain), "Authorization",
          basic("shop-key"), "Content-Encoding", "gzip")).status()).isEqualTo(200);
      byte[] second = ("{\"batch\":[" + track("m2", "u1") + "]}")
          .getBytes(StandardCharsets.UTF_8);
      assertThat(endpoint.handle(post("/v1/batch", gzip(second), "Authorization",
          basic("shop-key"), "Content-Type", "application/x-www-form-urlencoded")).status())
          .isEqualTo(200);
      assertThat(endpoint.handle(post("/v1/t", "{\"writeKey\":\"shop-key\","
          + "\"event\":\"Product Viewed\",\"userId\":\"u1\",\"messageId\":\"m3\"}",
          "Content-Type", "text/plain")).status()).isEqualTo(200);
      assertThat(storedEvents(SHOP)).isEqualTo(3);
    }

    @Test
    @DisplayName("unreadable bodies are 400 naming the field; nothing is stored")
    void unreadable() throws IOException {
      Map<String, String> bodies = Map.of(
          "{\"batch\":[", "",
          "not json", "",
          "[1,2]", "",
          "{\"batch\":{}}", "/batch",
          "{\"batch\":[],\"sentAt\":\"yesterday\"}", "/sentAt");
      for (Map.Entry<String, String> b : bodies.entrySet()) {
        TrackingResponse r = endpoint.handle(post("/v1/batch", b.getKey(), "Authorization",
            basic("shop-key")));
        assertThat(r.status()).as(b.getKey()).isEqualTo(400);
        assertThat(json(r).get("error").get("field").asText()).as(b.getKey())
            .isEqualTo(b.getValue());
      }
      byte[] broken = {0x1f, (byte) 0x8b, 1, 2, 3};
      assertThat(endpoint.handle(post("/v1/batch", broken, "Authorization", basic("shop-key")))
          .status()).isEqualTo(400);
      assertThat(storedEvents(SHOP)).isZero();
    }

    @Test
    @DisplayName("bodies over the wire limit are 413 whether Content-Length says so or not; a "
        + "gzip that inflates past the body limit is 413 after reading at most that much")
    void tooLarge() throws IOException {
      TrackingEndpoint small = TrackingEndpoint.builder(cdp).writeKey("k", SHOP)
          .maxRequestBytes(1000).build();
      String big = "{\"batch\":[" + track("m1", "u1") + "],\"pad\":\"" + "x".repeat(2000)
          + "\"}";
      assertThat(small.handle(post("/v1/batch", big, "Authorization", basic("k"))).status())
          .isEqualTo(413);
      assertThat(small.handle(post("/v1/batch", "{}", "Authorization", basic("k"),
          "Content-Length", "1001")).status()).isEqualTo(413);
      // A stream that would never end: the read stops after the limit.
      InputStream endless = new InputStream() {
        long read;

        @Override
        public int read() {
          read++;
          if (read > 10_000) {
            throw new AssertionError("read past the limit");
          }
          return ' ';
        }
      };
      assertThat(small.handle(new TrackingRequest("POST", "/v1/batch",
          Map.of("Authorization", List.of(basic("k"))), endless)).status()).isEqualTo(413);
      // 64 MB of spaces gzip to about 64 KB: inflated past 4 MiB, refused.
      ByteArrayOutputStream bomb = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
        byte[] spaces = new byte[1 << 20];
        java.util.Arrays.fill(spaces, (byte) ' ');
        for (int i = 0; i < 64; i++) {
          gz.write(spaces);
        }
      }
      TrackingResponse r = endpoint.handle(post("/v1/batch", bomb.toByteArray(),
          "Authorization", basic("shop-key"), "Content-Encoding", "gzip"));
      assertThat(r.status()).isEqualTo(413);
      assertThat(json(r).get("error").get("reason").asText()).contains("after decompression");
      assertThat(storedEvents(SHOP)).isZero();
    }
  }

  @Nested
  class Messages {
    @Test
    @DisplayName("one bad message in a batch is an error entry (index, messageId, field, "
        + "reason); the others are stored")
    void perEventErrors() throws IOException {
      String body = "{\"batch\":[" + track("m1", "u1") + ","
          + "{\"type\":\"track\",\"event\":\"Product Viewed\",\"messageId\":\"m2\","
          + "\"userId\":\"u2\",\"timestamp\":\"soon\"}," + track("m3", "u3") + "]}";
      TrackingResponse r = endpoint.handle(post("/v1/batch", body, "Authorization",
          basic("shop-key")));
      assertThat(r.status()).isEqualTo(200);
      JsonNode j = json(r);
      assertThat(j.get("stored").asInt()).isEqualTo(2);
      assertThat(j.get("rejected").asInt()).isEqualTo(1);
      JsonNode e = j.get("errors").get(0);
      assertThat(e.get("index").asInt()).isEqualTo(1);
      assertThat(e.get("messageId").asText()).isEqualTo("m2");
      assertThat(e.get("field").asText()).isEqualTo("/timestamp");
      assertThat(e.get("reason").asText()).isNotBlank().doesNotContain("soon");
    }

    @Test
    @DisplayName("a message without messageId gets an id derived from workspace and content: "
        + "the same body again is a duplicate, a different one is not, and another workspace "
        + "derives another id")
    void derivedMessageIds() throws IOException {
      String body = "{\"userId\":\"u1\",\"event\":\"Product Viewed\","
          + "\"properties\":{\"sku\":\"A\"},\"timestamp\":\"2026-11-20T10:00:00Z\"}";
      JsonNode first = json(endpoint.handle(post("/v1/track", body, "Authorization",
          basic("shop-key"))));
      // A retry: the same message with a new sentAt.
      JsonNode again = json(endpoint.handle(post("/v1/track",
          body.substring(0, body.length() - 1) + ",\"sentAt\":\"2026-11-22T13:09:59Z\"}",
          "Authorization", basic("shop-key"))));
      JsonNode other = json(endpoint.handle(post("/v1/track", body.replace("\"A\"", "\"B\""),
          "Authorization", basic("shop-key"))));
      JsonNode outlet = json(endpoint.handle(post("/v1/track", body, "Authorization",
          basic("outlet-key"))));
      assertThat(first.get("stored").asInt()).isEqualTo(1);
      assertThat(again.get("duplicates").asInt()).isEqualTo(1);
      assertThat(other.get("stored").asInt()).isEqualTo(1);
      assertThat(outlet.get("stored").asInt()).isEqualTo(1);
      List<String> ids = new ArrayList<>();
      cdp.workspace(SHOP).profiles().events(profile(SHOP, "u1").id())
          .forEach(e -> ids.add(e.messageId()));
      String outletId = cdp.workspace(OUTLET).profiles().events(profile(OUTLET, "u1").id())
          .get(0).messageId();
      assertThat(ids).hasSize(2).allMatch(id -> id.matches("cdp-[0-9a-f]{32}"));
      assertThat(ids).doesNotContain(outletId);
    }

    @Test
    @DisplayName("a batch over 2,500 messages stores the first 2,500 and rejects only the excess")
    void batchExcess() throws IOException {
      StringBuilder b = new StringBuilder("{\"batch\":[");
      for (int i = 0; i < 2_502; i++) {
        b.append(i == 0 ? "" : ",").append(track("m" + i, "u" + (i % 7)));
      }
      JsonNode j = json(endpoint.handle(post("/v1/batch", b.append("]}").toString(),
          "Authorization", basic("shop-key"))));
      assertThat(j.get("stored").asInt()).isEqualTo(2_500);
      assertThat(j.get("rejected").asInt()).isEqualTo(2);
      assertThat(j.get("errors").get(0).get("index").asInt()).isEqualTo(2_500);
      assertThat(j.get("errors").get(1).get("messageId").asText()).isEqualTo("m2501");
    }

    @Test
    @DisplayName("an explicit timestamp beats originalTimestamp (a historical import); a lone "
        + "originalTimestamp or timestamp is corrected by sentAt")
    void timestamps() {
      String body = "{\"batch\":["
          + "{\"type\":\"track\",\"event\":\"Old\",\"messageId\":\"h\",\"userId\":\"u1\","
          + "\"timestamp\":\"2019-05-01T10:00:00Z\","
          + "\"originalTimestamp\":\"2026-11-22T13:09:00Z\",\"sentAt\":\"2026-11-22T13:09:30Z\"},"
          + "{\"type\":\"track\",\"event\":\"Skewed\",\"messageId\":\"s\",\"userId\":\"u1\","
          + "\"originalTimestamp\":\"2026-11-22T14:09:00Z\",\"sentAt\":\"2026-11-22T14:09:30Z\"}"
          + "]}";
      endpoint.handle(post("/v1/batch", body, "Authorization", basic("shop-key")));
      Map<String, Instant> times = new HashMap<>();
      cdp.workspace(SHOP).profiles().events(profile(SHOP, "u1").id())
          .forEach(e -> times.put(e.name(), e.eventTime()));
      assertThat(times.get("Old")).isEqualTo(Instant.parse("2019-05-01T10:00:00Z"));
      // The client's clock is an hour ahead: received at NOW, sent 30 s after the event.
      assertThat(times.get("Skewed")).isEqualTo(NOW.minusSeconds(30));
    }

    @Test
    @DisplayName("date-times without a zone are read in the workspace's zone (UTC by default)")
    void localTimes() {
      String body = "{\"batch\":[{\"type\":\"track\",\"event\":\"Visit\",\"messageId\":\"l\","
          + "\"userId\":\"u1\",\"timestamp\":\"2026-07-01T12:00:00\"}]}";
      endpoint.handle(post("/v1/batch", body, "Authorization", basic("shop-key")));
      endpoint.handle(post("/v1/batch", body, "Authorization", basic("outlet-key")));
      assertThat(cdp.workspace(SHOP).profiles().events(profile(SHOP, "u1").id()).get(0)
          .eventTime()).isEqualTo(Instant.parse("2026-07-01T12:00:00Z"));
      assertThat(cdp.workspace(OUTLET).profiles().events(profile(OUTLET, "u1").id()).get(0)
          .eventTime()).isEqualTo(Instant.parse("2026-07-01T10:00:00Z")); // CEST
    }

    @Test
    @DisplayName("an order total sent as text is read as its number with a warning; text that is "
        + "not a plain number still rejects the order")
    void numericText() throws IOException {
      String body = "{\"batch\":["
          + "{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"o1\","
          + "\"userId\":\"u1\",\"properties\":{\"order_id\":\"A\",\"revenue\":\"19.99\"}},"
          + "{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"o2\","
          + "\"userId\":\"u1\",\"properties\":{\"order_id\":\"B\",\"revenue\":\"19,99\"}},"
          + "{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"o3\","
          + "\"userId\":\"u1\",\"properties\":{\"order_id\":\"C\",\"total\":\"1e3\"}}"
          + "]}";
      JsonNode j = json(endpoint.handle(post("/v1/batch", body, "Authorization",
          basic("shop-key"))));
      assertThat(j.get("stored").asInt()).isEqualTo(1);
      assertThat(j.get("warnings").get(0).get("kind").asText()).isEqualTo("NUMBER_FROM_TEXT");
      assertThat(j.get("warnings").get(0).get("field").asText()).isEqualTo("/properties/revenue");
      assertThat(j.get("errors").findValuesAsText("field"))
          .containsExactly("/properties/revenue", "/properties/total");
      Profile p = profile(SHOP, "u1");
      assertThat(p.orderCount()).isEqualTo(1);
      assertThat(p.totalSpend("EUR").minorUnits()).isEqualTo(1999);
    }

    @Test
    @DisplayName("an unusable identifier trait is dropped with a warning; the event is kept")
    void identifierDropped() throws IOException {
      JsonNode j = json(endpoint.handle(post("/v1/identify", "{\"userId\":\"u1\","
          + "\"messageId\":\"i1\",\"traits\":{\"email\":\"not an address\",\"name\":\"Ann\"}}",
          "Authorization", basic("shop-key"))));
      assertThat(j.get("stored").asInt()).isEqualTo(1);
      assertThat(j.get("warnings").get(0).get("kind").asText()).isEqualTo("IDENTIFIER_DROPPED");
      assertThat(profile(SHOP, "u1").traits()).containsEntry("name", "Ann");
    }
  }

  @Nested
  class Browsers {
    @Test
    @DisplayName("preflights are answered 204 with the CORS headers; responses carry the origin")
    void cors() {
      TrackingResponse pre = endpoint.handle(new TrackingRequest("OPTIONS", "/v1/t",
          Map.of("Origin", List.of("https://shop.example"),
              "Access-Control-Request-Headers", List.of("content-type")),
          InputStream.nullInputStream()));
      assertThat(pre.status()).isEqualTo(204);
      assertThat(pre.headers()).containsEntry("Access-Control-Allow-Origin", "*")
          .containsEntry("Access-Control-Allow-Headers", "content-type")
          .containsKey("Access-Control-Allow-Methods");
      TrackingResponse r = endpoint.handle(post("/v1/t", "{\"writeKey\":\"shop-key\","
          + "\"event\":\"E\",\"userId\":\"u1\",\"messageId\":\"c1\"}",
          "Origin", "https://shop.example", "Content-Type", "text/plain"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("Access-Control-Allow-Origin", "*");
    }

    @Test
    @DisplayName("with allowed origins, another origin is 403 (preflight and simple POST) and "
        + "stores nothing; an allowed one is echoed")
    void allowedOrigins() {
      TrackingEndpoint strict = TrackingEndpoint.builder(cdp).writeKey("k", SHOP)
          .allowedOrigins("https://shop.example").build();
      String body = "{\"writeKey\":\"k\",\"event\":\"E\",\"userId\":\"u1\",\"messageId\":\"c1\"}";
      assertThat(strict.handle(post("/v1/t", body, "Origin", "https://evil.example")).status())
          .isEqualTo(403);
      assertThat(strict.handle(new TrackingRequest("OPTIONS", "/v1/t",
          Map.of("Origin", List.of("https://evil.example")), InputStream.nullInputStream()))
          .status()).isEqualTo(403);
      assertThat(storedEvents(SHOP)).isZero();
      TrackingResponse ok = strict.handle(post("/v1/t", body, "Origin", "https://shop.example"));
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.headers()).containsEntry("Access-Control-Allow-Origin",
          "https://shop.example").containsEntry("Vary", "Origin");
    }
  }

  @Test
  @DisplayName("a store that is down is 503 with Retry-After; the retry after it comes back "
      + "stores every event once")
  void storeDown() throws IOException {
    String body = "{\"batch\":[" + track("m1", "u1") + "," + track("m2", "u2") + "]}";
    store.down = true;
    TrackingResponse r = endpoint.handle(post("/v1/batch", body, "Authorization",
        basic("shop-key")));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers()).containsEntry("Retry-After", "5");
    store.down = false;
    assertThat(storedEvents(SHOP)).isZero();
    JsonNode j = json(endpoint.handle(post("/v1/batch", body, "Authorization",
        basic("shop-key"))));
    assertThat(j.get("stored").asInt()).isEqualTo(2);
    assertThat(json(endpoint.handle(post("/v1/batch", body, "Authorization",
        basic("shop-key")))).get("duplicates").asInt()).isEqualTo(2);
  }
}
