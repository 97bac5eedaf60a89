package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;

@Label("Webhook signature laws")
class WebhookSignatureProperties {
  @Property
  @Label("a signature verifies for its own secret, body and time")
  void roundTrip(@ForAll @NotEmpty String secret, @ForAll @Size(max = 2000) byte[] body,
      @ForAll @LongRange(min = 0, max = 4_000_000_000L) long t) {
    Instant at = Instant.ofEpochSecond(t);
    String header = WebhookSignature.sign(secret, at, body);
    assertThat(WebhookSignature.verify(secret, header, body, at, Duration.ZERO)).isTrue();
  }

  @Property
  @Label("changing any bit of the body breaks the signature")
  void tamper(@ForAll @NotEmpty String secret, @ForAll @Size(min = 1, max = 500) byte[] body,
      @ForAll @IntRange(min = 0, max = 4000) int position, @ForAll @IntRange(min = 0, max = 7)
      int bit) {
    Instant at = Instant.ofEpochSecond(1_772_360_100L);
    String header = WebhookSignature.sign(secret, at, body);
    byte[] changed = body.clone();
    changed[position % body.length] ^= (byte) (1 << bit);
    assertThat(WebhookSignature.verify(secret, header, changed, at, Duration.ofMinutes(5)))
        .isFalse();
  }
}
