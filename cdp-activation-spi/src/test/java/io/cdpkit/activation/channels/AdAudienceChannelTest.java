package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.DeliveryResult.Outcome;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The ad-audience channel")
class AdAudienceChannelTest {
  private static final String LINE = "(add|remove),([0-9a-f]{64})?,([0-9a-f]{64})?";
  private static final List<IdentifierType> BOTH =
      List.of(IdentifierType.EMAIL, IdentifierType.PHONE);

  @TempDir
  Path dir;

  private final List<Channel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(Channel::close);
  }

  private Channel channel(String platform) {
    Map<String, String> config = new HashMap<>();
    config.put("platform", platform);
    config.put("directory", dir.toString());
    Channel c = new AdAudienceChannelProvider().create(TestChannelContext.of("ads", config));
    channels.add(c);
    return c;
  }

  private List<String> lines(String audience) throws Exception {
    return Files.readAllLines(dir.resolve(audience + ".csv"), StandardCharsets.US_ASCII);
  }

  @Test
  @DisplayName("writes a header once, then one line of hashes per message, never a plain value")
  void onlyHashes() throws Exception {
    Channel c = channel("google_ads");
    c.deliver(Messages.sample(BOTH).put("audience", "vip-nl").build());
    c.deliver(Messages.sample(BOTH).put("audience", "vip-nl").put("action", "remove")
        .recipients(List.of(Identifier.email("J.Ane.Doe@Gmail.com"))).build());
    c.deliver(Messages.sample(BOTH).put("audience", "vip-nl")
        .recipients(List.of(Identifier.phone("+18005550102"))).build());
    List<String> lines = lines("vip-nl");
    assertThat(lines).containsExactly("action,email_sha256,phone_sha256",
        "add," + AudienceHashing.sha256Hex("ayse.yilmaz@example.com") + ","
            + AudienceHashing.sha256Hex("+31612345678"),
        "remove," + AudienceHashing.sha256Hex("janedoe@gmail.com") + ",",
        "add,,c5383c2eeada28210d27f011bc127d4f9562cf38ff0c9bba33dd45ae79b9fe7c");
    String content = String.join("\n", lines);
    assertThat(content).doesNotContain("@", "+31", "31612345678", "ayse", "gmail");
    assertThat(lines.subList(1, lines.size())).allMatch(l -> l.matches(LINE));
  }

  @Test
  @DisplayName("hashes by the configured platform's rules")
  void perPlatform() throws Exception {
    channel("meta_capi").deliver(Messages.sample(BOTH).put("audience", "meta").build());
    channel("snap_capi").deliver(Messages.sample(BOTH).put("audience", "snap").build());
    String metaPhone = AudienceHashing.sha256Hex("31612345678");
    assertThat(lines("meta").get(1)).endsWith("," + metaPhone);
    assertThat(lines("snap").get(1)).endsWith("," + metaPhone);
  }

  @Test
  @DisplayName("names the file after the rule when the payload names no audience")
  void ruleAsAudience() throws Exception {
    channel("meta_capi").deliver(Messages.sample(BOTH).rule("winback-90d").build());
    assertThat(lines("winback-90d")).hasSize(2);
  }

  @Test
  @DisplayName("leaves out a recipient the platform rejects, and fails when none is left")
  void invalidRecipients() throws Exception {
    Channel c = channel("meta_capi");
    DeliveryResult partial = c.deliver(Messages.sample(BOTH).put("audience", "a")
        .recipients(List.of(Identifier.email("not an address"), Messages.PHONE)).build());
    assertThat(partial.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(lines("a").get(1)).startsWith("add,,");
    DeliveryResult none = c.deliver(Messages.sample(BOTH).put("audience", "a")
        .recipients(List.of(Identifier.email("not an address"))).build());
    assertThat(none).isEqualTo(DeliveryResult.permanent(
        "no email or phone recipient that meta_capi accepts"));
    assertThat(lines("a")).hasSize(2);
  }

  @ParameterizedTest(name = "refuses the audience \"{0}\"")
  @ValueSource(strings = {"../escape", "..", ".hidden", "a/b", "a\\b", "",
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
          + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "/etc/passwd", "naïve"})
  void traversal(String audience) throws Exception {
    DeliveryResult r = channel("meta_capi").deliver(
        Messages.sample(BOTH).put("audience", audience).build());
    assertThat(r.outcome()).isEqualTo(Outcome.PERMANENT);
    assertThat(r.reason()).hasValueSatisfying(s -> assertThat(s).contains("'audience'"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
    assertThat(dir.getParent().resolve("escape.csv")).doesNotExist();
  }

  @Test
  @DisplayName("refuses an audience that is no text, and a rule name that cannot be a file")
  void badAudience() {
    Channel c = channel("meta_capi");
    assertThat(c.deliver(Messages.sample(BOTH).put("audience", 42L).build()).outcome())
        .isEqualTo(Outcome.PERMANENT);
    assertThat(c.deliver(Messages.sample(BOTH).rule("win back").build()).reason())
        .hasValueSatisfying(s -> assertThat(s).contains("rule name"));
  }

  @Test
  @DisplayName("refuses an action other than add or remove")
  void badAction() {
    assertThat(channel("meta_capi").deliver(Messages.sample(BOTH).put("action", "delete")
        .build())).isEqualTo(DeliveryResult.permanent(
            "payload key 'action' must be add or remove"));
  }

  @Test
  @DisplayName("appends whole lines from many threads at once")
  void concurrent() throws Exception {
    Channel c = channel("google_ads");
    int threads = 8;
    int each = 50;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers.add(new Thread(() -> {
        for (int i = 0; i < each; i++) {
          c.deliver(Messages.sample(BOTH).put("audience", "busy")
              .recipients(List.of(Identifier.email("p" + id + "-" + i + "@example.com"))).build());
        }
      }));
    }
    workers.forEach(Thread::start);
    for (Thread t : workers) {
      t.join();
    }
    List<String> lines = lines("busy");
    assertThat(lines).hasSize(1 + threads * each);
    assertThat(lines.get(0)).isEqualTo("action,email_sha256,phone_sha256");
    assertThat(lines.subList(1, lines.size())).allMatch(l -> l.matches(LINE))
        .doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("refuses a configuration without a known platform or an existing directory")
  void configuration() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    List<Map<String, String>> bad = List.of(
        Map.of("directory", dir.toString()),
        Map.of("platform", "tiktok", "directory", dir.toString()),
        Map.of("platform", "meta_capi"),
        Map.of("platform", "meta_capi", "directory", dir.resolve("missing").toString()),
        Map.of("platform", "meta_capi", "directory", file.toString()),
        Map.of("platform", "meta_capi", "directory", dir.toString(), "sync", "yes"));
    List<String> keys = List.of("platform", "platform", "directory", "directory", "directory",
        "sync");
    for (int i = 0; i < bad.size(); i++) {
      Map<String, String> config = bad.get(i);
      assertThatThrownBy(() -> new AdAudienceChannelProvider()
          .create(TestChannelContext.of("ads", config)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("channel ads: config key '" + keys.get(i) + "'");
    }
  }

  @Test
  @DisplayName("needs consent for ads and addresses people by e-mail and phone")
  void consentAndAddresses() {
    assertThat(new AdAudienceChannelProvider().consentChannel()).isEqualTo("ads");
    assertThat(channel("snap_capi").addresses())
        .containsExactly(IdentifierType.EMAIL, IdentifierType.PHONE);
  }
}
