package io.cdpkit.examples.sms;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;

/** The example's SMS plugin passes the contract kit every channel plugin runs. */
@DisplayName("The SMS gateway plugin meets the channel contract")
class SmsGatewayContractTest extends ChannelContractTest {
  private final StubGateway gateway;

  SmsGatewayContractTest() {
    try {
      gateway = new StubGateway();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void stopGateway() {
    gateway.close();
  }

  @Override
  protected ChannelProvider provider() {
    return new SmsGatewayProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("url", gateway.url(), "api-key", "k-0123456789");
  }

  @Override
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message.put("text", "Your order ships today.");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) {
    assertThat(gateway.seen()).anySatisfy(s ->
        assertThat(s.body()).contains(message.idempotencyKey()));
  }
}
