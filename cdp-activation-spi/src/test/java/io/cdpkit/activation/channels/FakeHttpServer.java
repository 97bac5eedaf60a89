package io.cdpkit.activation.channels;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An HTTP/1.1 server on 127.0.0.1 for the FCM and SMS tests: records every request and answers
 * with the scripted responses in order, then with the default responder. Thread-safe.
 */
final class FakeHttpServer implements AutoCloseable {
  /** One request as received. */
  record Request(String method, String path, String query, Headers headers, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One answer. */
  record Response(int status, Map<String, String> headers, String body) {
    static Response of(int status, String body) {
      return new Response(status, Map.of("Content-Type", "application/json"), body);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-http");
    t.setDaemon(true);
    return t;
  });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  // guarded by itself
  private final Deque<Response> scripted = new ArrayDeque<>();
  private volatile Function<Request, Response> responder;

  FakeHttpServer(Function<Request, Response> responder) throws IOException {
    this.responder = responder;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Request r = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          String.valueOf(exchange.getRequestURI().getRawQuery()), exchange.getRequestHeaders(),
          body);
      requests.add(r);
      Response answer;
      synchronized (scripted) {
        answer = scripted.poll();
      }
      if (answer == null) {
        answer = this.responder.apply(r);
      }
      byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
  }

  /** Answers the next requests with these, in order. */
  FakeHttpServer then(Response... responses) {
    synchronized (scripted) {
      scripted.addAll(List.of(responses));
    }
    return this;
  }

  void respondWith(Function<Request, Response> responder) {
    this.responder = responder;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
