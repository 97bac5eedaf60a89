package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.Channels;

/**
 * Sends each message as an e-mail through an SMTP server, with Jakarta Mail.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code host} (required) and {@code port} (default 587);
 *   <li>{@code from} (required): the sender address, optionally with a name
 *       ({@code Shop <news@shop.example>});
 *   <li>{@code username} and {@code password}: SMTP AUTH, both or neither;
 *   <li>{@code starttls}: {@code true} or {@code false}; {@code true} by default when a username
 *       is set, and then required (the channel refuses a server that does not offer it rather
 *       than send the password in clear);
 *   <li>{@code subject-field}: the payload key of the subject, {@code subject} by default.
 * </ul>
 *
 * <p>Payload: the subject (required), {@code text} (required, the plain-text body) and
 * {@code html} (optional; with it the mail is {@code multipart/alternative}). The recipient is
 * the message's {@code email} recipient. Every mail carries an {@code Idempotency-Key} header
 * and a {@code Message-ID} derived from the idempotency key, so a mail sent twice after a retry
 * can be recognised as the same; the Message-ID is the delivery's reference.
 *
 * <p>Outcomes: a missing subject or text, a missing or malformed recipient address and SMTP 5xx
 * replies are permanent; 4xx replies, connection failures and timeouts are retryable. The
 * registration's timeout applies to connecting and to each read and write.
 *
 * <p>Jakarta Mail is an optional dependency: this class loads without it, and {@link #create}
 * throws {@link IllegalStateException} when it is missing.
 *
 * <p>Thread-safe. Its channels are thread-safe too; each delivery uses a connection of its own.
 */
public final class SmtpChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "smtp";

  /** Does nothing: the work is done in {@link #create}. */
  public SmtpChannelProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code email}. */
  @Override
  public String consentChannel() {
    return Channels.EMAIL;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException when Jakarta Mail (org.eclipse.angus:angus-mail) is not on
   *     the class path
   * @throws IllegalArgumentException when a key is missing or invalid
   */
  @Override
  public Channel create(ChannelContext context) {
    if (!mailAvailable()) {
      throw new IllegalStateException("channel " + context.channelName()
          + ": the smtp channel needs Jakarta Mail; add org.eclipse.angus:angus-mail to the"
          + " class path");
    }
    // SmtpChannel is the only class that touches jakarta.mail; it is loaded only from here.
    return new SmtpChannel(context);
  }

  private boolean mailAvailable() {
    ClassLoader loader = getClass().getClassLoader();
    try {
      Class.forName("jakarta.mail.Session", false, loader);
      Class.forName("org.eclipse.angus.mail.smtp.SMTPTransport", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "SmtpChannelProvider";
  }
}
