package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The APNs push channel meets the channel contract")
class ApnsPushChannelContractTest extends ChannelContractTest {
  private FakeApns apns;

  @BeforeEach
  void startFake() throws Exception {
    apns = new FakeApns();
    apns.registered.add(ApnsPushChannelTest.TOKEN_A);
  }

  @AfterEach
  void stopFake() throws Exception {
    apns.close();
  }

  @Override
  protected ChannelProvider provider() {
    try {
      return new ApnsPushChannelProvider(FakeApns.clientTls());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("team-id", FakeApns.TEAM, "key-id", FakeApns.KEY_ID, "private-key",
        apns.privateKeyPem(), "topic", "com.example.shop", "base-url", apns.url());
  }

  @Override
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message.recipients(List.of(PushTokens.apns(ApnsPushChannelTest.TOKEN_A)))
        .put("title", "Merhaba Ayşe").put("body", "Your order ORD-90210-AY has shipped");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) {
    assertThat(apns.received()).singleElement().satisfies(r -> {
      assertThat(r.jwtVerified()).isTrue();
      assertThat(r.path()).isEqualTo("/3/device/" + ApnsPushChannelTest.TOKEN_A);
      assertThat(r.bodyText()).contains(message.idempotencyKey());
    });
  }
}
