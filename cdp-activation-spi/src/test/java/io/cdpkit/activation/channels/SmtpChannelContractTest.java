package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The SMTP channel meets the channel contract")
class SmtpChannelContractTest extends ChannelContractTest {
  private GreenMail mail;

  @BeforeEach
  void startMail() {
    mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
  }

  @AfterEach
  void stopMail() {
    mail.stop();
  }

  @Override
  protected ChannelProvider provider() {
    return new SmtpChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("host", "127.0.0.1", "port", Integer.toString(mail.getSmtp().getPort()),
        "from", "Shop <news@shop.example>", "starttls", "false");
  }

  @Override
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message.put("subject", "Your order ORD-90210-AY ships today")
        .put("text", "Merhaba Ayşe, your linen scarf is on its way.");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) throws Exception {
    MimeMessage[] received = mail.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getHeader("Idempotency-Key", null))
        .isEqualTo(message.idempotencyKey());
    assertThat(received[0].getSubject()).isEqualTo("Your order ORD-90210-AY ships today");
    assertThat(result.reference()).contains(received[0].getMessageID());
  }
}
