package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.ChannelContractTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The file channel writing CSV meets the channel contract")
class FileExportCsvContractTest extends ChannelContractTest {
  @TempDir
  Path dir;

  @Override
  protected ChannelProvider provider() {
    return new FileExportChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("path", dir.resolve("export.csv").toString(), "format", "csv", "columns",
        "@idempotencyKey,first_name,greeting");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) throws Exception {
    String text = Files.readString(dir.resolve("export.csv"), StandardCharsets.UTF_8);
    assertThat(Rfc4180.parse(text)).containsExactly(
        List.of("@idempotencyKey", "first_name", "greeting"),
        List.of(message.idempotencyKey(), "Ayşe", "Merhaba Ayşe Yılmaz"));
  }
}
