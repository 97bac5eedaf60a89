package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The FCM push channel meets the channel contract")
class FcmPushChannelContractTest extends ChannelContractTest {
  private FakeHttpServer fcm;

  @BeforeEach
  void startFake() throws Exception {
    fcm = new FakeHttpServer(r -> FcmPushChannelTest.answer(r,
        Set.of(FcmPushChannelTest.TOKEN_A)));
  }

  @AfterEach
  void stopFake() {
    fcm.close();
  }

  @Override
  protected ChannelProvider provider() {
    return new FcmPushChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("project", "shop-app", "access-token", "ya29.test-token", "base-url",
        fcm.url());
  }

  @Override
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message.recipients(List.of(PushTokens.fcm(FcmPushChannelTest.TOKEN_A)))
        .put("title", "Merhaba Ayşe").put("body", "Your order ORD-90210-AY has shipped");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) {
    assertThat(fcm.requests()).singleElement().satisfies(r -> {
      assertThat(FcmPushChannelTest.readToken(r)).isEqualTo(FcmPushChannelTest.TOKEN_A);
      assertThat(r.bodyText()).contains(message.idempotencyKey());
    });
  }
}
