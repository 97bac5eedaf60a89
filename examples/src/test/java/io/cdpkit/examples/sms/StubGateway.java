package io.cdpkit.examples.sms;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on the loopback address that answers what a test queued (200 {@code {}} when
 * nothing is queued) and records each request. Thread-safe.
 */
final class StubGateway implements AutoCloseable {
  /**
   * One request.
   *
   * @param method the HTTP method
   * @param path the request path
   * @param headers the headers, by lower-case name, first value
   * @param body the body as text
   */
  record Seen(String method, String path, Map<String, String> headers, String body) {}

  /**
   * One answer.
   *
   * @param status the status
   * @param headers headers to send
   * @param body the body, empty for none
   * @param hold when set, the answer waits until it is counted down (or 10 s pass)
   */
  record Answer(int status, Map<String, String> headers, String body, CountDownLatch hold) {
    static Answer of(int status, String body) {
      return new Answer(status, Map.of(), body, new CountDownLatch(0));
    }

    Answer header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Answer(status, h, body, hold);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stub-gateway");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  StubGateway() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/messages";
  }

  void answer(Answer a) {
    answers.add(a);
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) ->
          headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          headers, body));
      Answer a = answers.poll();
      if (a == null) {
        a = Answer.of(200, "{}");
      }
      try {
        a.hold().await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (IOException e) {
      // The client went away (a timeout test): nothing to answer.
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
