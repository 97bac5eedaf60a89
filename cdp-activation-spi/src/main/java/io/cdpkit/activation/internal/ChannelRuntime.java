package io.cdpkit.activation.internal;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered channel and the workers that call it: at most {@code concurrency} calls at a
 * time, each with a timeout, so that a slow, hanging or throwing channel holds up only its own
 * messages. The calls run on the host's executor when one is given (at most
 * {@code concurrency} of its threads at a time; the executor is the host's to shut down), else
 * on daemon threads of the runtime's own.
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
  /** The runtime's own threads; {@code null} when the host's executor runs the calls. */
  private final @Nullable ThreadPoolExecutor workers;
  private final Executor executor;

  public ChannelRuntime(String name, String provider, String consentChannel, Channel channel,
      int concurrency, Duration timeout) {
    this(name, provider, consentChannel, channel, concurrency, timeout, null);
  }

  /**
   * A runtime whose calls run on {@code host} when not {@code null}, at most
   * {@code concurrency} at a time.
   */
  public ChannelRuntime(String name, String provider, String consentChannel, Channel channel,
      int concurrency, Duration timeout, @Nullable Executor host) {
    this.name = name;
    this.provider = provider;
    this.consentChannel = consentChannel;
    this.channel = channel;
    this.addresses = List.copyOf(channel.addresses());
    this.timeout = timeout;
    if (host != null) {
      this.workers = null;
      this.executor = new Bounded(host, concurrency);
    } else {
      AtomicInteger n = new AtomicInteger();
      this.workers = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "cdpkit-channel-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      this.executor = workers;
    }
  }

  /**
   * Runs tasks on a host's executor, at most {@code limit} at a time: a queue drained by at
   * most {@code limit} tasks on the host's threads.
   */
  private static final class Bounded implements Executor {
    private final Executor host;
    private final int limit;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger active = new AtomicInteger();

    Bounded(Executor host, int limit) {
      this.host = host;
      this.limit = limit;
    }

    @Override
    public void execute(Runnable r) {
      queue.add(r);
      schedule();
    }

    private void schedule() {
      while (true) {
        int a = active.get();
        if (a >= limit || queue.isEmpty()) {
          return;
        }
        if (active.compareAndSet(a, a + 1)) {
          try {
            host.execute(this::drain);
          } catch (RejectedExecutionException e) {
            active.decrementAndGet();
            throw e;
          }
          return;
        }
      }
    }

    private void drain() {
      try {
        Runnable r;
        while ((r = queue.poll()) != null) {
          r.run();
        }
      } finally {
        active.decrementAndGet();
      }
      if (!queue.isEmpty()) {
        schedule();
      }
    }
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
    return run(() -> deliver(m));
  }

  /**
   * Queues a task on this channel's workers: the engine's check at hand-over followed by
   * {@link #deliver}, so that both run on the worker, one right after the other.
   */
  public <T> Future<T> run(Callable<T> task) {
    FutureTask<T> f = new FutureTask<>(task);
    executor.execute(f);
    return f;
  }

  /** Calls the plugin on the calling thread (a worker of this runtime). */
  public DeliveryResult deliver(Message m) {
    DeliveryResult r = channel.deliver(m);
    if (r == null) {
      return DeliveryResult.retryable("channel returned no result");
    }
    return r;
  }

  /**
   * Waits for a delivery until {@code deadlineNanos} ({@link System#nanoTime()}); a delivery
   * still running then is interrupted and counts as a retryable failure, as does one that
   * threw.
   */
  public DeliveryResult await(Future<DeliveryResult> f, long deadlineNanos) {
    return await(f, deadlineNanos, r -> r);
  }

  /**
   * Waits for a task until {@code deadlineNanos}; a timeout, an exception or an interrupt
   * becomes {@code failed} applied to the retryable result that says so.
   */
  public <T> T await(Future<T> f, long deadlineNanos, Function<DeliveryResult, T> failed) {
    try {
      long left = Math.max(0, deadlineNanos - System.nanoTime());
      return f.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      LOG.warn("channel {} did not answer within {}", name, timeout);
      return failed.apply(DeliveryResult.retryable("timeout after " + timeout));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      LOG.warn("channel {} threw {}", name, c.getClass().getName());
      return failed.apply(DeliveryResult.retryable("channel threw " + c.getClass().getName()));
    } catch (java.util.concurrent.CancellationException e) {
      return failed.apply(DeliveryResult.retryable("cancelled"));
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return failed.apply(DeliveryResult.retryable("interrupted"));
    }
  }

  /**
   * Stops the runtime's own workers (waiting up to the timeout for running calls; a host's
   * executor is left alone) and closes the channel.
   */
  @Override
  public void close() {
    ThreadPoolExecutor w = workers;
    if (w != null) {
      w.shutdown();
      try {
        if (!w.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          w.shutdownNow();
        }
      } catch (InterruptedException e) {
        w.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    try {
      channel.close();
    } catch (Exception e) {
      LOG.warn("channel {} failed to close: {}", name, e.getClass().getName());
    }
  }
}
