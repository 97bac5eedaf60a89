package io.cdpkit.activation.spi;

import io.cdpkit.core.model.IdentifierType;
import java.util.List;

/**
 * Sends messages to people through one medium: an e-mail server, an SMS gateway, a webhook, an
 * ad platform, a file.
 *
 * <p>The engine decides what to send and to whom; a channel only delivers. By the time
 * {@link #deliver} is called the engine has checked consent for the message's purpose on this
 * channel per recipient address, the person's reachable addresses, suppressions and frequency
 * caps, and, on this very worker thread right before the call, has read consent, restriction,
 * erasure and the recipients' ownership again from the store: a channel must not second-guess
 * them, and must not send anything it was not handed (in particular, only to
 * {@link Message#recipients()}, never to another address the profile may hold).
 *
 * <h2>Threads, timeouts, failures</h2>
 * <ul>
 *   <li>{@link #deliver} is called on a worker thread of this channel (its own, or one of the
 *       host's executor when the activation was given one), never on a thread that ingests
 *       events. At most the registration's {@code concurrency} calls overlap (1 unless
 *       configured), so an implementation with {@code concurrency > 1} must be thread-safe.
 *   <li>Each call has the registration's timeout (10 s unless configured). When it runs out
 *       the worker thread is interrupted and the attempt counts as a retryable failure; a
 *       hanging channel blocks only its own workers.
 *   <li>A {@link RuntimeException} thrown by {@code deliver} counts as a retryable failure,
 *       and is logged without the message's content.
 *   <li>Delivery is at least once: after a crash, a timeout or a lost result the same message
 *       may be delivered again, with the same {@link Message#idempotencyKey()}. Pass the key on
 *       to receivers that can deduplicate.
 * </ul>
 */
public interface Channel extends AutoCloseable {
  /**
   * The identifier types that reach a person on this channel, most preferred first
   * ({@code email} for e-mail, {@code phone} for SMS). The engine sends only to profiles that
   * have at least one whose own consent allows the message, and hands those in
   * {@link Message#recipients()}. Empty (the
   * default) when the channel addresses no one directly (a webhook to a CRM, a log).
   */
  default List<IdentifierType> addresses() {
    return List.of();
  }

  /** Delivers one message; see the class description for threads, timeouts and failures. */
  DeliveryResult deliver(Message message);

  /**
   * Releases what the channel holds. Called once, when the engine closes, after the last
   * {@link #deliver} returned or was abandoned. The default does nothing.
   */
  @Override
  default void close() {}
}
