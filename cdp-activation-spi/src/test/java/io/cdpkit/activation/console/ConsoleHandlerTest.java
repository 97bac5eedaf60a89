package io.cdpkit.activation.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The console's handler over HTTP: credentials, headers, routes, read-only, no data in URLs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHandlerTest {
  static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
      (ConsoleFixture.USER + ":" + ConsoleFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));
  static final String BEARER = "Bearer " + ConsoleFixture.TOKEN;

  ConsoleFixture fixture;
  Console.Server server;
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void start() {
    fixture = new ConsoleFixture();
    fixture.jobs();
    server = fixture.console().build().start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterAll
  void stop() {
    server.close();
    fixture.close();
  }

  HttpResponse<String> send(String method, String path, String auth, String body,
      Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    headers.forEach(b::header);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path, String auth) {
    return send("GET", path, auth, null, Map.of());
  }

  HttpResponse<String> search(String body) {
    return send("POST", "api/search", BASIC, body, Map.of("Content-Type", "application/json"));
  }

  JsonNode body(HttpResponse<String> r) throws IOException {
    return json.readTree(r.body());
  }

  static void secured(HttpResponse<String> r) {
    var h = r.headers();
    assertThat(h.firstValue("Content-Security-Policy")).as("CSP of %s", r.uri()).hasValueSatisfying(
        csp -> assertThat(csp).contains("default-src 'none'", "script-src 'self'",
            "style-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe"));
    assertThat(h.firstValue("X-Frame-Options")).contains("DENY");
    assertThat(h.firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(h.firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(h.firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  @DisplayName("without, with a wrong and with a forged credential: 401 with a Basic challenge;"
      + " Basic and bearer credentials are let in")
  void credentials() {
    String wrongPassword = "Basic " + Base64.getEncoder().encodeToString(
        (ConsoleFixture.USER + ":" + ConsoleFixture.PASSWORD + "x").getBytes(StandardCharsets.UTF_8));
    String prefixOnly = "Basic " + Base64.getEncoder().encodeToString(
        (ConsoleFixture.USER + ":" + ConsoleFixture.PASSWORD.substring(0, 5))
            .getBytes(StandardCharsets.UTF_8));
    for (String bad : new String[] {null, "", wrongPassword, prefixOnly, "Bearer ",
        "Bearer " + ConsoleFixture.TOKEN.toUpperCase(java.util.Locale.ROOT),
        BEARER + "0", BASIC.replace("Basic", "Bearer"), ConsoleFixture.TOKEN}) {
      for (String path : List.of("", "console.js", "api/workspaces",
          "api/w/default/profiles/" + fixture.jane.value(), "api/w/default/segments")) {
        HttpResponse<String> r = get(path, bad);
        assertThat(r.statusCode()).as("%s with %s", path, bad).isEqualTo(401);
        assertThat(r.body()).doesNotContain("Jane", ConsoleFixture.JANE_EMAIL, "<html");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
        secured(r);
      }
    }
    assertThat(get("api/workspaces", BASIC).statusCode()).isEqualTo(200);
    assertThat(get("api/workspaces", BEARER).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("the credential is compared as a fixed-length digest in constant time")
  void constantTime() throws IOException {
    Credentials c = new Credentials("u", "p-long-enough-1", null);
    assertThat(c.accepts("Basic " + Base64.getEncoder().encodeToString(
        "u:p-long-enough-1".getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(c.accepts("Basic " + Base64.getEncoder().encodeToString(
        "u:p-long-enough-2".getBytes(StandardCharsets.UTF_8)))).isFalse();
    assertThat(c.accepts(null)).isFalse();
    // The source compares with MessageDigest.isEqual and never with equals on the secret.
    String src = Files.readString(Path.of("src/main/java/io/cdpkit/activation/console/"
        + "Credentials.java"));
    assertThat(src).contains("MessageDigest.isEqual(basic, given)",
        "MessageDigest.isEqual(bearer, given)").doesNotContain(".equals(");
  }

  @Test
  @DisplayName("security headers on every answer: page, script, API, 400, 404, 405, 413, 415")
  void headersEverywhere() {
    List<HttpResponse<String>> all = List.of(get("", BASIC), get("console.js", BASIC),
        get("console.css", BASIC), get("api/workspaces", BASIC), get("nope", BASIC),
        get("api/w/other/segments", BASIC), get("api/w/default/profiles/no-such", BASIC),
        send("DELETE", "api/workspaces", BASIC, null, Map.of()), search("{"),
        search("x".repeat(5000)),
        send("POST", "api/search", BASIC, "{}", Map.of("Content-Type", "text/plain")));
    assertThat(all).extracting(HttpResponse::statusCode)
        .containsExactly(200, 200, 200, 200, 404, 404, 404, 405, 400, 413, 415);
    all.forEach(ConsoleHandlerTest::secured);
    assertThat(all.get(0).headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/html"));
    assertThat(all.get(3).headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
  }

  @Test
  @DisplayName("read-only: PUT, DELETE, PATCH and POST outside the search are refused with 405")
  void readOnly() {
    for (String method : List.of("PUT", "DELETE", "PATCH", "POST")) {
      for (String path : List.of("", "api/workspaces", "api/w/default/segments",
          "api/w/default/profiles/" + fixture.jane.value(), "api/w/default/health")) {
        HttpResponse<String> r = send(method, path, BASIC, "{}",
            Map.of("Content-Type", "application/json"));
        assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).isPresent();
      }
    }
    HttpResponse<String> getSearch = get("api/search?type=email&value=jane.doe%40example.com",
        BASIC);
    assertThat(getSearch.statusCode()).as("a search in a URL").isEqualTo(405);
  }

  @Test
  @DisplayName("search by e-mail in a POST body finds Jane's opaque id; bad searches name the"
      + " field; a cross-site search is refused")
  void searchByBody() throws IOException {
    JsonNode found = body(search("{\"workspace\":\"default\",\"type\":\"email\",\"value\":"
        + "\"  Jane.Doe@Example.com \"}"));
    assertThat(found.get("profiles")).hasSize(1);
    assertThat(found.get("profiles").get(0).get("id").asText()).isEqualTo(fixture.jane.value())
        .doesNotContain("jane", "example", "1001");
    JsonNode any = body(search("{\"workspace\":\"default\",\"type\":\"any\",\"value\":\"C-1001\"}"));
    assertThat(any.get("profiles").get(0).get("id").asText()).isEqualTo(fixture.jane.value());
    assertThat(body(search("{\"workspace\":\"default\",\"type\":\"email\",\"value\":"
        + "\"nobody@example.com\"}")).get("profiles")).isEmpty();
    HttpResponse<String> noValue = search("{\"workspace\":\"default\",\"type\":\"email\"}");
    assertThat(noValue.statusCode()).isEqualTo(400);
    assertThat(noValue.body()).contains("/value");
    HttpResponse<String> badType = search("{\"workspace\":\"default\",\"type\":\"E MAIL\","
        + "\"value\":\"x\"}");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(badType.body()).contains("/type");
    HttpResponse<String> otherWs = search("{\"workspace\":\"secret\",\"type\":\"email\","
        + "\"value\":\"jane.doe@example.com\"}");
    assertThat(otherWs.statusCode()).isEqualTo(404);
    HttpResponse<String> crossSite = send("POST", "api/search", BASIC,
        "{\"workspace\":\"default\",\"type\":\"email\",\"value\":\"jane.doe@example.com\"}",
        Map.of("Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).doesNotContain(fixture.jane.value());
    // A bad value names the rule, never echoes the value.
    HttpResponse<String> badPhone = search("{\"workspace\":\"default\",\"type\":\"phone\","
        + "\"value\":\"not-a-phone-secret\"}");
    assertThat(badPhone.body()).doesNotContain("not-a-phone-secret");
  }

  @Test
  @DisplayName("the 360 answer holds identifiers, traits, consents with evidence, orders and"
      + " refunds, segments with explain, deliveries and the merge ledger; a hostile trait is"
      + " JSON text")
  void profile360() throws IOException {
    HttpResponse<String> r = get("api/w/default/profiles/" + fixture.jane.value(), BASIC);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode p = body(r);
    assertThat(p.get("identifiers").toString()).contains(ConsoleFixture.JANE_EMAIL, "C-1001",
        "ck-7f3a");
    assertThat(p.get("traits").get("nickname").asText()).isEqualTo(ConsoleFixture.HOSTILE);
    // Markup characters are escaped in the JSON text itself, a second line of defence.
    assertThat(r.body()).doesNotContain("<", ">").contains("\\u003Cscript\\u003E");
    assertThat(p.get("consentHistory").toString()).contains("webshop-checkout", "doi-7f3a9c",
        "checkout-optin-v2", "2026-01");
    assertThat(p.get("consents").toString()).contains("granted", "denied");
    assertThat(p.get("addressConsents").toString()).contains("phone: " + ConsoleFixture.JANE_PHONE,
        "\"purpose\":\"service\"", "\"status\":\"granted\"");
    assertThat(p.get("timeline")).extracting(t -> t.get("kind").asText())
        .containsExactly("order", "order", "refund");
    assertThat(p.get("segments").toString()).contains("\"id\":\"gold\",\"member\":true",
        "[x]");
    assertThat(p.get("deliveries").toString()).contains("welcome-gold", "delivered");
    assertThat(p.get("ledger")).anySatisfy(l -> assertThat(l.get("kind").asText())
        .isEqualTo("merged"));
    // A merged-away id shows the survivor and says so.
    String other = p.get("ledger").get(0).get("other").asText();
    JsonNode merged = body(get("api/w/default/profiles/" + other, BASIC));
    assertThat(merged.get("id").asText()).isEqualTo(fixture.jane.value());
    assertThat(merged.get("mergedFrom").asText()).isEqualTo(other);
  }

  @Test
  @DisplayName("segments: sizes and a history of entries and exits per day")
  void segments() throws IOException {
    JsonNode list = body(get("api/w/default/segments", BASIC));
    assertThat(list.get("segments").toString()).contains("\"id\":\"gold\"", "\"id\":\"buyers\"");
    JsonNode h = body(get("api/w/default/segments/gold/history?from=2026-11-15&to=2026-12-06",
        BASIC));
    assertThat(h.get("days")).hasSize(22);
    long entries = 0;
    long exits = 0;
    for (JsonNode d : h.get("days")) {
      entries += d.get("entries").asLong();
      exits += d.get("exits").asLong();
    }
    long size = 0;
    for (JsonNode s : list.get("segments")) {
      if (s.get("id").asText().equals("gold")) {
        size = s.get("size").asLong();
      }
    }
    assertThat(entries - exits).as("entries minus exits is the size").isEqualTo(size);
    assertThat(exits).isPositive();
    assertThat(get("api/w/default/segments/gold/history?from=2026-13-01", BASIC).statusCode())
        .isEqualTo(400);
    assertThat(get("api/w/default/segments/gold/history?from=2020-01-01&to=2026-01-01", BASIC)
        .statusCode()).isEqualTo(400);
    assertThat(get("api/w/default/segments/gold/history?email=x", BASIC).statusCode())
        .isEqualTo(400);
    assertThat(get("api/w/default/segments/none/history", BASIC).statusCode()).isEqualTo(404);
    JsonNode health = body(get("api/w/default/health", BASIC));
    assertThat(health.has("pending")).isTrue();
  }

  @Test
  @DisplayName("the page and its script build no URL with a value: only ids, segment ids and"
      + " days; no inline script or style in the page")
  void noDataInUrls() throws IOException {
    String page = get("", BASIC).body();
    assertThat(page).doesNotContainPattern("<script>|<script [^>]*>[^<]").doesNotContain(
        "style=", " on");
    String js = get("console.js", BASIC).body();
    assertThat(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML",
        "document.write", "eval(");
    // Every URL the script builds is one of these shapes.
    Matcher m = Pattern.compile("(?:api \\+ |href: |location\\.hash = |getJson\\()'([^']*)'")
        .matcher(js);
    int n = 0;
    while (m.find()) {
      n++;
      assertThat(m.group(1)).matches("search|workspaces|jobs|w/|#/|#/profile/|#/segments/");
    }
    assertThat(n).isGreaterThan(4);
  }

  @Test
  @DisplayName("workspaces not given to the console are not shown")
  void otherWorkspace() {
    fixture.cdp.workspace(WorkspaceId.of("hidden")).profiles();
    assertThat(get("api/w/hidden/segments", BASIC).statusCode()).isEqualTo(404);
    assertThat(get("api/w/hidden/profiles/" + fixture.jane.value(), BASIC).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("the builder refuses a console without a credential or workspace, and weak or"
      + " clashing settings, naming the setting")
  void builder() {
    assertThatThrownBy(() -> Console.builder(fixture.cdp).workspace(WorkspaceId.DEFAULT).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("credential");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).bearerToken(ConsoleFixture.TOKEN)
        .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("workspace");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).basicAuth("ops", "short"))
        .hasMessageContaining("password");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).basicAuth("o:ps", "long-enough-pass"))
        .hasMessageContaining("user");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).bearerToken("has space in it"))
        .hasMessageContaining("bearerToken");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).pathPrefix("/console/"))
        .hasMessageContaining("pathPrefix");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).pathPrefix("/v1/console"))
        .hasMessageContaining("/v1");
    assertThatThrownBy(() -> Console.builder(fixture.cdp).workspace(WorkspaceId.DEFAULT)
        .workspace(WorkspaceId.DEFAULT)).hasMessageContaining("already");
  }

  @Test
  @DisplayName("jobs: the board's jobs, newest first, with phase, counts and state, behind the"
      + " credential; without a board there is no jobs page")
  void jobs() throws IOException {
    assertThat(get("api/jobs", null).statusCode()).isEqualTo(401);
    HttpResponse<String> r = get("api/jobs", BASIC);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode jobs = body(r).get("jobs");
    assertThat(jobs).hasSize(2);
    JsonNode running = jobs.get(0);
    assertThat(running.get("name").asText()).isEqualTo("duplicate detection");
    assertThat(running.get("phase").asText()).isEqualTo("compare");
    assertThat(running.get("done").asLong()).isEqualTo(120);
    assertThat(running.get("total").asLong()).isEqualTo(400);
    assertThat(running.has("finished")).isFalse();
    JsonNode done = jobs.get(1);
    assertThat(done.get("name").asText()).isEqualTo("evaluate gold");
    assertThat(done.get("phase").asText()).isEqualTo("evaluate");
    assertThat(done.get("done").asLong()).as("profiles the evaluation read")
        .isEqualTo(fixture.cdp.workspace(ConsoleFixture.SHOP).profiles().count());
    assertThat(done.has("total")).as("a total unknown is left out").isFalse();
    assertThat(done.has("finished")).isTrue();
    assertThat(body(get("api/workspaces", BASIC)).get("jobs").asBoolean()).isTrue();
    assertThat(send("POST", "api/jobs", BASIC, "{}", Map.of()).statusCode()).isEqualTo(405);

    try (Console.Server plain = Console.builder(fixture.cdp).basicAuth(ConsoleFixture.USER,
        ConsoleFixture.PASSWORD).workspace(ConsoleFixture.SHOP).build()
        .start(new InetSocketAddress("127.0.0.1", 0))) {
      HttpResponse<String> none = http.send(HttpRequest.newBuilder(plain.uri().resolve(
          "api/jobs")).header("Authorization", BASIC).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(404);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
