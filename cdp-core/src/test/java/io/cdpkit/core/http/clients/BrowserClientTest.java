package io.cdpkit.core.http.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Profiles;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.http.TrackingServer;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * analytics.js ({@code @segment/analytics-next}, its UMD build from {@code node_modules}) on a
 * page served from another loopback port, in Debian's headless Chromium ({@code browser.mjs}):
 * cross-origin {@code text/plain} posts with the write key in the body and a Basic header, so
 * with CORS preflights, to {@code /v1/t}, {@code /v1/i}, {@code /v1/p}, {@code /v1/s},
 * {@code /v1/g}, {@code /v1/a}, or {@code /v1/b} when batching.
 */
class BrowserClientTest {
  static final String KEY = "browser-write-key";
  static final WorkspaceId SHOP = WorkspaceId.of("shop");

  final Cdp cdp = Cdp.builder().build();
  final TrackingEndpoint endpoint = TrackingEndpoint.builder(cdp).writeKey(KEY, SHOP).build();

  @BeforeEach
  void browser() {
    Clients.requireBrowser();
  }

  @AfterEach
  void close() {
    cdp.close();
  }

  Profiles profiles() {
    return cdp.workspace(SHOP).profiles();
  }

  /** Runs the page against a {@link TrackingServer}; returns the endpoint requests it made. */
  List<String> send(String scenario, String... flags) {
    try (TrackingServer server = TrackingServer.builder(endpoint)
        .address(new InetSocketAddress("127.0.0.1", 0)).start()) {
      Clients.Run run = Clients.node("browser.mjs", server.baseUri(), KEY, scenario, flags);
      assertThat(run.exitCode()).as("%s", run).isZero();
      return run.lines().stream().filter(l -> l.startsWith("{\"request\"")).toList();
    }
  }

  @Test
  @DisplayName("one cross-origin text/plain request per call, to the short paths")
  void journey() {
    List<String> requests = send("journey");
    Expectations.journey(profiles());
    assertThat(requests).hasSize(9).allMatch(r -> r.contains("\"status\":200")
        && r.contains("\"content-type\":\"text/plain\""));
    for (String path : List.of("/v1/t", "/v1/i", "/v1/p", "/v1/s", "/v1/g", "/v1/a")) {
      assertThat(requests).as(path).anyMatch(r -> r.contains(path + "\""));
    }
  }

  @Test
  @DisplayName("with the batching delivery strategy, the same journey through /v1/b")
  void journeyBatched() {
    List<String> requests = send("journey", "--batching");
    Expectations.journey(profiles());
    assertThat(requests).isNotEmpty().allMatch(r -> r.contains("/v1/b\"")
        && r.contains("\"status\":200"));
  }

  @Test
  @DisplayName("600 messages, batched, each land exactly once")
  void many() {
    send("many", "--batching");
    Expectations.many(profiles(), 600);
  }

  @Test
  @DisplayName("an explicit timestamp in 2019 is the event's time")
  void historical() {
    send("historical");
    Expectations.historical(profiles());
  }

  @Test
  @DisplayName("a message of ~28 KB of properties is stored whole")
  void large() {
    send("large");
    Expectations.large(profiles(), 1);
  }

  @Test
  @DisplayName("after a 500 analytics.js retries and every event lands once")
  void retryAfter500() throws IOException {
    try (FirstPostFails server = new FirstPostFails(endpoint.httpHandler())) {
      Clients.Run run = Clients.node("browser.mjs", server.baseUri(), KEY, "journey");
      List<FirstPostFails.Exchange> exchanges = server.exchanges();
      List<FirstPostFails.Exchange> posts = server.posts();
      assertThat(run.exitCode()).as("%s\nexchanges: %s", run, exchanges).isZero();
      assertThat(posts).as("exchanges").first().matches(FirstPostFails.Exchange::injected);
      // One request per call, and one more for the retried one; each taken whole.
      assertThat(posts).as("exchanges").hasSize(10);
      assertThat(posts.subList(1, posts.size())).allSatisfy(Expectations::acceptedWhole);
      // Cross-origin posts with an Authorization header: Chromium asked first, and was let.
      assertThat(exchanges).as("exchanges").filteredOn(e -> e.method().equals("OPTIONS"))
          .isNotEmpty().allMatch(e -> e.path().matches("/v1/[a-z]")
              && (e.status() == 200 || e.status() == 204));
    }
    Expectations.journey(profiles());
  }
}
