package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.jspecify.annotations.Nullable;

/**
 * The channel of {@link SmtpChannelProvider}; the only class of this package that uses Jakarta
 * Mail. Thread-safe: the session is, and every delivery makes its own message and connection.
 */
final class SmtpChannel implements Channel {
  private final String name;
  private final Session session;
  private final InternetAddress from;
  private final String messageIdDomain;
  private final @Nullable String username;
  private final @Nullable String password;
  private final String subjectField;
  private final Clock clock;

  SmtpChannel(ChannelContext context) {
    this.name = context.channelName();
    String host = context.required("host").strip();
    int port = Configs.integer(context, "port", 587, 1, 65535);
    String fromText = context.required("from").strip();
    try {
      this.from = new InternetAddress(fromText, true);
    } catch (AddressException e) {
      throw Configs.invalid(context, "from", "is not a valid e-mail address", e);
    }
    String address = from.getAddress();
    int at = address == null ? -1 : address.lastIndexOf('@');
    if (at < 1 || at == address.length() - 1) {
      throw Configs.invalid(context, "from", "must be an address with a domain");
    }
    this.messageIdDomain = address.substring(at + 1);
    this.username = Configs.optional(context, "username").orElse(null);
    this.password = context.config("password").filter(p -> !p.isEmpty()).orElse(null);
    if (username != null && password == null) {
      throw Configs.invalid(context, "password", "is required when username is set");
    }
    if (username == null && password != null) {
      throw Configs.invalid(context, "username", "is required when password is set");
    }
    boolean starttls = Configs.bool(context, "starttls", username != null);
    this.subjectField = Configs.optional(context, "subject-field").map(String::strip)
        .orElse("subject");
    this.clock = context.clock();

    long millis = Math.max(1, context.timeout().toMillis());
    String ms = Long.toString(Math.min(millis, Integer.MAX_VALUE));
    Properties p = new Properties();
    p.setProperty("mail.transport.protocol", "smtp");
    p.setProperty("mail.smtp.host", host);
    p.setProperty("mail.smtp.port", Integer.toString(port));
    p.setProperty("mail.smtp.connectiontimeout", ms);
    p.setProperty("mail.smtp.timeout", ms);
    p.setProperty("mail.smtp.writetimeout", ms);
    p.setProperty("mail.smtp.auth", Boolean.toString(username != null));
    p.setProperty("mail.smtp.starttls.enable", Boolean.toString(starttls));
    p.setProperty("mail.smtp.starttls.required", Boolean.toString(starttls));
    // A session of our own, never the JVM-wide default one.
    this.session = Session.getInstance(p);
  }

  @Override
  public List<IdentifierType> addresses() {
    return List.of(IdentifierType.EMAIL);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    Optional<Identifier> to = message.recipient(IdentifierType.EMAIL);
    if (to.isEmpty()) {
      return DeliveryResult.permanent("no email recipient");
    }
    Optional<String> subject = message.text(subjectField).filter(s -> !s.isBlank());
    if (subject.isEmpty()) {
      return DeliveryResult.permanent("payload key '" + subjectField + "' is missing");
    }
    Optional<String> text = message.text("text").filter(s -> !s.isBlank());
    if (text.isEmpty()) {
      return DeliveryResult.permanent("payload key 'text' is missing");
    }
    Optional<String> html = message.text("html").filter(s -> !s.isBlank());
    String key = message.idempotencyKey();
    if (!isHeaderSafe(key)) {
      return DeliveryResult.permanent("idempotency key cannot be sent as a header");
    }
    InternetAddress recipient;
    try {
      recipient = new InternetAddress(to.get().value(), true);
    } catch (AddressException e) {
      return DeliveryResult.permanent("email recipient is not a valid address");
    }
    String messageId = messageId(key, messageIdDomain);
    try {
      MimeMessage mail = new FixedIdMimeMessage(session, messageId);
      mail.setFrom(from);
      mail.setRecipient(jakarta.mail.Message.RecipientType.TO, recipient);
      mail.setSubject(subject.get(), "UTF-8");
      mail.setSentDate(Date.from(clock.instant()));
      mail.setHeader("Idempotency-Key", key);
      if (html.isPresent()) {
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(text.get(), "UTF-8", "plain");
        MimeBodyPart rich = new MimeBodyPart();
        rich.setText(html.get(), "UTF-8", "html");
        alternative.addBodyPart(plain);
        alternative.addBodyPart(rich);
        mail.setContent(alternative);
      } else {
        mail.setText(text.get(), "UTF-8", "plain");
      }
      if (username != null) {
        Transport.send(mail, username, password);
      } else {
        Transport.send(mail);
      }
      return DeliveryResult.delivered(messageId);
    } catch (MessagingException e) {
      return failure(e);
    }
  }

  /**
   * Maps a Jakarta Mail failure to an outcome: a 4xx reply is retryable, a 5xx permanent, a
   * failed login permanent, a lost or refused connection retryable. The server's text is left
   * out: it often quotes the address.
   */
  static DeliveryResult failure(MessagingException e) {
    boolean io = false;
    boolean timeout = false;
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = e; t != null && seen.put(t, Boolean.TRUE) == null; t = next(t)) {
      int code = returnCode(t);
      if (code >= 400 && code < 500) {
        return DeliveryResult.retryable("SMTP " + code);
      }
      if (code >= 500 && code < 600) {
        return DeliveryResult.permanent("SMTP " + code);
      }
      if (t instanceof AuthenticationFailedException) {
        return DeliveryResult.permanent("SMTP authentication failed");
      }
      timeout |= t instanceof SocketTimeoutException;
      io |= t instanceof IOException;
    }
    if (timeout) {
      return DeliveryResult.retryable("SMTP timed out");
    }
    if (io) {
      return DeliveryResult.retryable("SMTP connection failed");
    }
    return DeliveryResult.retryable("SMTP error (" + e.getClass().getSimpleName() + ")");
  }

  private static int returnCode(Throwable t) {
    if (t instanceof SMTPAddressFailedException) {
      return ((SMTPAddressFailedException) t).getReturnCode();
    }
    if (t instanceof SMTPSenderFailedException) {
      return ((SMTPSenderFailedException) t).getReturnCode();
    }
    if (t instanceof SMTPSendFailedException) {
      return ((SMTPSendFailedException) t).getReturnCode();
    }
    return -1;
  }

  private static @Nullable Throwable next(Throwable t) {
    if (t instanceof MessagingException) {
      Exception n = ((MessagingException) t).getNextException();
      if (n != null) {
        return n;
      }
    }
    return t.getCause();
  }

  /** A Message-ID made from the idempotency key: the same for every attempt of a message. */
  static String messageId(String idempotencyKey, String domain) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "<" + WebhookSignature.hex(h).substring(0, 40) + ".cdpkit@" + domain + ">";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static boolean isHeaderSafe(String s) {
    if (s.isEmpty() || s.length() > 900) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "SmtpChannel[" + name + "]";
  }

  /** A MIME message whose Message-ID is given, not made up when it is saved. */
  private static final class FixedIdMimeMessage extends MimeMessage {
    private final String messageId;

    FixedIdMimeMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }
}
