package io.cdpkit.core.http.clients;

import static io.cdpkit.core.http.clients.ClientTestSupport.basic;
import static io.cdpkit.core.http.clients.ClientTestSupport.postJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.http.clients.ClientTestSupport.Collector;
import io.cdpkit.core.http.clients.ClientTestSupport.Reply;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The tracking endpoint's edge cases, over real HTTP on loopback: bodies and events over the
 * limits, unreadable and partly bad bodies, missing messageIds, bad keys, a gzip bomb, clients
 * that stall mid-body, and a store that is down.
 */
@Tag("slow") // about 30 s: run by the slow-suites profile, which .ci/run runs too
class EndpointWireTest {
  private static final String KEY = "WIRE_KEY";

  private static String track(String messageId, String userId, String extraJson) {
    return """
        {"type": "track", "messageId": "%s", "userId": "%s", "event": "Product Viewed",
         "timestamp": "2026-11-22T13:00:00Z", "properties": {"sku": "X1"%s}}"""
        .formatted(messageId, userId, extraJson);
  }

  private static String batch(String... messages) {
    return "{\"batch\": [" + String.join(",\n", messages) + "]}";
  }

  private static long storedEvents(Collector c) {
    return c.eventCounts().values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  @DisplayName("a 200 answer has its documented fields: success, stored, duplicates, rejected, "
      + "erased, errors, warnings")
  void answerShape() {
    try (Collector c = Collector.start(KEY)) {
      Reply r = postJson(c.baseUri(), "/v1/batch", KEY,
          batch(track("s-0", "u-s", ""), track("s-0", "u-s", "")));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      JsonNode json = r.json();
      assertThat(json.path("success").isBoolean()).as("%s", r).isTrue();
      assertThat(json.path("stored").isInt()).as("'stored' in %s", r).isTrue();
      assertThat(json.path("stored").asInt()).isEqualTo(1);
      assertThat(json.path("erased").asInt(-1)).isZero();
      assertThat(json.path("duplicates").asInt()).isEqualTo(1);
      assertThat(json.path("rejected").asInt()).isZero();
      assertThat(json.path("errors").isArray()).as("%s", r).isTrue();
      assertThat(json.path("warnings").isArray()).as("%s", r).isTrue();
    }
  }

  @Test
  @DisplayName("a body over maxRequestBytes is answered 413 and stores nothing, with or "
      + "without a Content-Length")
  void bodyOverMaxRequestBytes() {
    try (Collector c = Collector.start(Cdp.builder().build(), e -> e.maxRequestBytes(64 * 1024),
        s -> {}, KEY)) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        messages.add(track("big-" + i, "u-big", ", \"pad\": \"" + "p".repeat(1_000) + "\""));
      }
      byte[] body = batch(messages.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8);
      assertThat(body.length).isGreaterThan(64 * 1024);
      Map<String, String> headers =
          Map.of("Content-Type", "application/json", "Authorization", basic(KEY));

      Reply sized = ClientTestSupport.post(c.baseUri(), "/v1/batch", body, headers);
      assertThat(sized.status()).as("%s", sized).isEqualTo(413);
      Reply chunked = ClientTestSupport.send(c.baseUri(), "POST", "/v1/batch",
          HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
          headers);
      assertThat(chunked.status()).as("%s", chunked).isEqualTo(413);
      assertThat(storedEvents(c)).isZero();

      // Just under the limit is fine.
      String small = batch(messages.subList(0, 40).toArray(String[]::new));
      assertThat(small.length()).isLessThan(64 * 1024);
      ClientTestSupport.assertAccepted(postJson(c.baseUri(), "/v1/batch", KEY, small), 40);
    }
  }

  @Test
  @DisplayName("an event over the per-event limit in a good batch: 200 with that one error, "
      + "the others stored")
  void eventOverPerEventLimit() {
    try (Collector c = Collector.start(KEY)) {
      // 300 KB: over Segment's 32 KB per event and over the codec's 256 KB default alike.
      String huge = track("huge-1", "u-huge", ", \"blob\": \"" + "b".repeat(300_000) + "\"");
      Reply r = postJson(c.baseUri(), "/v1/batch", KEY,
          batch(track("ok-0", "u-huge", ""), huge, track("ok-2", "u-huge", "")));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      JsonNode json = r.json();
      assertThat(ClientTestSupport.accepted(json)).as("%s", r).isEqualTo(2);
      assertThat(json.path("rejected").asInt()).as("%s", r).isEqualTo(1);
      assertThat(json.path("errors")).as("%s", r).hasSize(1);
      JsonNode error = json.path("errors").get(0);
      assertThat(error.path("index").asInt()).isEqualTo(1);
      assertThat(error.path("messageId").asText()).isEqualTo("huge-1");
      assertThat(error.path("reason").asText()).as("%s", r).isNotBlank();
      assertThat(c.events(Identifier.customerId("u-huge"))).extracting(Event::messageId)
          .containsExactlyInAnyOrder("ok-0", "ok-2");
    }
  }

  @Test
  @DisplayName("invalid JSON is answered 400 and stores nothing")
  void invalidJson() {
    try (Collector c = Collector.start(KEY)) {
      for (String body : List.of("{\"batch\": [", "hello", "", "[1, 2]",
          "{\"batch\": [" + track("t-1", "u-1", "") + "]}}")) {
        Reply r = postJson(c.baseUri(), "/v1/batch", KEY, body);
        assertThat(r.status()).as("%s -> %s", body, r).isEqualTo(400);
      }
      assertThat(storedEvents(c)).isZero();
    }
  }

  @Test
  @DisplayName("one bad event in a good batch: 200 naming its index, messageId and field; the "
      + "others stored")
  void oneBadEventInAGoodBatch() {
    try (Collector c = Collector.start(KEY)) {
      String bad = """
          {"type": "track", "messageId": "bad-1", "userId": "u-b", "event": "Product Viewed",
           "timestamp": "yesterday"}""";
      Reply r = postJson(c.baseUri(), "/v1/batch", KEY,
          batch(track("good-0", "u-b", ""), bad, track("good-2", "u-b", "")));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      JsonNode json = r.json();
      assertThat(ClientTestSupport.accepted(json)).as("%s", r).isEqualTo(2);
      assertThat(json.path("rejected").asInt()).as("%s", r).isEqualTo(1);
      assertThat(json.path("errors")).as("%s", r).hasSize(1);
      JsonNode error = json.path("errors").get(0);
      assertThat(error.path("index").asInt()).isEqualTo(1);
      assertThat(error.path("messageId").asText()).isEqualTo("bad-1");
      assertThat(error.path("field").asText()).isEqualTo("/timestamp");
      assertThat(c.events(Identifier.customerId("u-b"))).extracting(Event::messageId)
          .containsExactlyInAnyOrder("good-0", "good-2");
    }
  }

  @Test
  @DisplayName("a message without messageId is stored; the same body again stores nothing new")
  void missingMessageId() {
    try (Collector c = Collector.start(KEY)) {
      String single = """
          {"userId": "u-m", "event": "Order Completed", "timestamp": "2026-11-22T12:00:00Z",
           "properties": {"order_id": "m-1", "revenue": "19.99", "currency": "EUR"}}""";
      ClientTestSupport.assertAccepted(postJson(c.baseUri(), "/v1/track", KEY, single), 1);
      Reply again = postJson(c.baseUri(), "/v1/track", KEY, single);
      assertThat(again.status()).as("%s", again).isEqualTo(200);
      assertThat(ClientTestSupport.accepted(again.json())).as("%s", again).isZero();
      assertThat(again.json().path("duplicates").asInt()).as("%s", again).isEqualTo(1);
      List<Event> events = c.events(Identifier.customerId("u-m"));
      assertThat(events).hasSize(1);
      assertThat(events.get(0).messageId()).isNotBlank();
      assertThat(c.profile(Identifier.customerId("u-m")).orderCount()).isEqualTo(1);

      // Two different messages without messageIds in one batch are two events; the batch
      // again is two duplicates.
      String pair = batch(
          "{\"type\": \"track\", \"userId\": \"u-m\", \"event\": \"Clicked\", "
              + "\"timestamp\": \"2026-11-22T12:01:00Z\"}",
          "{\"type\": \"track\", \"userId\": \"u-m\", \"event\": \"Clicked\", "
              + "\"timestamp\": \"2026-11-22T12:02:00Z\"}");
      ClientTestSupport.assertAccepted(postJson(c.baseUri(), "/v1/batch", KEY, pair), 2);
      Reply pairAgain = postJson(c.baseUri(), "/v1/batch", KEY, pair);
      assertThat(pairAgain.json().path("duplicates").asInt()).as("%s", pairAgain).isEqualTo(2);
      assertThat(c.events(Identifier.customerId("u-m"))).hasSize(3);
    }
  }

  @Test
  @DisplayName("a bad or missing write key is answered 401 and stores nothing")
  void badKey() {
    try (Collector c = Collector.start(KEY)) {
      String body = batch(track("k-1", "u-k", ""));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      Reply wrong = postJson(c.baseUri(), "/v1/batch", "NOT_" + KEY, body);
      assertThat(wrong.status()).as("%s", wrong).isEqualTo(401);
      Reply prefix = postJson(c.baseUri(), "/v1/batch", KEY.substring(0, 4), body);
      assertThat(prefix.status()).as("%s", prefix).isEqualTo(401);
      Reply none = ClientTestSupport.post(c.baseUri(), "/v1/batch", bytes,
          Map.of("Content-Type", "application/json"));
      assertThat(none.status()).as("%s", none).isEqualTo(401);
      Reply wrongInBody = ClientTestSupport.post(c.baseUri(), "/v1/batch",
          ("{\"writeKey\": \"NOT_" + KEY + "\", " + body.substring(1))
              .getBytes(StandardCharsets.UTF_8),
          Map.of("Content-Type", "application/json"));
      assertThat(wrongInBody.status()).as("%s", wrongInBody).isEqualTo(401);
      assertThat(storedEvents(c)).isZero();

      Reply right = ClientTestSupport.post(c.baseUri(), "/v1/batch",
          ("{\"writeKey\": \"" + KEY + "\", " + body.substring(1)).getBytes(StandardCharsets.UTF_8),
          Map.of("Content-Type", "application/json"));
      ClientTestSupport.assertAccepted(right, 1);
    }
  }

  @Test
  @DisplayName("unknown paths are 404, wrong methods 405")
  void pathsAndMethods() {
    try (Collector c = Collector.start(KEY)) {
      Reply unknown = postJson(c.baseUri(), "/v2/batch", KEY, batch(track("p-1", "u-p", "")));
      assertThat(unknown.status()).as("%s", unknown).isEqualTo(404);
      Reply get = ClientTestSupport.send(c.baseUri(), "GET", "/v1/batch",
          HttpRequest.BodyPublishers.noBody(), Map.of("Authorization", basic(KEY)));
      assertThat(get.status()).as("%s", get).isEqualTo(405);
      assertThat(storedEvents(c)).isZero();
    }
  }

  @Test
  @DisplayName("a large body refused for its write key: the client gets the 401 in 30 tries, "
      + "and the next request is served")
  void largeBodyWithBadKeyIsAnswered401() {
    try (Collector c = Collector.start(KEY)) {
      String big = batch(track("r-0", "u-r", ", \"pad\": \"" + "p".repeat(4_000_000) + "\""));
      // The JDK server closes a connection whose unread body is over 64 KiB; closed with
      // bytes unread, the socket resets, and the reset can destroy the answer in flight.
      assertThat(attempts(30, () -> sendWith(newClient(), c.baseUri(), "NOT_" + KEY, big)))
          .as("what a client sees in 30 attempts").containsOnly("401");
      assertThat(sendWith(newClient(), c.baseUri(), KEY, batch(track("r-ok", "u-r", ""))))
          .isEqualTo("200");
      assertThat(c.events(Identifier.customerId("u-r"))).extracting(Event::messageId)
          .containsExactly("r-ok");
    }
  }

  @Test
  @DisplayName("a body over maxRequestBytes: the client gets the 413 every time, and the next "
      + "request is served")
  void largeBodyOverTheLimitIsAnswered413() {
    try (Collector c = Collector.start(KEY)) {
      String over = batch(track("o-0", "u-o", ", \"pad\": \""
          + "p".repeat(TrackingEndpoint.DEFAULT_MAX_REQUEST_BYTES) + "\""));
      assertThat(attempts(20, () -> sendWith(newClient(), c.baseUri(), KEY, over)))
          .as("what a client sees in 20 attempts").containsOnly("413");
      assertThat(sendWith(newClient(), c.baseUri(), KEY, batch(track("o-ok", "u-o", ""))))
          .isEqualTo("200");
      assertThat(c.events(Identifier.customerId("u-o"))).extracting(Event::messageId)
          .containsExactly("o-ok");
    }
  }

  @Test
  @DisplayName("refused small bodies (401, 413) leave a kept-alive connection usable")
  void refusedBodiesDoNotPoisonTheConnection() {
    // One client: HttpClient reuses the kept-alive connection for the next request.
    HttpClient client = newClient();
    try (Collector c = Collector.start(Cdp.builder().build(), e -> e.maxRequestBytes(10_000),
        s -> {}, KEY)) {
      String over = batch(track("r-0", "u-r", ", \"pad\": \"" + "p".repeat(20_000) + "\""));
      for (int round = 0; round < 3; round++) {
        assertThat(sendWith(client, c.baseUri(), "NOT_" + KEY, batch(track("r-x", "u-r", ""))))
            .isEqualTo("401");
        assertThat(sendWith(client, c.baseUri(), KEY, over)).isEqualTo("413");
        assertThat(sendWith(client, c.baseUri(), KEY,
            batch(track("r-ok-" + round, "u-r", "")))).isEqualTo("200");
      }
      assertThat(c.events(Identifier.customerId("u-r"))).extracting(Event::messageId)
          .containsExactlyInAnyOrder("r-ok-0", "r-ok-1", "r-ok-2");
    }
  }

  private static List<String> attempts(int n, Supplier<String> attempt) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seen.add(attempt.get());
    }
    return seen;
  }

  private static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  /** The status code as text, or what went wrong instead of an answer. */
  private static String sendWith(HttpClient client, URI base, String key,
      String body) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", basic(key))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      return Integer.toString(client.send(request,
          HttpResponse.BodyHandlers.ofString()).statusCode());
    } catch (IOException e) {
      return "no answer: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("a batch of 2,501 messages: the first 2,500 stored, only the excess refused")
  void batchOverTheMessageLimit() {
    try (Collector c = Collector.start(KEY)) {
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 2_501; i++) {
        messages.add("{\"type\": \"track\", \"messageId\": \"m-" + i
            + "\", \"userId\": \"u-many\", \"event\": \"Tick\"}");
      }
      Reply r = postJson(c.baseUri(), "/v1/batch", KEY, batch(messages.toArray(String[]::new)));
      assertThat(r.status()).as("%s", r.status()).isEqualTo(200);
      JsonNode json = r.json();
      assertThat(ClientTestSupport.accepted(json)).isEqualTo(2_500);
      assertThat(json.path("rejected").asInt()).isEqualTo(1);
      assertThat(json.path("errors").get(0).path("index").asInt()).isEqualTo(2_500);
      assertThat(json.path("errors").get(0).path("messageId").asText()).isEqualTo("m-2500");
      assertThat(c.eventCounts()).containsEntry("Tick", 2_500L);
    }
  }

  @Test
  @DisplayName("amounts as numeric strings count, and a date-time without a zone is read in "
      + "the workspace's zone (UTC by default)")
  void numericStringsAndZonelessTimes() {
    try (Collector c = Collector.start(KEY)) {
      String order = """
          {"type": "track", "messageId": "z-1", "userId": "u-z", "event": "Order Completed",
           "timestamp": "2026-11-20T08:30:00",
           "properties": {"order_id": "z-o1", "revenue": "19.99", "currency": "EUR"}}""";
      JsonNode json = ClientTestSupport.assertAccepted(
          postJson(c.baseUri(), "/v1/batch", KEY, batch(order)), 1);
      assertThat(json.path("warnings").size()).as("%s", json).isPositive();
      Event e = c.events(Identifier.customerId("u-z")).get(0);
      assertThat(e.eventTime()).isEqualTo(Instant.parse("2026-11-20T08:30:00Z"));
      assertThat(c.profile(Identifier.customerId("u-z")).totalSpend("EUR"))
          .isEqualTo(Money.of(1_999, "EUR"));
    }
  }

  @Test
  @DisplayName("browser requests: CORS preflight, text/plain bodies to analytics.js' short "
      + "paths with the write key in the body")
  void browserRequests() {
    try (Collector c = Collector.start(KEY)) {
      Reply preflight = ClientTestSupport.send(c.baseUri(), "OPTIONS", "/v1/t",
          HttpRequest.BodyPublishers.noBody(), Map.of("Origin", "https://shop.example",
              "Access-Control-Request-Method", "POST",
              "Access-Control-Request-Headers", "content-type"));
      assertThat(preflight.status()).as("%s", preflight).isIn(200, 204);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isIn("*",
          "https://shop.example");
      assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");

      String track = """
          {"type": "track", "messageId": "b-1", "anonymousId": "anon-b", "event": "Clicked",
           "writeKey": "%s", "sentAt": "2026-11-22T13:00:00Z",
           "timestamp": "2026-11-22T13:00:00Z"}""".formatted(KEY);
      Reply r = ClientTestSupport.post(c.baseUri(), "/v1/t",
          track.getBytes(StandardCharsets.UTF_8),
          Map.of("Content-Type", "text/plain", "Origin", "https://shop.example"));
      ClientTestSupport.assertAccepted(r, 1);
      assertThat(r.header("Access-Control-Allow-Origin")).isIn("*", "https://shop.example");
      assertThat(c.events(Identifier.anonymousId("anon-b"))).extracting(Event::name)
          .containsExactly("Clicked");
    }
  }

  @Test
  @DisplayName("a cut gzip body is 400, an unknown content encoding 415; a plain body labelled "
      + "gzip is read as plain")
  void badEncodings() {
    try (Collector c = Collector.start(KEY)) {
      byte[] plain = batch(track("e-1", "u-e", "")).getBytes(StandardCharsets.UTF_8);
      Reply notGzip = ClientTestSupport.post(c.baseUri(), "/v1/batch", plain, Map.of(
          "Content-Type", "application/json", "Content-Encoding", "gzip",
          "Authorization", basic(KEY)));
      // The endpoint goes by the body's gzip magic bytes: a plain body labelled gzip is read.
      ClientTestSupport.assertAccepted(notGzip, 1);
      byte[] gz = ClientTestSupport.gzip(plain);
      Reply cut = ClientTestSupport.post(c.baseUri(), "/v1/batch",
          Arrays.copyOf(gz, gz.length / 2), Map.of("Content-Type", "application/json",
              "Content-Encoding", "gzip", "Authorization", basic(KEY)));
      assertThat(cut.status()).as("%s", cut).isEqualTo(400);
      Reply brotli = ClientTestSupport.post(c.baseUri(), "/v1/batch", plain, Map.of(
          "Content-Type", "application/json", "Content-Encoding", "br",
          "Authorization", basic(KEY)));
      assertThat(brotli.status()).as("%s", brotli).isEqualTo(415);
      assertThat(storedEvents(c)).isEqualTo(1);
    }
  }

  /**
   * A gzip body of about 1 MB that inflates to 1 GiB: a JSON message whose one property is a
   * billion 'a's. Built once (a few seconds).
   */
  private static byte[] gzipBomb() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2 << 20);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      gz.write(("{\"batch\": [{\"type\": \"track\", \"messageId\": \"bomb-1\", \"userId\": "
          + "\"u-bomb\", \"event\": \"Boom\", \"properties\": {\"a\": \"")
          .getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'a');
      for (int i = 0; i < 1024; i++) {
        gz.write(chunk);
      }
      gz.write("\"}}]}".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("a gzip bomb (1 MB inflating to 1 GiB) is refused quickly, and the server goes on")
  void gzipBombIsRefused() {
    byte[] bomb = gzipBomb();
    assertThat(bomb.length).isBetween(500_000, 4 * 1024 * 1024 - 1);
    try (Collector c = Collector.start(KEY)) {
      long start = System.nanoTime();
      Reply r = ClientTestSupport.post(c.baseUri(), "/v1/batch", bomb, Map.of(
          "Content-Type", "application/json", "Content-Encoding", "gzip",
          "Authorization", basic(KEY)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.status()).as("%s", r).isIn(413, 400);
      assertThat(took).as("time to refuse the bomb").isLessThan(Duration.ofSeconds(10));
      assertThat(storedEvents(c)).isZero();
      ClientTestSupport.assertAccepted(
          postJson(c.baseUri(), "/v1/batch", KEY, batch(track("after-1", "u-bomb", ""))), 1);
    }
  }

  /** Opens a connection that sends headers and half of a declared body, then stalls. */
  private static Socket stall(URI base) throws IOException {
    Socket s = new Socket(base.getHost(), base.getPort());
    String body = batch(track("slow-" + System.nanoTime(), "u-slow", ""));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(("POST /v1/batch HTTP/1.1\r\nHost: " + base.getAuthority() + "\r\n"
        + "Content-Type: application/json\r\nAuthorization: " + basic(KEY) + "\r\n"
        + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes, 0, bytes.length / 2);
    out.flush();
    return s;
  }

  /**
   * Waits for the server to give up on a stalled connection: an answer of 4xx, or the
   * connection closed or reset. Returns when that happened, in nanoseconds of
   * {@link System#nanoTime()}.
   */
  private static long awaitGivenUp(Socket s, Duration timeout) throws IOException {
    s.setSoTimeout(15_000);
    InputStream in = s.getInputStream();
    try {
      byte[] answer = in.readNBytes(12);
      String status = new String(answer, StandardCharsets.US_ASCII);
      assertThat(status.isEmpty() || status.startsWith("HTTP/1.1 4"))
          .as("the server's answer to a stalled body: '%s'", status).isTrue();
    } catch (SocketTimeoutException e) {
      fail("the server still waits for a stalled body after 15 s (body timeout " + timeout + ")");
    } catch (IOException e) {
      // a reset connection is a way of giving up too
    }
    return System.nanoTime();
  }

  @Test
  @DisplayName("clients that send half a body and stall are dropped after the body timeout; "
      + "others are served meanwhile")
  void slowClients() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    try (Collector c = Collector.start(Cdp.builder().build(), e -> {},
        s -> s.bodyTimeout(timeout), KEY)) {
      List<Socket> slow = new ArrayList<>();
      try {
        long start = System.nanoTime();
        for (int i = 0; i < 2; i++) {
          slow.add(stall(c.baseUri()));
        }
        long served = System.nanoTime();
        ClientTestSupport.assertAccepted(
            postJson(c.baseUri(), "/v1/batch", KEY, batch(track("fast-1", "u-fast", ""))), 1);
        assertThat(Duration.ofNanos(System.nanoTime() - served))
            .as("a good request while two others stall").isLessThan(timeout);
        for (Socket s : slow) {
          Duration after = Duration.ofNanos(awaitGivenUp(s, timeout) - start);
          assertThat(after).as("gave up on a stalled body after")
              .isGreaterThanOrEqualTo(timeout.dividedBy(2))
              .isLessThan(timeout.multipliedBy(5));
        }
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
      assertThat(c.profiles().find(Identifier.customerId("u-slow"))).isEmpty();
      ClientTestSupport.assertAccepted(
          postJson(c.baseUri(), "/v1/batch", KEY, batch(track("fast-2", "u-fast", ""))), 1);
    }
  }

  @Test
  @DisplayName("more stalled clients than server threads delay others by at most the body "
      + "timeout")
  void moreSlowClientsThanThreads() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    try (Collector c = Collector.start(Cdp.builder().build(), e -> {},
        s -> s.bodyTimeout(timeout).threads(2), KEY)) {
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          slow.add(stall(c.baseUri()));
        }
        long served = System.nanoTime();
        ClientTestSupport.assertAccepted(
            postJson(c.baseUri(), "/v1/batch", KEY, batch(track("fast-1", "u-fast", ""))), 1);
        assertThat(Duration.ofNanos(System.nanoTime() - served))
            .as("a good request while more clients than threads stall")
            .isLessThan(timeout.multipliedBy(3));
        for (Socket s : slow) {
          awaitGivenUp(s, timeout);
        }
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
      assertThat(c.profiles().find(Identifier.customerId("u-slow"))).isEmpty();
    }
  }

  /** A store whose writes fail while it is "down"; reads go on. */
  private static final class DownableStore implements Store {
    private final Store delegate = Store.inMemory();
    volatile boolean down;

    @Override
    public <T> T write(WorkspaceId workspace,
        Function<? super WriteTransaction, ? extends T> work) {
      if (down) {
        throw new StorageException("the store is down (test)", true, null);
      }
      return delegate.write(workspace, work);
    }

    @Override
    public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
      return delegate.read(workspace, work);
    }

    @Override
    public <C> Optional<C> capability(Class<C> type) {
      return delegate.capability(type);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  @DisplayName("a store that is down: 503 with Retry-After, nothing acknowledged; once it is "
      + "back the same body is stored whole")
  void storeDown() {
    DownableStore store = new DownableStore();
    try (Collector c = Collector.start(Cdp.builder().store(store).build(), e -> {}, s -> {},
        KEY)) {
      String body = batch(track("d-0", "u-d", ""), track("d-1", "u-d", ""));
      store.down = true;
      Reply r = postJson(c.baseUri(), "/v1/batch", KEY, body);
      assertThat(r.status()).as("%s", r).isEqualTo(503);
      String retryAfter = r.header("Retry-After");
      assertThat(retryAfter).as("Retry-After of %s", r).isNotNull();
      assertThat(Integer.parseInt(retryAfter.strip())).isPositive();
      store.down = false;
      assertThat(storedEvents(c)).isZero();

      Reply back = postJson(c.baseUri(), "/v1/batch", KEY, body);
      JsonNode json = ClientTestSupport.assertAccepted(back, 2);
      assertThat(json.path("duplicates").asInt()).isZero();
      assertThat(c.events(Identifier.customerId("u-d"))).extracting(Event::messageId)
          .containsExactlyInAnyOrder("d-0", "d-1");
    }
  }
}
