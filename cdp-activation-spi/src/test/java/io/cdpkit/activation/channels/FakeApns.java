package io.cdpkit.activation.channels;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A stand-in for APNs: Jetty speaking HTTP/2 only, over TLS with ALPN, on 127.0.0.1, with a
 * self-signed certificate made by the JDK's keytool. It checks each request's provider token
 * (ES256 signature against the team's public key, {@code kid}, {@code iss}) and answers 403
 * {@code InvalidProviderToken} when it fails; otherwise 200 for registered tokens and 410
 * {@code Unregistered} for others, unless scripted answers are queued. Thread-safe.
 */
final class FakeApns implements AutoCloseable {
  static final String TEAM = "TEAM123456";
  static final String KEY_ID = "KEY1234567";
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received, with whether its JWT verified. */
  record Received(String protocol, String path, Map<String, String> headers, byte[] body,
      boolean jwtVerified, long iat) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One scripted answer. */
  record Answer(int status, Map<String, String> headers, String body) {}

  private static KeyStore serverKeys;
  private static final char[] PASSWORD = "changeit".toCharArray();

  private final KeyPair teamKey;
  private final Server server;
  private final ServerConnector connector;
  final Set<String> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  // guarded by itself
  private final Deque<Answer> scripted = new ArrayDeque<>();

  FakeApns() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    this.teamKey = g.generateKeyPair();
    server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.addCustomizer(new SecureRequestCustomizer(false));
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2");
    alpn.setDefaultProtocol("h2");
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(serverKeys());
    ssl.setKeyStorePassword(new String(PASSWORD));
    SslConnectionFactory tls = new SslConnectionFactory(ssl, alpn.getProtocol());
    connector = new ServerConnector(server, 1, 1, tls, alpn, h2);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
          body = in.readAllBytes();
        }
        Map<String, String> headers = new HashMap<>();
        request.getHeaders().forEach(f -> headers.put(f.getLowerCaseName(), f.getValue()));
        long[] iat = {-1};
        boolean ok = verify(headers.get("authorization"), iat);
        received.add(new Received(request.getConnectionMetaData().getProtocol(),
            Request.getPathInContext(request), headers, body, ok, iat[0]));
        Answer a;
        synchronized (scripted) {
          a = scripted.poll();
        }
        if (a == null) {
          String path = Request.getPathInContext(request);
          String token = path.substring(path.lastIndexOf('/') + 1);
          if (!ok) {
            a = new Answer(403, Map.of(), "{\"reason\":\"InvalidProviderToken\"}");
          } else if (registered.contains(token)) {
            a = new Answer(200, Map.of("apns-id", headers.getOrDefault("apns-id", "none")),
                "");
          } else {
            a = new Answer(410, Map.of(), "{\"reason\":\"Unregistered\",\"timestamp\":"
                + "1772360100000}");
          }
        }
        response.setStatus(a.status());
        a.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        if (a.body().isEmpty()) {
          callback.succeeded();
        } else {
          response.getHeaders().put("content-type", "application/json");
          response.write(true, ByteBuffer.wrap(a.body().getBytes(StandardCharsets.UTF_8)),
              callback);
        }
        return true;
      }
    });
    server.start();
  }

  /** One self-signed certificate for localhost and 127.0.0.1, made once per test JVM. */
  private static synchronized KeyStore serverKeys() throws Exception {
    if (serverKeys == null) {
      Path dir = Files.createTempDirectory("fake-apns");
      Path p12 = dir.resolve("server.p12");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
          .toString(), "-genkeypair", "-alias", "apns", "-keyalg", "EC", "-groupname",
          "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
          "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
          "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(p12)) {
        ks.load(in, PASSWORD);
      }
      serverKeys = ks;
    }
    return serverKeys;
  }

  /** A client TLS context that trusts this server's certificate only. */
  static SSLContext clientTls() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("apns", serverKeys().getCertificate("apns"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The team's .p8 key as PEM text. */
  String privateKeyPem() {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(teamKey.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
  }

  PublicKey publicKey() {
    return teamKey.getPublic();
  }

  String url() {
    return "https://localhost:" + connector.getLocalPort();
  }

  FakeApns then(Answer... answers) {
    synchronized (scripted) {
      scripted.addAll(List.of(answers));
    }
    return this;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Checks {@code bearer <JWT>}: ES256 over header.claims with the team's public key. */
  private boolean verify(String authorization, long[] iat) {
    if (authorization == null || !authorization.startsWith("bearer ")) {
      return false;
    }
    String[] parts = authorization.substring(7).split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    try {
      Base64.Decoder d = Base64.getUrlDecoder();
      JsonNode header = JSON.readTree(d.decode(parts[0]));
      JsonNode claims = JSON.readTree(d.decode(parts[1]));
      iat[0] = claims.path("iat").asLong(-1);
      if (!"ES256".equals(header.path("alg").asText()) || !KEY_ID.equals(header.path("kid")
          .asText()) || !TEAM.equals(claims.path("iss").asText())) {
        return false;
      }
      byte[] jose = d.decode(parts[2]);
      if (jose.length != 64) {
        return false;
      }
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(teamKey.getPublic());
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return s.verify(joseToDer(jose));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** r||s back to DER, written independently of the code under test. */
  static byte[] joseToDer(byte[] jose) {
    int half = jose.length / 2;
    byte[] r = new BigInteger(1, Arrays.copyOfRange(jose, 0, half)).toByteArray();
    byte[] s = new BigInteger(1, Arrays.copyOfRange(jose, half, jose.length)).toByteArray();
    int len = 2 + r.length + 2 + s.length;
    ByteBuffer b = ByteBuffer.allocate(2 + len + (len > 127 ? 1 : 0));
    b.put((byte) 0x30);
    if (len > 127) {
      b.put((byte) 0x81);
    }
    b.put((byte) len).put((byte) 0x02).put((byte) r.length).put(r).put((byte) 0x02)
        .put((byte) s.length).put(s);
    return b.array();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
