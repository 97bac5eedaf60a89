package io.cdpkit.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.Activation;
import io.cdpkit.activation.FrequencyCap;
import io.cdpkit.activation.Recheck;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.examples.SegmentsTour.StoryClock;
import io.cdpkit.examples.sms.SmsGatewayProvider;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Activation through a channel plugin of the host's own: {@link SmsGatewayProvider}, an SMS
 * gateway over HTTP, found on the classpath through {@code META-INF/services}.
 *
 * <ol>
 *   <li>a fake SMS gateway starts in this JVM ({@link FakeSmsGateway}), so the tour runs
 *       offline; it throttles its first request, to show the engine retrying;
 *   <li>the engine discovers providers and registers an {@code sms} channel on
 *       {@code sms-gateway}, two rules (a welcome SMS when someone joins the loyalty club; a
 *       cart reminder an hour after a checkout, only if no order came) and a cap of two SMS a
 *       week per person;
 *   <li>four shoppers join the club: two with SMS consent and a phone number, one who gave
 *       consent for e-mail only, one with SMS consent but no phone number;
 *   <li>three leave a checkout; one of them orders twenty minutes later; an hour on, the
 *       reminders go out, or not; a second abandoned cart meets the cap;
 *   <li>what the gateway received, and what the engine recorded for each shopper and why.
 * </ol>
 *
 * Phone numbers are printed masked. Run it with {@code mvn -q -pl examples -am package
 * exec:java -DskipTests -Dexample=ActivationTour}. Stateless: each {@link #run} builds its own
 * {@link Cdp} on the in-memory store.
 */
public final class ActivationTour {
  /** The key the fake gateway takes; a real one comes from the host's secrets, not code. */
  static final String API_KEY = "tour-only-key-7f3a";

  static final Rule WELCOME = Rule.builder("welcome")
      .trigger(Trigger.segmentEntered("club"))
      .channel("sms").purpose("marketing")
      .template(Template.parse("""
          {"text": "Welcome to the club, {{trait.firstName|there}}! \
          Show your card at the till for 10% off."}"""))
      .build();

  static final Rule CART_REMINDER = Rule.builder("cart-reminder")
      .trigger(Trigger.event("Checkout Started"))
      .delay(Duration.ofHours(1))
      .recheck(Recheck.noEventSince("Order Completed"))
      .channel("sms").purpose("marketing")
      .template(Template.parse("""
          {"text": "{{trait.firstName|Hi}}, your cart is still waiting: \
          https://shop.example/cart/{{event.properties.cart_id}}"}"""))
      .build();

  private static final ObjectMapper JSON = new ObjectMapper();

  private ActivationTour() {}

  public static void main(String[] args) throws IOException {
    try (FakeSmsGateway gateway = FakeSmsGateway.start(API_KEY, 1)) {
      run(System.out, gateway);
    }
  }

  /** Runs the story against a gateway, printing to {@code out}. */
  static void run(PrintStream out, FakeSmsGateway gateway) {
    StoryClock clock = new StoryClock(Instant.parse("2026-03-02T09:00:00Z"));
    Segmentation segmentation = Segmentation.builder().build();
    Activation activation = Activation.builder()
        .discoverProviders()
        .channel("sms", SmsGatewayProvider.ID, Map.of(
            "url", gateway.url(),
            "api-key", API_KEY,
            "timeout", "PT5S"))
        .rule(WELCOME)
        .rule(CART_REMINDER)
        .cap(new FrequencyCap("sms", 2, Duration.ofDays(7)))
        .build();
    try (Cdp cdp = Cdp.builder().clock(clock).extension(segmentation).extension(activation)
        .build()) {
      segmentation.segments().save(SegmentDefinition.builder("club").name("Loyalty club")
          .where(Conditions.hasIdentifier("loyalty_card")).build());
      out.println("Channel providers found: " + activation.providers().keySet());
      out.println("The SMS gateway (a fake in this JVM) listens on " + gateway.url());
      Story story = new Story(out, cdp, activation, gateway, clock);

      story.step("Ana joins the club, with SMS consent");
      Map<String, ProfileId> shoppers = new LinkedHashMap<>();
      shoppers.put("Ana", story.join("C-3001", "Ana", "+31 6 1234 5601", "sms"));
      story.send();

      clock.advance(Duration.ofMinutes(2));
      story.step("Ben joins the club, with SMS consent");
      shoppers.put("Ben", story.join("C-3002", "Ben", "+31 6 1234 5602", "sms"));
      story.send();

      clock.advance(Duration.ofMinutes(2));
      story.step("Cleo joins the club; she agreed to marketing by e-mail, not by SMS");
      shoppers.put("Cleo", story.join("C-3003", "Cleo", "+31 6 1234 5603", "email"));
      story.send();

      clock.advance(Duration.ofMinutes(2));
      story.step("Dev joins the club, with SMS consent but without a phone number");
      shoppers.put("Dev", story.join("C-3004", "Dev", null, "sms"));
      story.send();

      clock.advance(Duration.ofMinutes(54));
      story.step("Ana, Ben and Cleo each start a checkout and leave");
      story.checkout("C-3001", "A-1");
      story.checkout("C-3002", "B-1");
      story.checkout("C-3003", "C-1");
      story.send();

      clock.advance(Duration.ofMinutes(20));
      story.step("Ben comes back and orders");
      cdp.ingest(Event.track("Order Completed").messageId("o-C-3002").userId("C-3002")
          .property("order_id", "W-77").property("total", new BigDecimal("54.90"))
          .property("currency", "EUR").channel(Channels.WEB).timestamp(clock.instant())
          .build());
      story.send();

      clock.advance(Duration.ofMinutes(45));
      story.step("An hour after the checkouts, the reminders are due");
      story.send();

      clock.advance(Duration.ofMinutes(55));
      story.step("Ana leaves a second cart");
      story.checkout("C-3001", "A-2");
      clock.advance(Duration.ofHours(1));
      story.step("An hour later");
      story.send();

      out.println();
      out.println("What the engine recorded (activation.deliveries):");
      shoppers.forEach((name, id) -> {
        String who = name;
        for (Delivery d : activation.deliveries(id)) {
          out.printf("  %-5s %s  %-14s %-11s %s%n", who, time(d.at()), d.rule(), d.outcome(),
              why(d));
          who = "";
        }
      });
    }
  }

  /** The story's steps, and what the gateway got after each. Not thread-safe. */
  private static final class Story {
    private final PrintStream out;
    private final Cdp cdp;
    private final Activation activation;
    private final FakeSmsGateway gateway;
    private final StoryClock clock;
    private int seen;
    private int messages;

    Story(PrintStream out, Cdp cdp, Activation activation, FakeSmsGateway gateway,
        StoryClock clock) {
      this.out = out;
      this.cdp = cdp;
      this.activation = activation;
      this.gateway = gateway;
      this.clock = clock;
    }

    void step(String what) {
      out.println();
      out.println(time(clock.instant()) + "  " + what);
    }

    /** An identify with a loyalty card (which puts them in the club) and one consent. */
    ProfileId join(String customer, String firstName, @Nullable String phone,
        String consentChannel) {
      Event.Builder e = Event.identify().messageId("m-" + messages++).userId(customer)
          .identifier(IdentifierType.LOYALTY_CARD, "CLUB-" + customer)
          .trait("firstName", firstName)
          .trait("email", firstName.toLowerCase(Locale.ROOT) + "@example.com")
          .consent("marketing", consentChannel, true)
          .timestamp(clock.instant());
      if (phone != null) {
        e.trait("phone", phone);
      }
      return cdp.ingest(e.build()).profileId();
    }

    void checkout(String customer, String cart) {
      cdp.ingest(Event.track("Checkout Started").messageId("m-" + messages++).userId(customer)
          .property("cart_id", cart).channel(Channels.WEB).timestamp(clock.instant()).build());
    }

    /** Lets the engine send what is due, then prints what reached the gateway. */
    void send() {
      activation.drain();
      List<FakeSmsGateway.Request> requests = gateway.requests();
      if (requests.size() == seen) {
        out.println("  (the gateway got nothing)");
      }
      for (FakeSmsGateway.Request r : requests.subList(seen, requests.size())) {
        out.printf("  gateway <- %s \"%s\"  -> %d%s%n", mask(r.to()), r.text(), r.status(),
            r.status() == 200 ? " " + r.id() : r.status() == 429 ? " Retry-After: 60" : "");
      }
      seen = requests.size();
    }
  }

  /** A phone number with all but its first three and last two characters hidden. */
  static String mask(String phone) {
    if (phone.length() <= 5) {
      return "*".repeat(phone.length());
    }
    return phone.substring(0, 3) + "*".repeat(phone.length() - 5)
        + phone.substring(phone.length() - 2);
  }

  private static String time(Instant at) {
    return LocalTime.ofInstant(at, ZoneOffset.UTC).toString();
  }

  /** The reason of a history line, or the gateway's reference of a delivered one. */
  private static String why(Delivery d) {
    if (d.reason() != null) {
      return d.reason();
    }
    try {
      JsonNode detail = JSON.readTree(d.detail());
      return detail.has("reference") ? "gateway id " + detail.get("reference").asText() : "";
    } catch (IOException e) {
      return "";
    }
  }
}
