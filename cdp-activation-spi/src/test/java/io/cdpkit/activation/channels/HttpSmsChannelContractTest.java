package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The HTTP SMS channel meets the channel contract")
class HttpSmsChannelContractTest extends ChannelContractTest {
  private FakeHttpServer gateway;

  @BeforeEach
  void startFake() throws Exception {
    gateway = new FakeHttpServer(r -> FakeHttpServer.Response.of(201, "{\"sid\":\"SM1\"}"));
  }

  @AfterEach
  void stopFake() {
    gateway.close();
  }

  @Override
  protected ChannelProvider provider() {
    return new HttpSmsChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("url", gateway.url() + "/Messages.json", "from", "+3197010000001",
        "username", "AC123", "password", "s3cr3t");
  }

  @Override
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message.put("text", "Merhaba Ayşe, your order ORD-90210-AY has shipped");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) {
    assertThat(gateway.requests()).singleElement().satisfies(r -> {
      assertThat(HttpSmsChannelTest.form(r.bodyText())).containsEntry("To", "+31612345678");
      assertThat(r.headers().getFirst("Idempotency-Key")).isEqualTo(message.idempotencyKey());
    });
    assertThat(result.reference()).hasValue("SM1");
  }
}
