package io.cdpkit.examples;

import com.sun.net.httpserver.HttpServer;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

/**
 * The tracking endpoint mounted in a host's own HTTP server, next to the host's own routes, and
 * two clients sending to it the way the tracking libraries do: a server library (a gzipped batch,
 * the write key as HTTP Basic user) and analytics.js in a browser (one message as
 * {@code text/plain}, the write key in the body). Prints what the endpoint answered and the
 * profile the events built. Stateless; the server runs on a free port for the tour only.
 *
 * <pre>
 * mvn -q -pl examples -am package exec:java -DskipTests -Dexample=TrackingTour
 * </pre>
 */
public final class TrackingTour {
  private TrackingTour() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    run(System.out);
  }

  public static void run(PrintStream out) throws IOException, InterruptedException {
    WorkspaceId shop = WorkspaceId.of("shop");
    try (Cdp cdp = Cdp.builder().build()) {
      // The host's own server, with a route of its own ... (with TCP_NODELAY: else each answer
      // waits about 40 ms for the client's delayed acknowledgement; usually -D on the command line)
      System.setProperty("sun.net.httpserver.nodelay", "true");
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/health", exchange -> {
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
      // ... and the tracking API under /collect: one line.
      server.createContext("/collect/", TrackingEndpoint.builder(cdp)
          .writeKey("web-key", shop).writeKey("server-key", shop).build().httpHandler());
      server.start();
      try {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/collect");
        HttpClient http = HttpClient.newHttpClient();

        out.println("A server library sends a gzipped batch with its key in the Basic header:");
        String batch = """
            {"batch": [
              {"type": "identify", "messageId": "s-1", "userId": "C-1001",
               "traits": {"email": "Jane.Doe@Example.com", "firstName": "Jane"},
               "timestamp": "2026-03-02T09:00:00Z"},
              {"type": "track", "messageId": "s-2", "userId": "C-1001",
               "event": "Order Completed", "timestamp": "2026-03-02T09:05:00Z",
               "properties": {"order_id": "W-1", "revenue": "89.90", "currency": "EUR"}},
              {"type": "track", "messageId": "s-3", "userId": "C-1001", "event": "",
               "timestamp": "2026-03-02T09:06:00Z"}
            ], "sentAt": "2026-03-02T09:06:01Z"}""";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("collect/v1/batch"))
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                "server-key:".getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(batch))).build(),
            HttpResponse.BodyHandlers.ofString());
        out.println("  " + r.statusCode() + " " + r.body());

        out.println("analytics.js posts a page view as text/plain, its key in the body:");
        String page = """
            {"writeKey": "web-key", "type": "page", "name": "Dresses",
             "messageId": "b-1", "anonymousId": "ck-7f3a", "userId": "C-1001",
             "timestamp": "2026-03-02T09:10:00Z"}""";
        r = http.send(HttpRequest.newBuilder(base.resolve("collect/v1/p"))
            .header("Content-Type", "text/plain").header("Origin", "https://shop.example")
            .POST(HttpRequest.BodyPublishers.ofString(page)).build(),
            HttpResponse.BodyHandlers.ofString());
        out.println("  " + r.statusCode() + " " + r.body());

        out.println("A wrong key is refused:");
        r = http.send(HttpRequest.newBuilder(base.resolve("collect/v1/p"))
            .POST(HttpRequest.BodyPublishers.ofString(page.replace("web-key", "guess")))
            .build(), HttpResponse.BodyHandlers.ofString());
        out.println("  " + r.statusCode() + " " + r.body());

        Profile jane = cdp.workspace(shop).profiles()
            .find(Identifier.email("jane.doe@example.com")).orElseThrow();
        out.println("Jane: " + jane.orderCount() + " order(s), " + jane.totalSpend("EUR")
            + ", events " + cdp.workspace(shop).profiles().eventCounts());
      } finally {
        server.stop(0);
      }
    }
  }

  private static byte[] gzip(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
