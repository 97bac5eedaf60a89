package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The channel of {@link LogChannelProvider}. Thread-safe. */
final class LogChannel implements Channel {
  private final String name;
  private final Logger log;
  private final boolean logPayload;

  LogChannel(ChannelContext context) {
    this.name = context.channelName();
    this.log = LoggerFactory.getLogger(context.loggerName());
    this.logPayload = Configs.bool(context, "log-payload", false);
  }

  @Override
  public DeliveryResult deliver(Message m) {
    if (!log.isInfoEnabled()) {
      return DeliveryResult.delivered();
    }
    // Identifier.toString() shows the type and a short keyed hash, never the value.
    String line = "message rule=" + m.rule() + " channel=" + m.channel() + " purpose="
        + m.purpose() + " trigger=" + m.trigger() + " key=" + m.idempotencyKey() + " attempt="
        + m.attempt() + " recipients=" + m.recipients() + " payload keys=" + m.payload().keySet();
    if (logPayload) {
      String payload;
      try {
        payload = MessageJson.text(m.payload());
      } catch (JsonProcessingException e) {
        payload = "(not writable as JSON)";
      }
      line += " payload=" + payload;
    }
    log.info(line);
    return DeliveryResult.delivered();
  }

  @Override
  public String toString() {
    return "LogChannel[" + name + "]";
  }
}
