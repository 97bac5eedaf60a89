package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.testing.ChannelContractTest;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The log channel meets the channel contract")
class LogChannelContractTest extends ChannelContractTest {
  @Override
  protected ChannelProvider provider() {
    return new LogChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("log-payload", "false");
  }
}
