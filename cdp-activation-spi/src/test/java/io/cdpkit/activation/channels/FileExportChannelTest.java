package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.DeliveryResult.Outcome;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.IdentifierType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The file channel")
class FileExportChannelTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final List<Channel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(Channel::close);
  }

  private Channel channel(Map<String, String> config) {
    Channel c = new FileExportChannelProvider().create(TestChannelContext.of("export", config));
    channels.add(c);
    return c;
  }

  private Channel csv(String columns) {
    return channel(Map.of("path", dir.resolve("out.csv").toString(), "format", "csv",
        "columns", columns));
  }

  private String csvText() throws Exception {
    return Files.readString(dir.resolve("out.csv"), StandardCharsets.UTF_8);
  }

  @Nested
  @DisplayName("writing CSV")
  class Csv {
    @Test
    @DisplayName("quotes commas, quotes and line breaks as RFC 4180 says, and ends lines in"
        + " CRLF")
    void quoting() throws Exception {
      csv("plain,comma,quote,newline,cr,spaces").deliver(Messages.builder()
          .put("plain", "Ayşe")
          .put("comma", "Yılmaz, Ayşe")
          .put("quote", "the \"VIP\" list")
          .put("newline", "line 1\nline 2")
          .put("cr", "a\rb")
          .put("spaces", "  padded  ")
          .build());
      assertThat(csvText()).isEqualTo("plain,comma,quote,newline,cr,spaces\r\n"
          + "Ayşe,\"Yılmaz, Ayşe\",\"the \"\"VIP\"\" list\",\"line 1\nline 2\",\"a\rb\","
          + "  padded  \r\n");
      assertThat(Rfc4180.parse(csvText()).get(1)).containsExactly("Ayşe", "Yılmaz, Ayşe",
          "the \"VIP\" list", "line 1\nline 2", "a\rb", "  padded  ");
    }

    @Test
    @DisplayName("writes the header once, when the file is new")
    void headerOnce() throws Exception {
      Channel c = csv("n");
      c.deliver(Messages.builder().put("n", 1L).build());
      c.deliver(Messages.builder().put("n", 2L).build());
      Channel again = csv("n");
      again.deliver(Messages.builder().put("n", 3L).build());
      assertThat(csvText()).isEqualTo("n\r\n1\r\n2\r\n3\r\n");
    }

    @Test
    @DisplayName("appends to an existing file without a second header")
    void existingFile() throws Exception {
      Files.writeString(dir.resolve("out.csv"), "n\r\n0\r\n");
      csv("n").deliver(Messages.builder().put("n", 1L).build());
      assertThat(csvText()).isEqualTo("n\r\n0\r\n1\r\n");
    }

    @Test
    @DisplayName("writes missing and null values empty, numbers and booleans as text, lists"
        + " and maps as JSON")
    void values() throws Exception {
      Map<String, Object> nested = new LinkedHashMap<>();
      nested.put("sku", "A-1");
      nested.put("qty", 2L);
      csv("missing,nothing,long,double,bool,list,map").deliver(Messages.builder()
          .put("nothing", null).put("long", 42L).put("double", 12.5).put("bool", true)
          .put("list", List.of("a", 1L)).put("map", nested).build());
      assertThat(Rfc4180.parse(csvText()).get(1)).containsExactly("", "", "42", "12.5", "true",
          "[\"a\",1]", "{\"sku\":\"A-1\",\"qty\":2}");
    }

    @Test
    @DisplayName("fills @ columns from the message's own fields")
    void messageFields() throws Exception {
      csv("@idempotencyKey,@workspace,@profile,@rule,@channel,@purpose,@trigger,@attempt,"
          + "@decidedAt").deliver(Messages.builder().attempt(2).build());
      assertThat(Rfc4180.parse(csvText()).get(1)).containsExactly("msg-0001", "shop-amsterdam",
          "p-ayse", "welcome", "contract", "marketing", "segment.entered:vip", "2",
          "2026-03-01T10:15:00Z");
    }

    @Test
    @DisplayName("keeps rows whole when many threads write at once")
    void concurrent() throws Exception {
      Channel c = csv("@idempotencyKey,text");
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        workers.add(new Thread(() -> {
          for (int i = 0; i < 50; i++) {
            c.deliver(Messages.builder().idempotencyKey("k-" + id + "-" + i)
                .put("text", "a, \"long\"\nvalue " + "x".repeat(200)).build());
          }
        }));
      }
      workers.forEach(Thread::start);
      for (Thread t : workers) {
        t.join();
      }
      List<List<String>> rows = Rfc4180.parse(csvText());
      assertThat(rows).hasSize(401);
      assertThat(rows.subList(1, 401)).allMatch(r -> r.size() == 2
          && r.get(1).equals("a, \"long\"\nvalue " + "x".repeat(200)));
    }
  }

  @Nested
  @DisplayName("writing JSON Lines")
  class Jsonl {
    @Test
    @DisplayName("writes records that parse back to the webhook's body, one per line")
    void parsesBack() throws Exception {
      Path file = dir.resolve("out.jsonl");
      Channel c = channel(Map.of("path", file.toString(), "format", "jsonl"));
      Message first = Messages.sample(List.of(IdentifierType.EMAIL))
          .put("note", "two\nlines").build();
      Message second = Messages.builder().idempotencyKey("msg-0002").build();
      assertThat(c.deliver(first)).isEqualTo(DeliveryResult.delivered());
      c.deliver(second);
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(2);
      assertThat(JSON.readTree(lines.get(0))).isEqualTo(JSON.readTree(MessageJson.bytes(first)));
      assertThat(JSON.readTree(lines.get(0)).get("payload").get("note").asText())
          .isEqualTo("two\nlines");
      assertThat(JSON.readTree(lines.get(0)).get("recipients").get(0).get("value").asText())
          .isEqualTo("ayse.yilmaz@example.com");
      assertThat(JSON.readTree(lines.get(1)).get("idempotencyKey").asText())
          .isEqualTo("msg-0002");
      assertThat(Files.readString(file)).endsWith("}\n");
    }
  }

  @Test
  @DisplayName("hands out the configured address types, none by default")
  void addresses() {
    assertThat(csv("a").addresses()).isEmpty();
    assertThat(channel(Map.of("path", dir.resolve("x.jsonl").toString(), "format", "jsonl",
        "addresses", "email")).addresses()).containsExactly(IdentifierType.EMAIL);
  }

  @Test
  @DisplayName("retries when the file cannot be written")
  void unwritable() throws Exception {
    Path file = dir.resolve("out.jsonl");
    Channel c = channel(Map.of("path", file.toString(), "format", "jsonl"));
    Files.createDirectory(file);
    DeliveryResult r = c.deliver(Messages.builder().build());
    assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
    assertThat(r.reason()).hasValueSatisfying(s -> assertThat(s).startsWith("cannot append"));
  }

  @Nested
  @DisplayName("refuses a configuration")
  class Configuration {
    private void assertRejected(Map<String, String> config, String key) {
      assertThatThrownBy(() -> channel(config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("channel export: config key '" + key + "'");
    }

    private Map<String, String> good() {
      Map<String, String> c = new HashMap<>();
      c.put("path", dir.resolve("out.csv").toString());
      c.put("format", "csv");
      c.put("columns", "a,b");
      return c;
    }

    @Test
    @DisplayName("without path, format, or columns for csv")
    void missing() {
      for (String key : List.of("path", "format", "columns")) {
        Map<String, String> c = good();
        c.remove(key);
        assertRejected(c, key);
      }
    }

    @Test
    @DisplayName("with an unknown format, columns for jsonl, or bad column lists")
    void invalid() {
      Map<String, String> format = good();
      format.put("format", "xlsx");
      assertRejected(format, "format");
      Map<String, String> jsonl = good();
      jsonl.put("format", "jsonl");
      assertRejected(jsonl, "columns");
      for (String columns : List.of("a,,b", "a,a", "@email", " , ")) {
        Map<String, String> c = good();
        c.put("columns", columns);
        assertRejected(c, "columns");
      }
    }

    @Test
    @DisplayName("with a path in a missing directory or naming a directory")
    void badPath() {
      Map<String, String> missingDir = good();
      missingDir.put("path", dir.resolve("nope").resolve("out.csv").toString());
      assertRejected(missingDir, "path");
      Map<String, String> isDir = good();
      isDir.put("path", dir.toString());
      assertRejected(isDir, "path");
    }

    @Test
    @DisplayName("with sync neither true nor false")
    void badSync() {
      Map<String, String> c = good();
      c.put("sync", "always");
      assertRejected(c, "sync");
    }
  }
}
