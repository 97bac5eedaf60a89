package io.cdpkit.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMS gateway in this JVM, so that {@link ActivationTour} runs offline. It accepts
 * {@code POST /v1/messages} with the SMS channel's JSON, records every request, and answers as
 * a real gateway would: {@code 401} without the right bearer key, {@code 400} without
 * {@code to} or {@code text}, {@code 429} with {@code Retry-After: 60} for the first
 * {@code throttled} requests (to show the engine retrying), and otherwise {@code 200} with
 * {@code {"id": "gw-<n>"}}. A message whose {@code reference} it accepted before is answered
 * with the id it got then, as a gateway that deduplicates on the reference would: what
 * at-least-once delivery relies on.
 *
 * <p>Thread-safe. Listens on a free port of the loopback address until {@link #close()}.
 */
final class FakeSmsGateway implements AutoCloseable {
  /** The path it listens on. */
  static final String PATH = "/v1/messages";

  /**
   * One request as the gateway saw it, with the status it answered.
   *
   * @param authorization the {@code Authorization} header, empty when absent
   * @param to the {@code to} field, empty when absent
   * @param text the {@code text} field, empty when absent
   * @param reference the {@code reference} field, empty when absent
   * @param status the status answered
   * @param id the message id answered with a 200, empty otherwise
   */
  record Request(String authorization, String to, String text, String reference, int status,
      String id) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String apiKey;
  private final AtomicInteger throttled;
  private final AtomicInteger ids = new AtomicInteger();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Accepted references and the ids they were given. */
  private final Map<String, String> accepted = new ConcurrentHashMap<>();

  private FakeSmsGateway(HttpServer server, String apiKey, int throttled) {
    this.server = server;
    this.apiKey = apiKey;
    this.throttled = new AtomicInteger(throttled);
  }

  /**
   * Starts a gateway that takes {@code apiKey} and throttles its first {@code throttled}
   * requests.
   */
  static FakeSmsGateway start(String apiKey, int throttled) throws IOException {
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    FakeSmsGateway gateway = new FakeSmsGateway(server, apiKey, throttled);
    server.createContext(PATH, gateway::handle);
    server.start();
    return gateway;
  }

  /** The URL to configure the channel with. */
  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
        + PATH;
  }

  /** Every request so far, in order of arrival. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(64 * 1024);
      }
      String auth = header(exchange, "Authorization");
      JsonNode json = parse(body);
      String to = json.path("to").asText("");
      String text = json.path("text").asText("");
      String reference = json.path("reference").asText("");
      if (!exchange.getRequestMethod().equals("POST")) {
        answer(exchange, 405, "{}");
      } else if (!auth.equals("Bearer " + apiKey)) {
        record(auth, to, text, reference, 401, "");
        answer(exchange, 401, "{\"error\": \"unauthorized\"}");
      } else if (to.isEmpty() || text.isEmpty()) {
        record(auth, to, text, reference, 400, "");
        answer(exchange, 400, "{\"error\": \"to and text are required\"}");
      } else if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        record(auth, to, text, reference, 429, "");
        exchange.getResponseHeaders().set("Retry-After", "60");
        answer(exchange, 429, "{\"error\": \"slow down\"}");
      } else {
        String id = reference.isEmpty() ? "gw-" + ids.incrementAndGet()
            : accepted.computeIfAbsent(reference, r -> "gw-" + ids.incrementAndGet());
        record(auth, to, text, reference, 200, id);
        answer(exchange, 200, "{\"id\": \"" + id + "\", \"status\": \"queued\"}");
      }
    }
  }

  private void record(String auth, String to, String text, String reference, int status,
      String id) {
    requests.add(new Request(auth, to, text, reference, status, id));
  }

  private static String header(HttpExchange exchange, String name) {
    String v = exchange.getRequestHeaders().getFirst(name);
    return v == null ? "" : v;
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n == null ? JSON.createObjectNode() : n;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening at once. */
  @Override
  public void close() {
    server.stop(0);
  }
}
