package io.cdpkit.activation;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A provider of spy channels: each records the messages it is handed and answers what the test
 * says (delivered unless told otherwise). Thread-safe.
 */
class SpyProvider implements ChannelProvider {
  final String id;
  final String consentChannel;
  final List<IdentifierType> addresses;
  final Map<String, Spy> channels = new ConcurrentHashMap<>();
  volatile Function<Message, DeliveryResult> answer = m -> DeliveryResult.delivered();

  SpyProvider(String id, String consentChannel, IdentifierType... addresses) {
    this.id = id;
    this.consentChannel = consentChannel;
    this.addresses = List.of(addresses);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  @Override
  public String consentChannel() {
    return consentChannel;
  }

  @Override
  public Channel create(ChannelContext context) {
    Spy s = new Spy();
    channels.put(context.channelName(), s);
    return s;
  }

  /** Every message any of its channels was handed, in order. */
  List<Message> sent() {
    return channels.values().stream().flatMap(s -> s.messages.stream()).toList();
  }

  final class Spy implements Channel {
    final List<Message> messages = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    @Override
    public List<IdentifierType> addresses() {
      return addresses;
    }

    @Override
    public DeliveryResult deliver(Message message) {
      messages.add(message);
      return answer.apply(message);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
