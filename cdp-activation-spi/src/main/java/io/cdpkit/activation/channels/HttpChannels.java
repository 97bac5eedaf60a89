package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * What the HTTP channels (push, SMS) share: a JDK client on daemon threads of their own, URL
 * checks, and the mapping of retryable statuses. Stateless.
 */
final class HttpChannels {
  private HttpChannels() {}

  /**
   * Says once at WARN, then at DEBUG, that a channel's credentials were refused: one line per
   * channel however many messages fail, so a wrong key does not flood the log. Thread-safe.
   */
  static final class RefusalLog {
    private final java.util.concurrent.atomic.AtomicBoolean warned =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final org.slf4j.Logger log;
    private final String channel;

    RefusalLog(org.slf4j.Logger log, String channel) {
      this.log = log;
      this.channel = channel;
    }

    void refused(String reason) {
      if (warned.compareAndSet(false, true)) {
        log.warn("channel {}: {}; messages fail for good until the credentials are fixed"
            + " (dead letters can be requeued); further refusals are logged at DEBUG", channel,
            reason);
      } else {
        log.debug("channel {}: {}", channel, reason);
      }
    }
  }

  /** A client and the executor it runs on; close the executor with the channel. */
  record Client(HttpClient http, ExecutorService executor) {}

  /**
   * A client for one channel.
   *
   * @param version {@code HTTP_2} for https (negotiated by ALPN), ignored for plain http,
   *     which stays HTTP/1.1
   */
  static Client client(String threadPrefix, URI base, Duration timeout,
      HttpClient.Version version, @Nullable SSLContext ssl) {
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, threadPrefix + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(base.getScheme().equalsIgnoreCase("https") ? version
            : HttpClient.Version.HTTP_1_1)
        .executor(pool);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    return new Client(b.build(), pool);
  }

  /**
   * An absolute http or https URL without user information or fragment.
   *
   * @throws IllegalArgumentException naming the key, never quoting the value
   */
  static URI url(ChannelContext context, String key, String raw) {
    URI uri;
    try {
      uri = new URI(raw.strip());
    } catch (URISyntaxException e) {
      // Without the cause: its message quotes the URL, which may carry a token.
      throw Configs.invalid(context, key, "is not a valid URL");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw Configs.invalid(context, key, "must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw Configs.invalid(context, key, "must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw Configs.invalid(context, key, "must not carry user information");
    }
    if (uri.getRawFragment() != null) {
      throw Configs.invalid(context, key, "must not have a fragment");
    }
    return uri;
  }

  /** The base URL without a trailing slash. */
  static String base(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /** 408, 429 and 5xx: worth trying again. */
  static boolean retryable(int status) {
    return status == 408 || status == 429 || (status >= 500 && status < 600);
  }

  /** A retryable result, passing on a Retry-After header when it reads as one. */
  static DeliveryResult retry(String reason, Optional<String> retryAfter, Instant now) {
    Optional<Duration> after = retryAfter.flatMap(v -> WebhookChannel.retryAfter(v, now));
    return after.isPresent() ? DeliveryResult.retryable(reason, after.get())
        : DeliveryResult.retryable(reason);
  }

  /** An I/O failure described by its type and a short message, for a reason. */
  static String describe(IOException e) {
    String m = e.getMessage();
    String s = e.getClass().getSimpleName();
    if (m == null || m.isBlank()) {
      return s;
    }
    return s + ": " + (m.length() > 200 ? m.substring(0, 200) : m);
  }

  /** A short text fit for a reason: printable ASCII, at most {@code max} characters. */
  static String clip(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
