package io.cdpkit.core.http.clients;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host's own {@link HttpServer} with the tracking endpoint's handler mounted behind a wrapper
 * that answers the first POST with a 500 (body read and dropped, CORS header set so a browser
 * sees the status) and passes everything else on, recording each exchange with the answer's
 * body. Thread-safe.
 */
final class FirstPostFails implements AutoCloseable {
  /**
   * One request and its answer; {@code injected} for the 500 the wrapper made up; {@code arrival}
   * the request's place in the order the server took them.
   */
  record Exchange(String method, String path, int status, String body, boolean injected,
      int arrival) {
    @Override
    public String toString() {
      return method + " " + path + " -> " + status + (injected ? " (injected)" : "") + " "
          + body;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicInteger posts = new AtomicInteger();
  private final AtomicInteger arrivals = new AtomicInteger();
  // Guarded by itself, as is inFlight: the handlers that began and have not yet recorded.
  private final List<Exchange> exchanges = new ArrayList<>();
  private int inFlight;

  FirstPostFails(HttpHandler endpoint) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      synchronized (exchanges) {
        inFlight++;
      }
      try {
        handle(exchange, endpoint);
      } finally {
        synchronized (exchanges) {
          inFlight--;
          exchanges.notifyAll();
        }
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  private void handle(HttpExchange exchange, HttpHandler endpoint) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    int arrival = arrivals.getAndIncrement();
    if ("POST".equals(method) && posts.getAndIncrement() == 0) {
      String body = fail(exchange);
      record(new Exchange(method, path, 500, body, true, arrival));
      return;
    }
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    exchange.setStreams(null, new FilterOutputStream(exchange.getResponseBody()) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        copy.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        copy.write(b, off, len);
      }
    });
    endpoint.handle(exchange);
    record(new Exchange(method, path, exchange.getResponseCode(),
        copy.toString(StandardCharsets.UTF_8), false, arrival));
  }

  private static String fail(HttpExchange exchange) throws IOException {
    String text = "{\"success\":false}";
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      exchange.sendResponseHeaders(500, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    return text;
  }

  private void record(Exchange e) {
    synchronized (exchanges) {
      exchanges.add(e);
    }
  }

  /** http://127.0.0.1:port */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Every exchange so far, in the order they finished. Waits (up to 10 seconds) for the requests
   * being handled: a client may read its answer before the handler has recorded it.
   */
  List<Exchange> exchanges() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (exchanges) {
      try {
        while (inFlight > 0) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError(inFlight + " request(s) still being handled after 10 s");
          }
          TimeUnit.NANOSECONDS.timedWait(exchanges, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      return List.copyOf(exchanges);
    }
  }

  /**
   * The POSTs so far, in the order they arrived (a client that sends the next request while the
   * first is answered may see that one finish first: the first to arrive is the injected one).
   */
  List<Exchange> posts() {
    return exchanges().stream().filter(e -> e.method().equals("POST"))
        .sorted(Comparator.comparingInt(Exchange::arrival)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
