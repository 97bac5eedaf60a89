package io.cdpkit.storage.jdbc.redteam;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The red-team suite's e-mail channel: consent channel {@code email}, addresses of type
 * {@code email}. It records every message it is handed ({@link #sent}), then runs
 * {@link #handed} (a test overrides it to block a send) and answers delivered.
 *
 * <p>Thread-safe: the engine calls {@link Channel#deliver} on the channel's workers.
 */
class MailChannel implements ChannelProvider {
  /** Every message handed to the channel, in the order the workers took them. */
  final List<Message> sent = new CopyOnWriteArrayList<>();

  /** Called on the channel's worker after a message is recorded; does nothing by default. */
  void handed(Message message) {}

  @Override
  public String id() {
    return "redteam-mail";
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  @Override
  public String consentChannel() {
    return "email";
  }

  @Override
  public Channel create(ChannelContext context) {
    return new Channel() {
      @Override
      public List<IdentifierType> addresses() {
        return List.of(IdentifierType.EMAIL);
      }

      @Override
      public DeliveryResult deliver(Message message) {
        sent.add(message);
        handed(message);
        return DeliveryResult.delivered();
      }
    };
  }
}
