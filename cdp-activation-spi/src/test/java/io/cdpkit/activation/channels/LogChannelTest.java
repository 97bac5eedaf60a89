package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.IdentifierType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reads what slf4j-simple, the test binding, writes to {@code System.err}. */
@DisplayName("The log channel")
class LogChannelTest {
  private static final List<IdentifierType> BOTH =
      List.of(IdentifierType.EMAIL, IdentifierType.PHONE);

  private static String logged(Map<String, String> config, Message message) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Channel c = new LogChannelProvider().create(
        TestChannelContext.of("dry-run", config))) {
      assertThat(c.deliver(message)).isEqualTo(DeliveryResult.delivered());
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("logs rule, channel, trigger, key and payload keys at INFO through the"
      + " channel's logger, and no recipient or payload value")
  void withoutValues() {
    Message m = Messages.sample(BOTH).idempotencyKey("msg-7f3e").channel("newsletter").build();
    String log = logged(Map.of(), m);
    assertThat(log).contains("INFO io.cdpkit.activation.channel.dry-run", "rule=welcome",
        "channel=newsletter", "trigger=segment.entered:vip", "key=msg-7f3e",
        "payload keys=[first_name, greeting, order]", "recipients=[email:#", "phone:#");
    for (String personal : Messages.personalValues(m)) {
      assertThat(log).doesNotContain(personal);
    }
    assertThat(log).doesNotContain("payload=");
  }

  @Test
  @DisplayName("adds the payload's values with log-payload=true, and still no recipient")
  void withValues() {
    Message m = Messages.sample(BOTH).build();
    String log = logged(Map.of("log-payload", "true"), m);
    assertThat(log).contains("payload={\"first_name\":\"Ayşe\",\"greeting\":\"Merhaba Ayşe"
        + " Yılmaz\"");
    assertThat(log).doesNotContain(Messages.EMAIL.value(), Messages.PHONE.value());
  }

  @Test
  @DisplayName("refuses log-payload other than true or false")
  void badConfig() {
    assertThatThrownBy(() -> new LogChannelProvider().create(
        TestChannelContext.of("dry-run", Map.of("log-payload", "yes please"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel dry-run: config key 'log-payload' must be true or false");
  }

  @Test
  @DisplayName("has no consent channel of its own")
  void consent() {
    assertThat(new LogChannelProvider().consentChannel()).isNull();
  }
}
