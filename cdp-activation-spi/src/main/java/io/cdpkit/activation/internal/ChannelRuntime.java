package io.cdpkit.activation.internal;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered channel and the workers that call it: at most {@code concurrency} calls at a
 * time, each with a timeout, on daemon threads of its own, so that a slow, hanging or throwing
 * channel holds up only its own messages.
 *
 * <p>Thread-safe.
 */
public final class ChannelRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelRuntime.class);

  private final String name;
  private final String provider;
  private final String consentChannel;
  private final Channel channel;
  private final List<IdentifierType> addresses;
  private final Duration timeout;
  private final ThreadPoolExecutor workers;

  public ChannelRuntime(String name, String provider, String consentChannel, Channel channel,
      int concurrency, Duration timeout) {
    this.name = name;
    this.provider = provider;
    this.consentChannel = consentChannel;
    this.channel = channel;
    this.addresses = List.copyOf(channel.addresses());
    this.timeout = timeout;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "cdpkit-channel-" + name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  public String name() {
    return name;
  }

  public String provider() {
    return provider;
  }

  public String consentChannel() {
    return consentChannel;
  }

  public List<IdentifierType> addresses() {
    return addresses;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Queues a delivery on this channel's workers. */
  public Future<DeliveryResult> submit(Message m) {
    return workers.submit(() -> {
      DeliveryResult r = channel.deliver(m);
      if (r == null) {
        return DeliveryResult.retryable("channel returned no result");
      }
      return r;
    });
  }

  /**
   * Waits for a delivery until {@code deadlineNanos} ({@link System#nanoTime()}); a delivery
   * still running then is interrupted and counts as a retryable failure, as does one that
   * threw.
   */
  public DeliveryResult await(Future<DeliveryResult> f, long deadlineNanos) {
    try {
      long left = Math.max(0, deadlineNanos - System.nanoTime());
      return f.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      LOG.warn("channel {} did not answer within {}", name, timeout);
      return DeliveryResult.retryable("timeout after " + timeout);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      LOG.warn("channel {} threw {}", name, c.getClass().getName());
      return DeliveryResult.retryable("channel threw " + c.getClass().getName());
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return DeliveryResult.retryable("interrupted");
    }
  }

  /** Stops the workers (waiting up to the timeout for running calls) and closes the channel. */
  @Override
  public void close() {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      channel.close();
    } catch (Exception e) {
      LOG.warn("channel {} failed to close: {}", name, e.getClass().getName());
    }
  }
}
