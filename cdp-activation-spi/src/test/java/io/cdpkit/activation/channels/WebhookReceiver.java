package io.cdpkit.activation.channels;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.cdpkit.activation.testing.TestChannelContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook endpoint on 127.0.0.1 for tests: records every request and answers 200 when the
 * signature verifies against {@link TestChannelContext#NOW} (401 otherwise), unless told to
 * answer something else or to hang. Thread-safe.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Request(String method, String path, Headers headers, byte[] body, boolean verified) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String secret;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "webhook-receiver");
    t.setDaemon(true);
    return t;
  });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile int status = 0;
  private volatile Map<String, String> responseHeaders = Map.of();
  private volatile String responseBody = "";
  private volatile boolean hang;

  WebhookReceiver(String secret) throws IOException {
    this.secret = secret;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      boolean ok = WebhookSignature.verify(secret,
          exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body,
          TestChannelContext.NOW, Duration.ofMinutes(5));
      requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders(), body, ok));
      if (hang) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int code = status != 0 ? status : ok ? 200 : 401;
      responseHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] out = responseBody.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(code, out.length == 0 ? -1 : out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/cdp";
  }

  String secret() {
    return secret;
  }

  /** Answers every request with this status (and headers), signature or not. */
  WebhookReceiver answer(int status, Map<String, String> headers) {
    this.status = status;
    this.responseHeaders = Map.copyOf(headers);
    return this;
  }

  WebhookReceiver answerBody(String body) {
    this.responseBody = body;
    return this;
  }

  /** Holds every request until closed. */
  WebhookReceiver hang() {
    this.hang = true;
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
