package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActivationMetricsTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final String EMAIL = "zebedee.quillfeather@example.org";

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  @DisplayName("the outbox gauges follow a decided activation; a delivery and a failure count "
      + "once each by channel and outcome; no tag holds an address")
  void outboxAndDeliveries() {
    Activation activation = Activation.builder().channel("mail", email, Map.of())
        .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("gold")).channel("mail")
            .purpose("marketing").template(Template.parse("{\"subject\": \"Hi\"}")).build())
        .random(new java.util.Random(7)).build();
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().clock(clock).extension(seg).extension(activation).build()) {
      seg.segments().save(SegmentDefinition.builder("gold")
          .where(Conditions.trait("tier").eq("gold")).build());
      new ActivationMetrics(activation, Duration.ZERO).bindTo(registry);
      assertThat(gauge("cdpkit.outbox.pending")).isZero();

      for (String c : new String[] {"c1", "c2", "c3"}) {
        cdp.ingest(Event.track("Consent Changed").messageId("k" + c).userId(c)
            .identifier(Identifier.email(c + "." + EMAIL)).consent("marketing", "email", true)
            .timestamp(clock.instant()).build());
      }
      cdp.ingest(Event.identify().messageId("i1").userId("c1").trait("tier", "gold")
          .timestamp(clock.instant()).build());
      clock.advance(Duration.ofMinutes(2));
      assertThat(gauge("cdpkit.outbox.pending")).isEqualTo(1);
      assertThat(age()).isEqualTo(120);
      cdp.ingest(Event.identify().messageId("i2").userId("c2").trait("tier", "gold")
          .timestamp(clock.instant()).build());
      clock.advance(Duration.ofMinutes(1));
      assertThat(gauge("cdpkit.outbox.pending")).isEqualTo(2);
      assertThat(age()).isEqualTo(180); // the older of the two

      assertThat(activation.drain()).isEqualTo(2);
      assertThat(deliveries("delivered")).isEqualTo(2);
      assertThat(deliveries("failed")).isZero();
      assertThat(gauge("cdpkit.outbox.pending")).isZero();
      assertThat(age()).isZero();

      email.answer = m -> DeliveryResult.retryable("busy");
      cdp.ingest(Event.identify().messageId("i3").userId("c3").trait("tier", "gold")
          .timestamp(clock.instant()).build());
      activation.dispatch();
      assertThat(deliveries("failed")).isEqualTo(1);
      assertThat(deliveries("delivered")).isEqualTo(2);
      assertThat(gauge("cdpkit.outbox.pending")).isEqualTo(1); // waits for its retry

      for (Meter m : registry.getMeters()) {
        String id = m.getId().toString().toLowerCase(Locale.ROOT);
        assertThat(id).doesNotContain("quillfeather").doesNotContain("@")
            .doesNotContain("c1").doesNotContain("c2").doesNotContain("c3");
      }
    } finally {
      activation.close();
    }
  }

  double age() {
    return registry.find("cdpkit.outbox.oldest.age").tag("workspace", "default").timeGauge()
        .value(TimeUnit.SECONDS);
  }

  double gauge(String name) {
    return registry.find(name).tag("workspace", "default").gauge().value();
  }

  double deliveries(String outcome) {
    FunctionCounter c = registry.find("cdpkit.activation.deliveries")
        .tags("workspace", "default", "channel", "mail", "outcome", outcome).functionCounter();
    return c == null ? 0 : c.count();
  }
}
