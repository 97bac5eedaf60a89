package io.cdpkit.core.http.clients;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host's own {@link HttpServer} with the tracking endpoint's handler mounted behind a wrapper
 * that answers the first POST with a 500 (body read and dropped, CORS header set so a browser
 * sees the status) and passes everything else on. Records each exchange as
 * {@code "METHOD /path -> status"}. Thread-safe.
 */
final class FirstPostFails implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicInteger posts = new AtomicInteger();
  // Guarded by itself.
  private final List<String> exchanges = new ArrayList<>();

  FirstPostFails(HttpHandler endpoint) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String line = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      if ("POST".equals(exchange.getRequestMethod()) && posts.getAndIncrement() == 0) {
        fail(exchange);
        record(line + " -> 500 (injected)");
        return;
      }
      endpoint.handle(exchange);
      record(line + " -> " + exchange.getResponseCode());
    });
    server.setExecutor(executor);
    server.start();
  }

  private static void fail(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] body = "{\"success\":false}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      exchange.sendResponseHeaders(500, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void record(String line) {
    synchronized (exchanges) {
      exchanges.add(line);
    }
  }

  /** http://127.0.0.1:port */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every exchange so far, in the order they finished. */
  List<String> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
