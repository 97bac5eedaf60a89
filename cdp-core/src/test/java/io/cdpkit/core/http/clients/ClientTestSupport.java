package io.cdpkit.core.http.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.Profiles;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.http.TrackingServer;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * What the over-the-wire tests of the tracking endpoint share: a {@link Cdp} on the in-memory
 * store behind a {@link TrackingServer} on an ephemeral loopback port, plain HTTP requests with
 * {@link HttpClient}, a host server that fails the first request, and a record of what a
 * tracking SDK reports as delivered.
 */
final class ClientTestSupport {
  private ClientTestSupport() {}

  /** The workspace every write key of these tests sends to. */
  static final WorkspaceId SHOP = WorkspaceId.of("shop");

  static final ObjectMapper JSON = new ObjectMapper();

  /** A {@link Cdp} with a tracking endpoint and its server. Not thread-safe to close. */
  static final class Collector implements AutoCloseable {
    final Cdp cdp;
    final TrackingEndpoint endpoint;
    final TrackingServer server;

    private Collector(Cdp cdp, TrackingEndpoint endpoint, TrackingServer server) {
      this.cdp = cdp;
      this.endpoint = endpoint;
      this.server = server;
    }

    /** A collector on a new in-memory {@link Cdp}, accepting the given write keys for SHOP. */
    static Collector start(String... writeKeys) {
      return start(Cdp.builder().build(), b -> {}, b -> {}, writeKeys);
    }

    /**
     * A collector on {@code cdp} (closed with the collector), accepting the given write keys for
     * SHOP, with the endpoint and server settings of the two callbacks.
     */
    static Collector start(Cdp cdp, Consumer<TrackingEndpoint.Builder> endpointSettings,
        Consumer<TrackingServer.Builder> serverSettings, String... writeKeys) {
      TrackingEndpoint.Builder b = TrackingEndpoint.builder(cdp);
      for (String key : writeKeys) {
        b.writeKey(key, SHOP);
      }
      endpointSettings.accept(b);
      TrackingEndpoint endpoint = b.build();
      TrackingServer.Builder sb = TrackingServer.builder(endpoint)
          .address(new InetSocketAddress("127.0.0.1", 0));
      serverSettings.accept(sb);
      return new Collector(cdp, endpoint, sb.start());
    }

    URI baseUri() {
      return server.baseUri();
    }

    Profiles profiles() {
      return cdp.workspace(SHOP).profiles();
    }

    Profile profile(Identifier id) {
      return profiles().find(id).orElseThrow(() -> new AssertionError("no profile for " + id));
    }

    List<Event> events(Identifier id) {
      return profiles().events(profile(id).id());
    }

    /** How many events of every name the workspace holds. */
    Map<String, Long> eventCounts() {
      return profiles().eventCounts();
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        cdp.close();
      }
    }
  }

  // ---------------------------------------------------------------- plain HTTP

  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** What came back: status, headers, body, and the body as JSON when it is JSON. */
  record Reply(int status, Map<String, List<String>> headers, String body) {
    @Nullable String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("answer is not JSON (" + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** The value of an {@code Authorization} header for {@code writeKey} with an empty password. */
  static String basic(String writeKey) {
    return "Basic " + Base64.getEncoder()
        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  /** POSTs {@code body} (Content-Length framing) with the headers given. */
  static Reply post(URI base, String path, byte[] body, Map<String, String> headers) {
    return send(base, "POST", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
  }

  /** POSTs JSON with HTTP Basic auth for {@code writeKey}. */
  static Reply postJson(URI base, String path, String writeKey, String json) {
    return post(base, path, json.getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/json", "Authorization", basic(writeKey)));
  }

  static Reply send(URI base, String method, String path, HttpRequest.BodyPublisher body,
      Map<String, String> headers) {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body);
    headers.forEach(r::header);
    try {
      HttpResponse<byte[]> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
      byte[] bytes = response.body();
      if (response.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip")) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      return new Reply(response.statusCode(), response.headers().map(),
          new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static byte[] gzip(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The number of events a 200 answer says it stored ({@code stored}); -1 when absent. */
  static int accepted(JsonNode answer) {
    return answer.path("stored").asInt(-1);
  }

  /** Asserts a 200 answer that accepted {@code accepted} events and rejected none. */
  static JsonNode assertAccepted(Reply reply, int accepted) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(200);
    JsonNode json = reply.json();
    assertThat(json.path("success").asBoolean()).as("success in %s", reply).isTrue();
    assertThat(accepted(json)).as("accepted in %s", reply).isEqualTo(accepted);
    assertThat(json.path("rejected").asInt(-1)).as("rejected in %s", reply).isZero();
    return json;
  }

  // ---------------------------------------------------------------- SDK deliveries

  /**
   * What a tracking SDK's callbacks reported: the messageIds it says were delivered and those
   * it gave up on. Thread-safe.
   */
  static final class Deliveries {
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final Map<String, Throwable> failed = new ConcurrentHashMap<>();
    private final AtomicInteger duplicateReports = new AtomicInteger();

    void success(String messageId) {
      if (!delivered.add(messageId)) {
        duplicateReports.incrementAndGet();
      }
      synchronized (this) {
        notifyAll();
      }
    }

    void failure(String messageId, Throwable error) {
      failed.put(messageId, error);
      synchronized (this) {
        notifyAll();
      }
    }

    /**
     * Waits until {@code n} messages were reported delivered; fails at once when the SDK gave
     * up on one, and after {@code timeout}.
     */
    Set<String> awaitDelivered(int n, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      synchronized (this) {
        while (delivered.size() < n && failed.isEmpty()) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            fail("the SDK reported " + delivered.size() + " of " + n
                + " messages delivered within " + timeout);
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
      if (!failed.isEmpty()) {
        Map.Entry<String, Throwable> first = failed.entrySet().iterator().next();
        throw new AssertionError("the SDK gave up on " + failed.size() + " message(s), "
            + "e.g. " + first.getKey() + ": " + first.getValue(), first.getValue());
      }
      assertThat(duplicateReports.get()).as("messages reported delivered twice").isZero();
      return Set.copyOf(delivered);
    }
  }

  /** A mutable, insertion-ordered map for building message properties. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
