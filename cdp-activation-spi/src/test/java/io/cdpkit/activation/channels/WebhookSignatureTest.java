package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A webhook signature")
class WebhookSignatureTest {
  private static final String SECRET = "whsec-0123456789abcdef";
  private static final Instant T = Instant.ofEpochSecond(1772360100L);
  private static final String BODY = "{\"hello\":\"world\"}";
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  @Test
  @DisplayName("is HMAC-SHA256 of '<t>.<body>' in hex, as computed independently")
  void knownValue() {
    // hmac.new(b'whsec-0123456789abcdef', b'1772360100.{"hello":"world"}', sha256).hexdigest()
    assertThat(WebhookSignature.sign(SECRET, T, BODY)).isEqualTo("t=1772360100,v1="
        + "c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f47523");
  }

  @Test
  @DisplayName("drops the fraction of a second")
  void wholeSeconds() {
    assertThat(WebhookSignature.sign(SECRET, T.plusMillis(999), BODY))
        .isEqualTo(WebhookSignature.sign(SECRET, T, BODY));
  }

  @Test
  @DisplayName("verifies for the same secret and body within the tolerance")
  void verifies() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    assertThat(WebhookSignature.verify(SECRET, header, BODY, T, FIVE_MINUTES)).isTrue();
    assertThat(WebhookSignature.verify(SECRET, header, BODY, T.plus(FIVE_MINUTES),
        FIVE_MINUTES)).isTrue();
    assertThat(WebhookSignature.verify(SECRET, header, BODY, T.minus(FIVE_MINUTES),
        FIVE_MINUTES)).isTrue();
  }

  @Test
  @DisplayName("fails for a tampered body")
  void tamperedBody() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    assertThat(WebhookSignature.verify(SECRET, header, "{\"hello\":\"World\"}", T,
        FIVE_MINUTES)).isFalse();
    assertThat(WebhookSignature.verify(SECRET, header, BODY + " ", T, FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("fails for a timestamp older than the tolerance (a replay)")
  void oldTimestamp() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    assertThat(WebhookSignature.verify(SECRET, header, BODY,
        T.plus(FIVE_MINUTES).plusSeconds(1), FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("fails for a timestamp further ahead than the tolerance")
  void futureTimestamp() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    assertThat(WebhookSignature.verify(SECRET, header, BODY,
        T.minus(FIVE_MINUTES).minusSeconds(1), FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("fails when the timestamp in the header was changed")
  void changedTimestamp() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    String moved = header.replace("t=1772360100", "t=1772360160");
    assertThat(WebhookSignature.verify(SECRET, moved, BODY, T, FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("fails under another secret")
  void otherSecret() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    assertThat(WebhookSignature.verify(SECRET + "x", header, BODY, T, FIVE_MINUTES)).isFalse();
  }

  @ParameterizedTest(name = "fails for the header \"{0}\"")
  @ValueSource(strings = {"", "garbage", "t=1772360100",
      "v1=c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f47523",
      "t=abc,v1=c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f47523",
      "t=1772360100,t=1772360100,"
          + "v1=c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f47523",
      "t=1772360100,v1=c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f4752",
      "t=1772360100,v1=zz",
      "t=1772360100;v1=c8c1db084cd86ea5925ded1a3116ec3624f94c1e8a0239461ea2a54f72f47523"})
  void malformed(String header) {
    assertThat(WebhookSignature.verify(SECRET, header, BODY, T, FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("fails when the header is missing")
  void missing() {
    assertThat(WebhookSignature.verify(SECRET, null, BODY, T, FIVE_MINUTES)).isFalse();
  }

  @Test
  @DisplayName("verifies when one of several v1 values matches (secret rotation), with spaces"
      + " and unknown elements")
  void rotation() {
    String good = WebhookSignature.sign("old-secret-0123456789", T, BODY);
    String v1 = good.substring(good.indexOf("v1="));
    String header = "t=1772360100, v1=" + "0".repeat(64) + ", " + v1 + ", v2=abc";
    assertThat(WebhookSignature.verify("old-secret-0123456789", header, BODY, T, FIVE_MINUTES))
        .isTrue();
  }

  @Test
  @DisplayName("accepts upper-case hex")
  void upperCaseHex() {
    String header = WebhookSignature.sign(SECRET, T, BODY);
    String upper = "t=1772360100,v1=" + header.substring(header.indexOf("v1=") + 3)
        .toUpperCase(Locale.ROOT);
    assertThat(WebhookSignature.verify(SECRET, upper, BODY, T, FIVE_MINUTES)).isTrue();
  }

  @Test
  @DisplayName("treats text bodies as UTF-8")
  void utf8() {
    String body = "{\"name\":\"Ayşe Yılmaz\"}";
    String header = WebhookSignature.sign(SECRET, T, body);
    assertThat(WebhookSignature.verify(SECRET, header, body.getBytes(StandardCharsets.UTF_8), T,
        Duration.ZERO)).isTrue();
  }

  @Test
  @DisplayName("refuses an empty secret and a negative tolerance")
  void badArguments() {
    assertThatThrownBy(() -> WebhookSignature.sign("", T, BODY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
    assertThatThrownBy(() -> WebhookSignature.verify(SECRET, "t=1,v1=00", BODY, T,
        Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tolerance");
  }
}
