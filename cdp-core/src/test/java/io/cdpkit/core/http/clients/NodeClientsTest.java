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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The unmodified Node.js SDKs, {@code @segment/analytics-node} 3.1.0 and
 * {@code @rudderstack/rudder-sdk-node} 3.0.13 (pinned in {@code src/test/clients}), send each
 * scenario of {@code scenarios.mjs} to the tracking endpoint; the profiles they build are read
 * back through the API.
 */
class NodeClientsTest {
  static final String KEY = "node-write-key";
  static final WorkspaceId SHOP = WorkspaceId.of("shop");

  final Cdp cdp = Cdp.builder().build();
  final TrackingEndpoint endpoint = TrackingEndpoint.builder(cdp).writeKey(KEY, SHOP).build();

  @BeforeEach
  void clients() {
    Clients.requireNodeSdks();
  }

  @AfterEach
  void close() {
    cdp.close();
  }

  Profiles profiles() {
    return cdp.workspace(SHOP).profiles();
  }

  /** Runs the scenario against a {@link TrackingServer} and checks the client reported success. */
  void send(String script, String scenario) {
    try (TrackingServer server = TrackingServer.builder(endpoint)
        .address(new InetSocketAddress("127.0.0.1", 0)).start()) {
      Clients.Run run = Clients.node(script, server.baseUri(), KEY, scenario);
      assertThat(run.exitCode()).as("%s", run).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"segment-node.mjs", "rudder-node.mjs"})
  @DisplayName("identify, product view, two orders, page, screen, group and alias build one "
      + "profile")
  void journey(String script) {
    send(script, "journey");
    Expectations.journey(profiles());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"segment-node.mjs", "rudder-node.mjs"})
  @DisplayName("600 messages, flushed in several batches, each land exactly once")
  void many(String script) {
    send(script, "many");
    Expectations.many(profiles(), 600);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"segment-node.mjs", "rudder-node.mjs"})
  @DisplayName("an explicit timestamp in 2019 is the event's time")
  void historical(String script) {
    send(script, "historical");
    Expectations.historical(profiles());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"segment-node.mjs", "rudder-node.mjs"})
  @DisplayName("40 messages of ~28 KB of properties each are stored whole")
  void large(String script) {
    send(script, "large");
    Expectations.large(profiles(), 40);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"segment-node.mjs", "rudder-node.mjs"})
  @DisplayName("after a 500 the SDK retries and every event lands once")
  void retryAfter500(String script) throws IOException {
    try (FirstPostFails server = new FirstPostFails(endpoint.httpHandler())) {
      Clients.Run run = Clients.node(script, server.baseUri(), KEY, "journey");
      List<FirstPostFails.Exchange> posts = server.posts();
      assertThat(run.exitCode()).as("%s\nexchanges: %s", run, posts).isZero();
      assertThat(posts).as("exchanges").first().matches(FirstPostFails.Exchange::injected);
      // The retried and every later request were taken whole (see acceptedWhole).
      assertThat(posts.subList(1, posts.size())).as("exchanges").isNotEmpty()
          .allSatisfy(Expectations::acceptedWhole);
    }
    Expectations.journey(profiles());
  }
}
