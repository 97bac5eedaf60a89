package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import io.cdpkit.activation.testing.Messages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The ad-audience channel meets the channel contract")
class AdAudienceChannelContractTest extends ChannelContractTest {
  @TempDir
  Path dir;

  @Override
  protected ChannelProvider provider() {
    return new AdAudienceChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("platform", "meta_capi", "directory", dir.toString());
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) throws Exception {
    String content = Files.readString(dir.resolve("welcome.csv"), StandardCharsets.US_ASCII);
    assertThat(content).isEqualTo(AdAudienceChannel.HEADER + "add,"
        + AudienceHashing.sha256Hex("ayse.yilmaz@example.com") + ","
        + AudienceHashing.sha256Hex("31612345678") + "\n");
    assertThat(content).doesNotContain(Messages.EMAIL.value(), "31612345678,");
  }
}
