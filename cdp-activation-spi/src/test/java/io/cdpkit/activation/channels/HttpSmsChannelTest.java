package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The HTTP SMS channel")
class HttpSmsChannelTest {
  static final ObjectMapper JSON = new ObjectMapper();
  FakeHttpServer gateway;
  final List<Channel> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    gateway = new FakeHttpServer(r -> FakeHttpServer.Response.of(201,
        "{\"sid\":\"SM0123456789abcdef\",\"status\":\"queued\"}"));
  }

  @AfterEach
  void stop() {
    open.forEach(Channel::close);
    gateway.close();
  }

  Channel channel(Map<String, String> extra) {
    Map<String, String> config = new HashMap<>(Map.of("url", gateway.url()
        + "/2010-04-01/Accounts/AC123/Messages.json", "from", "+3197010000001"));
    config.putAll(extra);
    Channel c = new HttpSmsChannelProvider().create(TestChannelContext.of("sms", config));
    open.add(c);
    return c;
  }

  static Message message(String text) {
    return Messages.builder().recipient(Messages.PHONE).put("text", text).build();
  }

  static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  @DisplayName("by default posts Twilio's form (To, From, Body) with Basic auth, and keeps"
      + " the sid as the reference")
  void twilioForm() {
    DeliveryResult r = channel(Map.of("username", "AC123", "password", "s3cr3t-t0ken"))
        .deliver(message("Hoş geldin & welcome = 100%"));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    assertThat(r.reference()).hasValue("SM0123456789abcdef");
    FakeHttpServer.Request q = gateway.requests().get(0);
    assertThat(q.path()).isEqualTo("/2010-04-01/Accounts/AC123/Messages.json");
    assertThat(q.headers().getFirst("Content-Type"))
        .isEqualTo("application/x-www-form-urlencoded");
    assertThat(q.headers().getFirst("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString("AC123:s3cr3t-t0ken".getBytes(StandardCharsets.UTF_8)));
    assertThat(q.headers().getFirst("Idempotency-Key")).isEqualTo("msg-0001");
    assertThat(form(q.bodyText())).containsExactly(Map.entry("To", "+31612345678"),
        Map.entry("From", "+3197010000001"), Map.entry("Body", "Hoş geldin & welcome = 100%"));
  }

  @Test
  @DisplayName("posts JSON with other field names, an array recipient, fixed params and a"
      + " header for auth (MessageBird style)")
  void jsonShape() throws Exception {
    DeliveryResult r = channel(Map.of("format", "json", "field.to", "recipients[]",
        "field.from", "originator", "field.text", "body", "param.datacoding", "auto",
        "header.Authorization", "AccessKey live_abc", "reference-field", "id"))
        .deliver(message("Your code is 1234"));
    gateway.respondWith(q -> FakeHttpServer.Response.of(201, "{\"id\":\"mb-1\"}"));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    FakeHttpServer.Request q = gateway.requests().get(0);
    assertThat(q.headers().getFirst("Content-Type")).isEqualTo("application/json");
    assertThat(q.headers().getFirst("Authorization")).isEqualTo("AccessKey live_abc");
    JsonNode body = JSON.readTree(q.body());
    assertThat(body.path("recipients").isArray()).isTrue();
    assertThat(body.path("recipients").get(0).asText()).isEqualTo("+31612345678");
    assertThat(body.path("originator").asText()).isEqualTo("+3197010000001");
    assertThat(body.path("body").asText()).isEqualTo("Your code is 1234");
    assertThat(body.path("datacoding").asText()).isEqualTo("auto");
    assertThat(body.size()).isEqualTo(4);
  }

  @Test
  @DisplayName("sends a Bearer token when given one")
  void bearer() {
    channel(Map.of("token", "tok-123")).deliver(message("hi"));
    assertThat(gateway.requests().get(0).headers().getFirst("Authorization"))
        .isEqualTo("Bearer tok-123");
  }

  @Test
  @DisplayName("refuses a text over max-length as a permanent failure naming the field and"
      + " the key, counting characters, not UTF-16 units")
  void maxLength() {
    Channel c = channel(Map.of("max-length", "10"));
    String emoji = "😀".repeat(10); // 10 characters, 20 UTF-16 units
    assertThat(c.deliver(message(emoji)).outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    DeliveryResult r = c.deliver(message("x".repeat(11)));
    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(r.reason().orElseThrow()).contains("'text'").contains("11 characters")
        .contains("'max-length'").doesNotContain("xxxxxxxxxxx");
    assertThat(gateway.requests()).hasSize(1);
  }

  @Test
  @DisplayName("429 and 5xx are retryable with Retry-After; other 4xx and 3xx are permanent")
  void statuses() {
    gateway.then(new FakeHttpServer.Response(429, Map.of("Retry-After", "7"), ""),
        FakeHttpServer.Response.of(503, ""), FakeHttpServer.Response.of(400,
            "{\"code\":21211,\"message\":\"Invalid 'To' Phone Number\"}"),
        new FakeHttpServer.Response(302, Map.of("Location", "http://127.0.0.1:1/"), ""),
        FakeHttpServer.Response.of(401, ""));
    Channel c = channel(Map.of());
    DeliveryResult busy = c.deliver(message("hi"));
    assertThat(busy.outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    assertThat(busy.retryAfter()).hasValue(Duration.ofSeconds(7));
    assertThat(c.deliver(message("hi")).outcome()).isEqualTo(DeliveryResult.Outcome.RETRYABLE);
    DeliveryResult bad = c.deliver(message("hi"));
    assertThat(bad.outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(bad.reason()).hasValue("SMS gateway HTTP 400");
    assertThat(c.deliver(message("hi")).outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(c.deliver(message("hi")).outcome()).isEqualTo(DeliveryResult.Outcome.PERMANENT);
    assertThat(gateway.requests()).hasSize(5);
  }

  @Test
  @DisplayName("a message without a phone, with a number not in E.164, or without text fails"
      + " for good without a request")
  void nothingToSend() {
    Channel c = channel(Map.of());
    assertThat(c.deliver(Messages.builder().recipient(Messages.EMAIL).put("text", "hi")
        .build()).reason()).hasValue("no phone recipient");
    assertThat(c.deliver(Messages.builder().recipient(Identifier.of(IdentifierType.PHONE,
        "0612345678")).put("text", "hi").build()).reason())
        .hasValue("phone recipient is not an E.164 number");
    assertThat(c.deliver(Messages.builder().recipient(Messages.PHONE).put("text", "  ")
        .build()).reason()).hasValue("payload key 'text' is missing or blank");
    assertThat(gateway.requests()).isEmpty();
  }

  @Test
  @DisplayName("configuration errors name the key")
  void configErrors() {
    assertThatThrownBy(() -> channel(Map.of("format", "xml"))).hasMessageContaining(
        "'format'");
    assertThatThrownBy(() -> channel(Map.of("username", "u"))).hasMessageContaining(
        "'password'");
    assertThatThrownBy(() -> channel(Map.of("username", "u", "password", "p", "token", "t")))
        .hasMessageContaining("'token'");
    assertThatThrownBy(() -> channel(Map.of("field.to", "recipients[]")))
        .hasMessageContaining("'field.to'").hasMessageContaining("json");
    assertThatThrownBy(() -> channel(Map.of("field.text", "parts[]")))
        .hasMessageContaining("'field.text'");
    assertThatThrownBy(() -> channel(Map.of("field.text", "To"))).hasMessageContaining(
        "must differ");
    assertThatThrownBy(() -> channel(Map.of("param.To", "x"))).hasMessageContaining(
        "'param.To'");
    assertThatThrownBy(() -> channel(Map.of("token", "t", "header.Authorization", "x")))
        .hasMessageContaining("'header.Authorization'");
    assertThatThrownBy(() -> channel(Map.of("max-length", "0"))).hasMessageContaining(
        "'max-length'");
    assertThatThrownBy(() -> new HttpSmsChannelProvider().create(TestChannelContext.of("sms",
        Map.of("url", gateway.url())))).hasMessageContaining("'from'");
  }

  @Test
  @DisplayName("counts segments: GSM-7 160/153, extension characters twice, UCS-2 70/67")
  void segments() {
    assertThat(SmsSegments.count("a".repeat(160))).isEqualTo(1);
    assertThat(SmsSegments.count("a".repeat(161))).isEqualTo(2);
    assertThat(SmsSegments.count("a".repeat(306))).isEqualTo(2);
    assertThat(SmsSegments.count("a".repeat(307))).isEqualTo(3);
    assertThat(SmsSegments.count("€".repeat(80))).isEqualTo(1);
    assertThat(SmsSegments.count("€".repeat(81))).isEqualTo(2);
    assertThat(SmsSegments.count("ı".repeat(70))).isEqualTo(1);
    assertThat(SmsSegments.count("ş" + "a".repeat(70))).isEqualTo(2);
    assertThat(SmsSegments.count("ş".repeat(134))).isEqualTo(2);
    assertThat(SmsSegments.count("ş".repeat(135))).isEqualTo(3);
  }
}
