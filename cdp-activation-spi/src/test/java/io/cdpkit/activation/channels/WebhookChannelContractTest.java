package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The webhook channel meets the channel contract")
class WebhookChannelContractTest extends ChannelContractTest {
  private WebhookReceiver receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new WebhookReceiver("whsec-0123456789abcdef");
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  @Override
  protected ChannelProvider provider() {
    return new WebhookChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("url", receiver.url(), "secret", receiver.secret(), "header.X-Shop",
        "amsterdam", "addresses", "email,phone");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) {
    List<WebhookReceiver.Request> requests = receiver.requests();
    assertThat(requests).hasSize(1);
    WebhookReceiver.Request r = requests.get(0);
    assertThat(r.verified()).as("signature verifies").isTrue();
    assertThat(r.headers().getFirst("Idempotency-Key")).isEqualTo(message.idempotencyKey());
    assertThat(r.bodyText()).contains("\"idempotencyKey\":\"" + message.idempotencyKey() + "\"");
  }
}
