package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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

@DisplayName("The file channel writing JSON Lines meets the channel contract")
class FileExportJsonlContractTest extends ChannelContractTest {
  @TempDir
  Path dir;

  @Override
  protected ChannelProvider provider() {
    return new FileExportChannelProvider();
  }

  @Override
  protected Map<String, String> config() {
    return Map.of("path", dir.resolve("export.jsonl").toString(), "format", "jsonl", "sync",
        "true", "addresses", "email");
  }

  @Override
  protected void assertArrived(Message message, DeliveryResult result) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("export.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    assertThat(new ObjectMapper().readTree(lines.get(0)).get("idempotencyKey").asText())
        .isEqualTo(message.idempotencyKey());
  }
}
