package io.cdpkit.examples.sms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.DeliveryResult.Outcome;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.examples.sms.StubGateway.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The SMS gateway channel")
class SmsGatewayChannelTest {
  static final String PHONE = "+31612345678";
  static final String KEY = "k3y-for-tests-0123";
  static final ObjectMapper JSON = new ObjectMapper();

  StubGateway gateway;
  SmsGatewayChannel channel;
  final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    gateway = new StubGateway();
    channel = new SmsGatewayChannel(TestContext.of(config()));
  }

  @AfterEach
  void stop() {
    release.countDown();
    channel.close();
    gateway.close();
  }

  Map<String, String> config() {
    return Map.of("url", gateway.url(), "api-key", KEY);
  }

  static Message message(List<Identifier> recipients, Map<String, Object> payload) {
    return new Message("welcome:0a1b2c", WorkspaceId.DEFAULT, ProfileId.of("p-1"), "welcome",
        "sms", "marketing", "segment.entered:club", recipients, payload, 1,
        TestContext.NOW);
  }

  static Message message(String text) {
    return message(List.of(Identifier.phone(PHONE)), Map.of("text", text));
  }

  DeliveryResult answer(Answer a) {
    gateway.answer(a);
    return channel.deliver(message("Hello"));
  }

  @Nested
  @DisplayName("sends")
  class Sends {
    @Test
    @DisplayName("one JSON POST with to, text and the idempotency key as reference")
    void body() throws IOException {
      DeliveryResult r = channel.deliver(message("Welcome to the club, \"Ana\"!\nSee you ☺"));

      assertThat(r.outcome()).isEqualTo(Outcome.DELIVERED);
      assertThat(gateway.seen()).hasSize(1);
      StubGateway.Seen s = gateway.seen().get(0);
      assertThat(s.method()).isEqualTo("POST");
      assertThat(s.path()).isEqualTo("/v1/messages");
      assertThat(s.headers()).containsEntry("content-type", "application/json");
      JsonNode body = JSON.readTree(s.body());
      assertThat(body.size()).isEqualTo(3);
      assertThat(body.get("to").asText()).isEqualTo(PHONE);
      assertThat(body.get("text").asText()).isEqualTo("Welcome to the club, \"Ana\"!\nSee you ☺");
      assertThat(body.get("reference").asText()).isEqualTo("welcome:0a1b2c");
    }

    @Test
    @DisplayName("the API key as a bearer token")
    void auth() {
      channel.deliver(message("Hello"));

      assertThat(gateway.seen().get(0).headers()).containsEntry("authorization", "Bearer " + KEY);
    }

    @Test
    @DisplayName("to the first phone number of the recipients")
    void firstPhone() throws IOException {
      channel.deliver(message(List.of(Identifier.email("ana@example.com"),
          Identifier.phone("+31612345600"), Identifier.phone(PHONE)), Map.of("text", "Hi")));

      assertThat(JSON.readTree(gateway.seen().get(0).body()).get("to").asText())
          .isEqualTo("+31612345600");
    }

    @Test
    @DisplayName("to people reached by phone")
    void addresses() {
      assertThat(channel.addresses()).containsExactly(IdentifierType.PHONE);
    }
  }

  @Nested
  @DisplayName("maps the gateway's answer")
  class Answers {
    @Test
    @DisplayName("2xx with an id: delivered, with the id as reference")
    void deliveredWithId() {
      assertThat(answer(Answer.of(200, "{\"id\": \"gw-81\", \"status\": \"queued\"}")))
          .isEqualTo(DeliveryResult.delivered("gw-81"));
      assertThat(answer(Answer.of(201, "{\"id\": 4711}")))
          .isEqualTo(DeliveryResult.delivered("4711"));
    }

    @Test
    @DisplayName("2xx without an id, or without JSON: delivered, without reference")
    void deliveredWithoutId() {
      assertThat(answer(Answer.of(202, ""))).isEqualTo(DeliveryResult.delivered());
      assertThat(answer(Answer.of(200, "queued"))).isEqualTo(DeliveryResult.delivered());
      assertThat(answer(Answer.of(200, "[\"gw-1\"]"))).isEqualTo(DeliveryResult.delivered());
      assertThat(answer(Answer.of(200, "{\"id\": {\"x\": 1}}")))
          .isEqualTo(DeliveryResult.delivered());
    }

    @Test
    @DisplayName("a very long id is cut")
    void longId() {
      String id = "x".repeat(500);
      assertThat(answer(Answer.of(200, "{\"id\": \"" + id + "\"}")).reference().orElseThrow())
          .hasSize(SmsGatewayChannel.MAX_REFERENCE_LENGTH);
    }

    @Test
    @DisplayName("429 with Retry-After in seconds: retryable after that wait")
    void throttled() {
      assertThat(answer(Answer.of(429, "{}").header("Retry-After", "30")))
          .isEqualTo(DeliveryResult.retryable("HTTP 429", Duration.ofSeconds(30)));
    }

    @Test
    @DisplayName("503 with Retry-After as an HTTP date: retryable until then, by the clock")
    void unavailableUntil() {
      String date = DateTimeFormatter.RFC_1123_DATE_TIME
          .format(TestContext.NOW.plusSeconds(120).atOffset(ZoneOffset.UTC));
      assertThat(answer(Answer.of(503, "").header("Retry-After", date)))
          .isEqualTo(DeliveryResult.retryable("HTTP 503", Duration.ofSeconds(120)));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    @DisplayName("408, 429 and 5xx without Retry-After: retryable, the engine's backoff decides")
    void retryable(int status) {
      DeliveryResult r = answer(Answer.of(status, "{\"error\": \"+31612345678 busy\"}"));
      assertThat(r).isEqualTo(DeliveryResult.retryable("HTTP " + status));
      assertThat(r.retryAfter()).isEmpty();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {301, 400, 401, 403, 404, 409, 413, 422})
    @DisplayName("other statuses: permanent, with the status and not the gateway's words")
    void permanent(int status) {
      DeliveryResult r = answer(Answer.of(status, "{\"error\": \"number +31612345678 barred\"}")
          .header("Retry-After", "30"));
      assertThat(r).isEqualTo(DeliveryResult.permanent("HTTP " + status));
    }

    @Test
    @DisplayName("no answer within the context's timeout: retryable")
    void timeout() {
      channel.close();
      channel = new SmsGatewayChannel(TestContext.of(config())
          .withTimeout(Duration.ofMillis(300)));
      gateway.answer(new Answer(200, Map.of(), "{}", release));

      long start = System.nanoTime();
      DeliveryResult r = channel.deliver(message("Hello"));

      assertThat(r).isEqualTo(DeliveryResult.retryable("no answer within PT0.3S"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a refused connection: retryable, naming the error's class only")
    void refused() throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      channel.close();
      channel = new SmsGatewayChannel(TestContext.of(Map.of(
          "url", "http://127.0.0.1:" + port + "/v1/messages", "api-key", KEY)));

      DeliveryResult r = channel.deliver(message("Hello"));

      assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
      assertThat(r.reason().orElseThrow()).startsWith("I/O error (").doesNotContain(PHONE);
    }

    @Test
    @DisplayName("after close: retryable, and nothing is sent")
    void closed() {
      channel.close();

      assertThat(channel.deliver(message("Hello")).outcome()).isEqualTo(Outcome.RETRYABLE);
      assertThat(gateway.seen()).isEmpty();
    }
  }

  @Nested
  @DisplayName("reads Retry-After")
  class RetryAfter {
    @Test
    @DisplayName("as seconds, as an HTTP date, never negative, at most a day, else not at all")
    void forms() {
      assertThat(SmsGatewayChannel.retryAfter(" 0 ", TestContext.NOW))
          .contains(Duration.ZERO);
      assertThat(SmsGatewayChannel.retryAfter("Mon, 02 Mar 2026 09:00:45 GMT", TestContext.NOW))
          .contains(Duration.ofSeconds(45));
      assertThat(SmsGatewayChannel.retryAfter("Mon, 02 Mar 2026 08:00:00 GMT", TestContext.NOW))
          .contains(Duration.ZERO);
      assertThat(SmsGatewayChannel.retryAfter("172800", TestContext.NOW))
          .contains(SmsGatewayChannel.MAX_RETRY_AFTER);
      assertThat(SmsGatewayChannel.retryAfter("99999999999999999999999", TestContext.NOW))
          .contains(SmsGatewayChannel.MAX_RETRY_AFTER);
      assertThat(SmsGatewayChannel.retryAfter("-5", TestContext.NOW)).isEmpty();
      assertThat(SmsGatewayChannel.retryAfter("soon", TestContext.NOW)).isEmpty();
      assertThat(SmsGatewayChannel.result(503, Optional.of("soon"), Optional.empty(),
          TestContext.NOW)).isEqualTo(DeliveryResult.retryable("HTTP 503"));
    }
  }

  @Nested
  @DisplayName("refuses a message it cannot send, permanently and without calling the gateway")
  class Refuses {
    @Test
    @DisplayName("without a phone number")
    void noPhone() {
      DeliveryResult r = channel.deliver(message(List.of(Identifier.email("ana@example.com")),
          Map.of("text", "Hi")));

      assertThat(r).isEqualTo(DeliveryResult.permanent("no phone number among the recipients"));
      assertThat(gateway.seen()).isEmpty();
    }

    @Test
    @DisplayName("with a number not in E.164 form, without showing it")
    void notE164() {
      DeliveryResult r = channel.deliver(message(List.of(Identifier.phone("0612345678")),
          Map.of("text", "Hi")));

      assertThat(r).isEqualTo(DeliveryResult.permanent("the phone number is not in E.164 form"));
      assertThat(gateway.seen()).isEmpty();
    }

    @Test
    @DisplayName("without a text, or with a blank one")
    void noText() {
      Map<String, Object> nullText = new HashMap<>();
      nullText.put("text", null);
      for (Map<String, Object> payload : List.of(Map.<String, Object>of("subject", "Hi"),
          Map.<String, Object>of("text", "  "), nullText)) {
        assertThat(channel.deliver(message(List.of(Identifier.phone(PHONE)), payload)))
            .isEqualTo(DeliveryResult.permanent("the payload has no 'text'"));
      }
      assertThat(gateway.seen()).isEmpty();
    }
  }

  @Nested
  @DisplayName("refuses a configuration, naming the key")
  class Config {
    IllegalArgumentException refused(Map<String, String> config) {
      try {
        new SmsGatewayChannel(TestContext.of(config)).close();
      } catch (IllegalArgumentException e) {
        return e;
      }
      throw new AssertionError("the configuration was accepted");
    }

    @Test
    @DisplayName("without url, or with a blank one")
    void noUrl() {
      assertThat(refused(Map.of("api-key", KEY))).hasMessage(
          "channel sms: config key 'url' is required");
      assertThat(refused(Map.of("url", " ", "api-key", KEY))).hasMessage(
          "channel sms: config key 'url' is required");
    }

    @Test
    @DisplayName("with a url that is not http(s), has no host, or carries credentials")
    void badUrl() {
      assertThat(refused(Map.of("url", "ftp://sms.example.com/", "api-key", KEY)))
          .hasMessage("channel sms: config key 'url' must be an http or https URL");
      assertThat(refused(Map.of("url", "sms.example.com/v1", "api-key", KEY)))
          .hasMessage("channel sms: config key 'url' must be an http or https URL");
      assertThat(refused(Map.of("url", "http:///v1", "api-key", KEY)))
          .hasMessage("channel sms: config key 'url' must name a host");
      assertThat(refused(Map.of("url", "https://sms example/?token=s3cret", "api-key", KEY)))
          .hasMessage("channel sms: config key 'url' is not a URL");
      IllegalArgumentException e =
          refused(Map.of("url", "https://user:s3cret@sms.example.com/", "api-key", KEY));
      assertThat(e).hasMessageContaining("config key 'url'");
      assertThat(e.getMessage()).doesNotContain("s3cret");
    }

    @Test
    @DisplayName("without api-key, or with one that cannot be a header, without showing it")
    void badKey() {
      assertThat(refused(Map.of("url", gateway.url()))).hasMessage(
          "channel sms: config key 'api-key' is required");
      IllegalArgumentException e =
          refused(Map.of("url", gateway.url(), "api-key", "s3cret with spaces"));
      assertThat(e).hasMessageStartingWith("channel sms: config key 'api-key' must be");
      assertThat(e.getMessage()).doesNotContain("s3cret");
      assertThat(refused(Map.of("url", gateway.url(), "api-key", "s3cret\r\nX-Evil: 1")))
          .hasMessageStartingWith("channel sms: config key 'api-key' must be");
    }

    @Test
    @DisplayName("and never shows the key in toString")
    void toStringHidesKey() {
      assertThat(channel.toString()).isEqualTo("SmsGatewayChannel[sms]").doesNotContain(KEY);
    }
  }
}
