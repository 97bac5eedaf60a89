package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.DeliveryResult.Outcome;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.testing.Messages;
import io.cdpkit.activation.testing.TestChannelContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The SMTP channel")
class SmtpChannelTest {
  @RegisterExtension
  final GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
      .withConfiguration(GreenMailConfiguration.aConfig()
          .withUser("news@shop.example", "shop", "s3cret-pass"));

  private final List<Channel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(Channel::close);
  }

  private Map<String, String> config() {
    Map<String, String> c = new HashMap<>();
    c.put("host", "127.0.0.1");
    c.put("port", Integer.toString(mail.getSmtp().getPort()));
    c.put("from", "Shop <news@shop.example>");
    c.put("starttls", "false");
    return c;
  }

  private Channel channel(Map<String, String> config) {
    return channel(config, Duration.ofSeconds(5));
  }

  private Channel channel(Map<String, String> config, Duration timeout) {
    Channel c = new SmtpChannelProvider().create(
        TestChannelContext.of("newsletter", config).withTimeout(timeout));
    channels.add(c);
    return c;
  }

  private static Messages.Builder sample() {
    return Messages.sample(List.of(IdentifierType.EMAIL))
        .idempotencyKey("msg-7f3e")
        .put("subject", "Yeni sezon: %20 indirim")
        .put("text", "Merhaba Ayşe,\nthe new season is in.");
  }

  @Nested
  @DisplayName("sends")
  class Sending {
    @Test
    @DisplayName("a plain-text mail with the right from, to, subject, text and headers")
    void plain() throws Exception {
      DeliveryResult r = channel(config()).deliver(sample().build());
      assertThat(r.outcome()).isEqualTo(Outcome.DELIVERED);
      MimeMessage[] received = mail.getReceivedMessages();
      assertThat(received).hasSize(1);
      MimeMessage m = received[0];
      assertThat(m.getFrom()).extracting(a -> ((InternetAddress) a).getAddress())
          .containsExactly("news@shop.example");
      assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Shop");
      Address[] to = m.getRecipients(jakarta.mail.Message.RecipientType.TO);
      assertThat(to).extracting(a -> ((InternetAddress) a).getAddress())
          .containsExactly("ayse.yilmaz@example.com");
      assertThat(m.getSubject()).isEqualTo("Yeni sezon: %20 indirim");
      assertThat(m.isMimeType("text/plain")).isTrue();
      assertThat(((String) m.getContent()).replace("\r\n", "\n"))
          .isEqualTo("Merhaba Ayşe,\nthe new season is in.");
      assertThat(m.getHeader("Idempotency-Key", null)).isEqualTo("msg-7f3e");
      assertThat(m.getMessageID()).isEqualTo(SmtpChannel.messageId("msg-7f3e", "shop.example"));
      assertThat(r.reference()).contains(m.getMessageID());
      assertThat(m.getSentDate().toInstant()).isEqualTo(TestChannelContext.NOW);
    }

    @Test
    @DisplayName("text and html as multipart/alternative")
    void html() throws Exception {
      channel(config()).deliver(sample().put("html", "<p>Merhaba <b>Ayşe</b></p>").build());
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.isMimeType("multipart/alternative")).isTrue();
      MimeMultipart parts = (MimeMultipart) m.getContent();
      assertThat(parts.getCount()).isEqualTo(2);
      BodyPart plain = parts.getBodyPart(0);
      BodyPart html = parts.getBodyPart(1);
      assertThat(plain.isMimeType("text/plain")).isTrue();
      assertThat(((String) plain.getContent()).replace("\r\n", "\n"))
          .isEqualTo("Merhaba Ayşe,\nthe new season is in.");
      assertThat(html.isMimeType("text/html")).isTrue();
      assertThat((String) html.getContent()).isEqualTo("<p>Merhaba <b>Ayşe</b></p>");
    }

    @Test
    @DisplayName("the same Message-ID for every attempt of a message, another for another")
    void messageIdFromKey() throws Exception {
      Channel c = channel(config());
      c.deliver(sample().build());
      c.deliver(sample().attempt(2).build());
      c.deliver(sample().idempotencyKey("msg-other").build());
      MimeMessage[] received = mail.getReceivedMessages();
      assertThat(received).hasSize(3);
      assertThat(received[1].getMessageID()).isEqualTo(received[0].getMessageID());
      assertThat(received[2].getMessageID()).isNotEqualTo(received[0].getMessageID());
    }

    @Test
    @DisplayName("the subject from the configured payload key")
    void subjectField() throws Exception {
      Map<String, String> config = config();
      config.put("subject-field", "title");
      channel(config).deliver(sample().remove("subject").put("title", "Hoş geldiniz").build());
      assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("Hoş geldiniz");
    }

    @Test
    @DisplayName("after logging in with username and password")
    void login() {
      Map<String, String> config = config();
      config.put("username", "shop");
      config.put("password", "s3cret-pass");
      assertThat(channel(config).deliver(sample().build()).outcome())
          .isEqualTo(Outcome.DELIVERED);
      assertThat(mail.getReceivedMessages()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("fails permanently")
  class Permanent {
    @Test
    @DisplayName("without a subject, naming the key")
    void noSubject() {
      assertThat(channel(config()).deliver(sample().remove("subject").build()))
          .isEqualTo(DeliveryResult.permanent("payload key 'subject' is missing"));
    }

    @Test
    @DisplayName("without a text, naming the key")
    void noText() {
      assertThat(channel(config()).deliver(sample().put("text", " ").build()))
          .isEqualTo(DeliveryResult.permanent("payload key 'text' is missing"));
    }

    @Test
    @DisplayName("without an e-mail recipient")
    void noRecipient() {
      assertThat(channel(config()).deliver(sample().recipients(List.of()).build()))
          .isEqualTo(DeliveryResult.permanent("no email recipient"));
    }

    @Test
    @DisplayName("for a malformed recipient address, without quoting it")
    void badRecipient() {
      Message m = sample().recipients(List.of(Identifier.email("ayse yilmaz@@example"))).build();
      assertThat(channel(config()).deliver(m))
          .isEqualTo(DeliveryResult.permanent("email recipient is not a valid address"));
      assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    @DisplayName("when the login is refused")
    void wrongPassword() {
      Map<String, String> config = config();
      config.put("username", "shop");
      config.put("password", "wrong-pass");
      DeliveryResult r = channel(config).deliver(sample().build());
      assertThat(r.outcome()).isEqualTo(Outcome.PERMANENT);
      assertThat(mail.getReceivedMessages()).isEmpty();
    }
  }

  @Nested
  @DisplayName("against a server that answers")
  class Replies {
    private final ScriptedSmtpServer server = new ScriptedSmtpServer();

    @AfterEach
    void stop() {
      server.close();
    }

    private Map<String, String> scripted() {
      Map<String, String> c = config();
      c.put("port", Integer.toString(server.port()));
      return c;
    }

    @ParameterizedTest(name = "{0} to RCPT TO is {1}")
    @CsvSource({"450, RETRYABLE", "451, RETRYABLE", "452, RETRYABLE", "550, PERMANENT",
        "551, PERMANENT", "553, PERMANENT"})
    void rcpt(int code, Outcome outcome) {
      server.rcpt(code + " 5.1.1 {rcpt}: mailbox unavailable");
      DeliveryResult r = channel(scripted()).deliver(sample().build());
      assertThat(r.outcome()).isEqualTo(outcome);
      assertThat(r.reason()).contains("SMTP " + code);
    }

    @ParameterizedTest(name = "{0} to the end of DATA is {1}")
    @CsvSource({"451, RETRYABLE", "452, RETRYABLE", "552, PERMANENT", "554, PERMANENT"})
    void data(int code, Outcome outcome) {
      server.data(code + " message refused");
      DeliveryResult r = channel(scripted()).deliver(sample().build());
      assertThat(r.outcome()).isEqualTo(outcome);
      assertThat(r.reason()).contains("SMTP " + code);
    }

    @Test
    @DisplayName("a 421 greeting is retryable")
    void busy() {
      server.greeting("421 too busy, try later");
      assertThat(channel(scripted()).deliver(sample().build()).outcome())
          .isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    @DisplayName("nothing within the timeout is retryable, and returns in time")
    void silent() {
      server.silent();
      long start = System.nanoTime();
      DeliveryResult r = channel(scripted(), Duration.ofMillis(500)).deliver(sample().build());
      assertThat(r).isEqualTo(DeliveryResult.retryable("SMTP timed out"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @DisplayName("a server that requires nothing is refused when STARTTLS is required")
    void starttlsRequired() {
      Map<String, String> c = scripted();
      c.put("starttls", "true");
      DeliveryResult r = channel(c).deliver(sample().build());
      assertThat(r.outcome()).isNotEqualTo(Outcome.DELIVERED);
    }
  }

  @Test
  @DisplayName("retries when nothing listens")
  void refused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> c = config();
    c.put("port", Integer.toString(port));
    assertThat(channel(c).deliver(sample().build()))
        .isEqualTo(DeliveryResult.retryable("SMTP connection failed"));
  }

  @Nested
  @DisplayName("refuses a configuration")
  class Configuration {
    private void assertRejected(Map<String, String> config, String key) {
      assertThatThrownBy(() -> channel(config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("channel newsletter")
          .hasMessageContaining("'" + key + "'");
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"host", "from"})
    void missing(String key) {
      Map<String, String> c = config();
      c.remove(key);
      assertRejected(c, key);
    }

    @ParameterizedTest(name = "with port {0}")
    @ValueSource(strings = {"0", "65536", "smtp", "-1"})
    void badPort(String port) {
      Map<String, String> c = config();
      c.put("port", port);
      assertRejected(c, "port");
    }

    @ParameterizedTest(name = "with from {0}")
    @ValueSource(strings = {"not an address", "news@", "Shop <>", "news"})
    void badFrom(String from) {
      Map<String, String> c = config();
      c.put("from", from);
      assertRejected(c, "from");
    }

    @Test
    @DisplayName("with a username but no password, or the other way round, without echoing"
        + " the password")
    void halfLogin() {
      Map<String, String> c = config();
      c.put("username", "shop");
      assertRejected(c, "password");
      Map<String, String> d = config();
      d.put("password", "s3cret-pass");
      assertRejected(d, "username");
      assertThatThrownBy(() -> channel(d)).hasMessageNotContaining("s3cret-pass");
    }

    @Test
    @DisplayName("with starttls neither true nor false")
    void badStarttls() {
      Map<String, String> c = config();
      c.put("starttls", "maybe");
      assertRejected(c, "starttls");
    }
  }

  @Test
  @DisplayName("needs consent for e-mail and addresses people by e-mail")
  void consentAndAddresses() {
    assertThat(new SmtpChannelProvider().consentChannel()).isEqualTo("email");
    assertThat(channel(config()).addresses()).containsExactly(IdentifierType.EMAIL);
  }
}
