package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.DeliveryResult.Outcome;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.IdentifierType;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The webhook channel")
class WebhookChannelTest {
  private static final String SECRET = "whsec-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookReceiver receiver;
  private final List<Channel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver(SECRET);
  }

  @AfterEach
  void stop() {
    channels.forEach(Channel::close);
    receiver.close();
  }

  private Map<String, String> config() {
    Map<String, String> c = new HashMap<>();
    c.put("url", receiver.url());
    c.put("secret", SECRET);
    return c;
  }

  private Channel channel(Map<String, String> config, Duration timeout) {
    Channel c = new WebhookChannelProvider().create(
        TestChannelContext.of("crm", config).withTimeout(timeout));
    channels.add(c);
    return c;
  }

  private Channel channel() {
    return channel(config(), Duration.ofSeconds(5));
  }

  private static Message sample() {
    return Messages.sample(List.of(IdentifierType.EMAIL, IdentifierType.PHONE))
        .idempotencyKey("msg-7f3e").attempt(2).build();
  }

  @Nested
  @DisplayName("posts")
  class Posting {
    @Test
    @DisplayName("the message as JSON with its fields in a fixed order")
    void body() throws Exception {
      Message m = sample();
      assertThat(channel().deliver(m).outcome()).isEqualTo(Outcome.DELIVERED);
      WebhookReceiver.Request r = receiver.requests().get(0);
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/hooks/cdp");
      JsonNode body = JSON.readTree(r.body());
      List<String> fields = new ArrayList<>();
      body.fieldNames().forEachRemaining(fields::add);
      assertThat(fields).containsExactly("idempotencyKey", "workspace", "profile", "rule",
          "channel", "purpose", "trigger", "attempt", "decidedAt", "recipients", "payload");
      assertThat(body.get("idempotencyKey").asText()).isEqualTo("msg-7f3e");
      assertThat(body.get("workspace").asText()).isEqualTo("shop-amsterdam");
      assertThat(body.get("profile").asText()).isEqualTo("p-ayse");
      assertThat(body.get("rule").asText()).isEqualTo("welcome");
      assertThat(body.get("trigger").asText()).isEqualTo("segment.entered:vip");
      assertThat(body.get("attempt").asInt()).isEqualTo(2);
      assertThat(body.get("decidedAt").asText()).isEqualTo("2026-03-01T10:15:00Z");
      assertThat(body.get("recipients").toString()).isEqualTo(
          "[{\"type\":\"email\",\"value\":\"ayse.yilmaz@example.com\"},"
              + "{\"type\":\"phone\",\"value\":\"+31612345678\"}]");
      assertThat(body.get("payload").get("greeting").asText()).isEqualTo("Merhaba Ayşe Yılmaz");
      assertThat(body.get("payload").get("order").get("total").asDouble()).isEqualTo(129.95);
    }

    @Test
    @DisplayName("with the content type, the idempotency key, extra headers and a signature"
        + " of the clock's time")
    void headers() {
      Map<String, String> config = config();
      config.put("header.Authorization", "Bearer t0k3n");
      config.put("header.X-Shop", "amsterdam");
      channel(config, Duration.ofSeconds(5)).deliver(sample());
      WebhookReceiver.Request r = receiver.requests().get(0);
      assertThat(r.headers().getFirst("Content-Type")).isEqualTo("application/json");
      assertThat(r.headers().getFirst("Idempotency-Key")).isEqualTo("msg-7f3e");
      assertThat(r.headers().getFirst("Authorization")).isEqualTo("Bearer t0k3n");
      assertThat(r.headers().getFirst("X-Shop")).isEqualTo("amsterdam");
      String signature = r.headers().getFirst(WebhookSignature.HEADER);
      assertThat(signature).startsWith("t=" + TestChannelContext.NOW.getEpochSecond() + ",v1=");
      assertThat(WebhookSignature.verify(SECRET, signature, r.body(), TestChannelContext.NOW,
          Duration.ZERO)).isTrue();
      assertThat(r.verified()).isTrue();
    }

    @Test
    @DisplayName("a signature the receiver rejects under another secret")
    void otherSecret() {
      channel().deliver(sample());
      WebhookReceiver.Request r = receiver.requests().get(0);
      assertThat(WebhookSignature.verify("another-secret-0123456", r.headers()
          .getFirst(WebhookSignature.HEADER), r.body(), TestChannelContext.NOW,
          Duration.ofMinutes(5))).isFalse();
    }

    @Test
    @DisplayName("the same body and key on every attempt of a message")
    void sameKeyTwice() {
      Channel c = channel();
      c.deliver(sample());
      c.deliver(sample());
      List<WebhookReceiver.Request> rs = receiver.requests();
      assertThat(rs).hasSize(2);
      assertThat(rs.get(1).body()).isEqualTo(rs.get(0).body());
      assertThat(rs.get(1).headers().getFirst("Idempotency-Key")).isEqualTo("msg-7f3e");
    }
  }

  @Nested
  @DisplayName("maps the answer")
  class Answers {
    @ParameterizedTest(name = "HTTP {0} is delivered")
    @ValueSource(ints = {200, 201, 202, 204})
    void success(int status) {
      receiver.answer(status, Map.of());
      assertThat(channel().deliver(sample())).isEqualTo(DeliveryResult.delivered());
    }

    @ParameterizedTest(name = "HTTP {0} is retryable")
    @ValueSource(ints = {408, 429, 500, 502, 503, 504})
    void retryable(int status) {
      receiver.answer(status, Map.of());
      assertThat(channel().deliver(sample()))
          .isEqualTo(DeliveryResult.retryable("HTTP " + status));
    }

    @ParameterizedTest(name = "HTTP {0} is permanent")
    @ValueSource(ints = {301, 302, 400, 401, 403, 404, 409, 410, 422})
    void permanent(int status) {
      receiver.answer(status, status / 100 == 3 ? Map.of("Location", "http://127.0.0.1:1/")
          : Map.of());
      assertThat(channel().deliver(sample()))
          .isEqualTo(DeliveryResult.permanent("HTTP " + status));
    }

    @Test
    @DisplayName("Retry-After in seconds is passed on")
    void retryAfterSeconds() {
      receiver.answer(429, Map.of("Retry-After", "120"));
      DeliveryResult r = channel().deliver(sample());
      assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
      assertThat(r.retryAfter()).contains(Duration.ofSeconds(120));
    }

    @Test
    @DisplayName("Retry-After as a date counts from the clock")
    void retryAfterDate() {
      String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
          TestChannelContext.NOW.plusSeconds(90).atZone(ZoneOffset.UTC));
      receiver.answer(503, Map.of("Retry-After", date));
      assertThat(channel().deliver(sample()).retryAfter()).contains(Duration.ofSeconds(90));
    }

    @Test
    @DisplayName("a Retry-After that is neither is ignored")
    void retryAfterGarbage() {
      assertThat(WebhookChannel.retryAfter("soon", Instant.EPOCH)).isEmpty();
      assertThat(WebhookChannel.retryAfter("-5", Instant.EPOCH)).isEmpty();
      assertThat(WebhookChannel.retryAfter("99999999999999999999", Instant.EPOCH)).isEmpty();
      assertThat(WebhookChannel.retryAfter(" 7 ", Instant.EPOCH)).contains(Duration.ofSeconds(7));
      assertThat(WebhookChannel.retryAfter("Thu, 01 Jan 1970 00:00:00 GMT",
          Instant.ofEpochSecond(100))).contains(Duration.ZERO);
      assertThat(WebhookChannel.result(503, Optional.of("soon"), Optional.empty(),
          Instant.EPOCH).retryAfter()).isEmpty();
    }

    @Test
    @DisplayName("a configured response header becomes the delivery's reference")
    void reference() {
      receiver.answer(202, Map.of("X-Request-Id", "req-42"));
      Map<String, String> config = config();
      config.put("reference-header", "X-Request-Id");
      assertThat(channel(config, Duration.ofSeconds(5)).deliver(sample()).reference())
          .contains("req-42");
    }

    @Test
    @DisplayName("the reason never quotes the response body")
    void reasonWithoutBody() {
      receiver.answer(400, Map.of())
          .answerBody("{\"error\":\"bad email ayse.yilmaz@example.com\"}");
      DeliveryResult r = channel().deliver(sample());
      assertThat(r).isEqualTo(DeliveryResult.permanent("HTTP 400"));
    }
  }

  @Nested
  @DisplayName("on a lost connection")
  class Failures {
    @Test
    @DisplayName("answers retryable when the receiver hangs past the timeout")
    void timeout() {
      receiver.hang();
      long start = System.nanoTime();
      DeliveryResult r = channel(config(), Duration.ofMillis(400)).deliver(sample());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r).isEqualTo(DeliveryResult.retryable("timed out after PT0.4S"));
      assertThat(took).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @DisplayName("answers retryable when nothing listens")
    void refused() throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Map<String, String> config = config();
      config.put("url", "http://127.0.0.1:" + port + "/hook");
      DeliveryResult r = channel(config, Duration.ofSeconds(2)).deliver(sample());
      assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
      assertThat(r.reason()).hasValueSatisfying(s -> assertThat(s).startsWith("I/O error"));
    }

    @Test
    @DisplayName("returns retryable at once and keeps the flag when its thread is interrupted"
        + " mid-request")
    void interruptedMidRequest() throws Exception {
      receiver.hang();
      Channel c = channel(config(), Duration.ofSeconds(20));
      AtomicReference<DeliveryResult> result = new AtomicReference<>();
      AtomicBoolean flag = new AtomicBoolean();
      Thread worker = new Thread(() -> {
        result.set(c.deliver(sample()));
        flag.set(Thread.currentThread().isInterrupted());
      });
      worker.start();
      while (receiver.requests().isEmpty()) {
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      worker.interrupt();
      worker.join(5_000);
      assertThat(worker.isAlive()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(result.get()).isEqualTo(DeliveryResult.retryable("interrupted"));
      assertThat(flag.get()).isTrue();
    }
  }

  @Nested
  @DisplayName("refuses a configuration")
  class Configuration {
    private void assertRejected(Map<String, String> config, String key) {
      assertThatThrownBy(() -> channel(config, Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("channel crm")
          .hasMessageContaining("'" + key + "'");
    }

    @Test
    @DisplayName("without url or secret")
    void missing() {
      Map<String, String> noUrl = config();
      noUrl.remove("url");
      assertRejected(noUrl, "url");
      Map<String, String> noSecret = config();
      noSecret.remove("secret");
      assertRejected(noSecret, "secret");
    }

    @ParameterizedTest(name = "with url {0}")
    @ValueSource(strings = {"ftp://example.com/x", "example.com/hook", "http://",
        "http://user:pw@example.com/hook", "http://exa mple.com/", "https://example.com/#top"})
    void badUrl(String url) {
      Map<String, String> config = config();
      config.put("url", url);
      assertRejected(config, "url");
    }

    @Test
    @DisplayName("with a secret shorter than 16 characters, without echoing it")
    void shortSecret() {
      Map<String, String> config = config();
      config.put("secret", "hunter2");
      assertRejected(config, "secret");
      assertThatThrownBy(() -> channel(config, Duration.ofSeconds(1)))
          .hasMessageNotContaining("hunter2");
    }

    @ParameterizedTest(name = "with header key {0}")
    @ValueSource(strings = {"header.Host", "header.Content-Length", "header.Idempotency-Key",
        "header.cdpkit-signature", "header.Content-Type", "header.Bad Name", "header."})
    void badHeader(String key) {
      Map<String, String> config = config();
      config.put(key, "x");
      assertRejected(config, key);
    }

    @ParameterizedTest(name = "with addresses \"{0}\"")
    @ValueSource(strings = {"Email", "email,,phone", "phone,phone", "e-mail"})
    void badAddresses(String addresses) {
      Map<String, String> config = config();
      config.put("addresses", addresses);
      assertRejected(config, "addresses");
    }

    @Test
    @DisplayName("with a header value holding a line break")
    void headerInjection() {
      Map<String, String> config = config();
      config.put("header.X-Shop", "a\r\nX-Evil: 1");
      assertRejected(config, "header.X-Shop");
    }
  }

  @Test
  @DisplayName("has no consent channel of its own, and no address types unless configured")
  void consentAndAddresses() {
    assertThat(new WebhookChannelProvider().consentChannel()).isNull();
    assertThat(channel().addresses()).isEmpty();
    Map<String, String> config = config();
    config.put("addresses", "phone, email");
    assertThat(channel(config, Duration.ofSeconds(1)).addresses())
        .containsExactly(IdentifierType.PHONE, IdentifierType.EMAIL);
  }
}
