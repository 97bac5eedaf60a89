package io.cdpkit.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The endpoint on the JDK's server, over real connections. */
class TrackingServerTest {
  static final WorkspaceId SHOP = WorkspaceId.of("shop");
  final Cdp cdp = Cdp.builder().build();
  final TrackingServer server = TrackingServer.builder(
          TrackingEndpoint.builder(cdp).writeKey("k", SHOP).build())
      .address(new InetSocketAddress("127.0.0.1", 0)).threads(2)
      .bodyTimeout(Duration.ofMillis(800)).start();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void close() {
    server.close();
    cdp.close();
  }

  static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString("k:".getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> send(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(server.baseUri().resolve(path))
        .header("Authorization", basic()).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  long stored() {
    return cdp.workspace(SHOP).profiles().eventCounts().values().stream()
        .mapToLong(Long::longValue).sum();
  }

  @Test
  @DisplayName("a batch over HTTP is stored and answered 200 with JSON")
  void roundTrip() throws Exception {
    HttpResponse<String> r = send("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"event\":\"E\","
        + "\"userId\":\"u1\",\"messageId\":\"m1\"}]}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body()).contains("\"stored\":1");
    assertThat(stored()).isEqualTo(1);
  }

  @Test
  @DisplayName("a chunked body is read whole")
  void chunked() throws Exception {
    String body = "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\","
        + "\"messageId\":\"m1\"}]}";
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder("POST /v1/batch HTTP/1.1\r\nHost: x\r\n"
          + "Authorization: " + basic() + "\r\nTransfer-Encoding: chunked\r\n"
          + "Connection: close\r\n\r\n");
      int half = body.length() / 2;
      for (String part : new String[] {body.substring(0, half), body.substring(half)}) {
        req.append(Integer.toHexString(part.length())).append("\r\n").append(part)
            .append("\r\n");
      }
      req.append("0\r\n\r\n");
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 200");
    }
    assertThat(stored()).isEqualTo(1);
  }

  @Test
  @DisplayName("a client that sends half its body and stalls is cut off after the body timeout, "
      + "stores nothing, and holds no thread: other clients are answered meanwhile")
  void slowClient() throws Exception {
    String body = "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\","
        + "\"messageId\":\"slow\"}]}";
    // Two stalled clients: as many as the server has threads.
    Socket[] stalled = new Socket[2];
    for (int i = 0; i < stalled.length; i++) {
      stalled[i] = new Socket("127.0.0.1", server.port());
      stalled[i].setSoTimeout(10_000);
      OutputStream out = stalled[i].getOutputStream();
      out.write(("POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: " + basic()
          + "\r\nContent-Length: " + body.length() + "\r\n\r\n"
          + body.substring(0, body.length() / 2)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    long start = System.nanoTime();
    for (Socket s : stalled) {
      try (s) {
        InputStream in = s.getInputStream();
        // The server closes the connection (maybe after an error answer): the read ends.
        byte[] rest = in.readAllBytes();
        assertThat(new String(rest, StandardCharsets.US_ASCII)).doesNotContain(" 200 ");
      } catch (IOException e) {
        // a reset is as good as a close
      }
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    HttpResponse<String> r = send("/v1/batch", body.replace("slow", "fast"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(cdp.workspace(SHOP).profiles().eventCounts()).containsEntry("E", 1L);
  }

  @Test
  @DisplayName("a mounted handler answers under its path beside the endpoint; /v1 stays the"
      + " endpoint's; bad, clashing and repeated mount paths are refused")
  void mount() throws Exception {
    TrackingEndpoint endpoint = TrackingEndpoint.builder(cdp).writeKey("k", SHOP).build();
    com.sun.net.httpserver.HttpHandler hello = ex -> {
      byte[] b = ("mounted " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    };
    try (TrackingServer both = TrackingServer.builder(endpoint)
        .address(new InetSocketAddress("127.0.0.1", 0)).mount("/console", hello).start()) {
      HttpResponse<String> mounted = client.send(HttpRequest.newBuilder(
          both.baseUri().resolve("/console/x")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(mounted.statusCode()).isEqualTo(200);
      assertThat(mounted.body()).isEqualTo("mounted /console/x");
      HttpResponse<String> tracked = client.send(HttpRequest.newBuilder(
          both.baseUri().resolve("/v1/track")).header("Authorization", basic())
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"track\",\"event\":\"E\","
              + "\"userId\":\"u1\",\"messageId\":\"m-mount\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(tracked.statusCode()).isEqualTo(200);
      assertThat(stored()).isEqualTo(1);
    }
    TrackingServer.Builder b = TrackingServer.builder(endpoint);
    for (String bad : new String[] {"/", "console", "/console/", "/v1", "/v1/x", "/a b"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.mount(bad, hello))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mount path");
    }
    b.mount("/console", hello);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.mount("/console", hello))
        .hasMessageContaining("already mounted");
  }
}
