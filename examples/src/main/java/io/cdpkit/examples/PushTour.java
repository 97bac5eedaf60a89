package io.cdpkit.examples;

import com.sun.net.httpserver.HttpServer;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.channels.FcmPushChannelProvider;
import io.cdpkit.activation.channels.PushTokens;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Push notifications through the built-in FCM channel, with consent per device: Ana allows
 * pushes on her phone and refuses them on her tablet, so only the phone gets the "back in
 * stock" push. A stand-in for FCM runs in the JVM on a free port and prints what it receives;
 * in production the channel's {@code base-url} is left out and the access token comes from a
 * service account (see {@link FcmPushChannelProvider}).
 *
 * <pre>
 * mvn -q -pl examples -am package exec:java -DskipTests -Dexample=PushTour
 * </pre>
 */
public final class PushTour {
  private PushTour() {}

  public static void main(String[] args) throws IOException {
    run(System.out);
  }

  public static void run(PrintStream out) throws IOException {
    HttpServer fcm = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fcm.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      out.println("FCM got " + exchange.getRequestURI().getPath() + " " + body);
      byte[] answer = "{\"name\":\"projects/shop-app/messages/1\"}".getBytes(
          StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    fcm.start();
    Activation activation = Activation.builder()
        .channel("push", new FcmPushChannelProvider(() -> "ya29.demo-token"), Map.of(
            "project", "shop-app",
            "base-url", "http://127.0.0.1:" + fcm.getAddress().getPort()))
        .rule(Rule.builder("back-in-stock").trigger(Trigger.event("Back In Stock"))
            .channel("push").purpose("marketing")
            .template(Template.parse("{\"title\": \"Back in stock\","
                + " \"body\": \"{{event.properties.product}} is back, {{trait.firstName}}\"}"))
            .build())
        .build();
    String phone = "cX1:APA91bPhone_Token-Of-Ana";
    String tablet = "dY2:APA91bTablet_Token-Of-Ana";
    try (Cdp cdp = Cdp.builder().extension(activation).build()) {
      // Each app sends its token with the answer to its own "allow notifications?" prompt.
      cdp.ingest(Event.identify().messageId("e1").userId("C-1001").trait("firstName", "Ana")
          .identifier(PushTokens.fcm(phone)).consent("marketing", "push", true).build());
      cdp.ingest(Event.identify().messageId("e2").userId("C-1001")
          .identifier(PushTokens.fcm(tablet)).consent("marketing", "push", false).build());
      ProfileId ana = cdp.ingest(Event.track("Back In Stock").messageId("e3").userId("C-1001")
          .property("product", "Linen scarf").build()).profile().orElseThrow();
      activation.drain();
      for (Delivery d : activation.deliveries(ana)) {
        out.println("Ana: " + d.outcome() + " via " + d.channel());
      }
      out.println("Ana's profile holds " + cdp.profiles().get(ana).orElseThrow()
          .identifiers(IdentifierType.DEVICE_ID).size() + " push tokens; the tablet's"
          + " refusal kept it out of the recipients");
    } finally {
      fcm.stop(0);
    }
  }
}
