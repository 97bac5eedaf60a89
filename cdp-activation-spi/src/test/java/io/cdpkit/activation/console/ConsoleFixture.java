package io.cdpkit.activation.console;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A shop with one customer worth a 360 page (Jane: an anonymous visit merged into her account,
 * consents with evidence, two orders and a refund, a welcome message delivered, a trait that
 * tries to inject markup) and twenty others who enter and leave the {@code gold} segment over
 * three weeks, for the chart. Not thread-safe; close it.
 */
final class ConsoleFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-11-15T09:00:00Z");
  static final String JANE_EMAIL = "jane.doe@example.com";
  static final String JANE_PHONE = "+31612345678";
  /** A trait value that would run script if it were put into the page as markup. */
  static final String HOSTILE = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
  static final String USER = "ops";
  static final String PASSWORD = "correct horse battery";
  static final String TOKEN = "t0k3n-for-scripts-0123456789";
  static final WorkspaceId SHOP = WorkspaceId.DEFAULT;

  final MutableClock clock = new MutableClock(START);
  final Segmentation segmentation = Segmentation.builder().segmentHistory(true).build();
  final Activation activation = Activation.builder()
      .channel("mail", new AcceptAll(), Map.of())
      .rule(Rule.builder("welcome-gold").trigger(Trigger.segmentEntered("gold")).channel("mail")
          .purpose("marketing").template(Template.parse("{\"subject\": \"Welcome to gold\"}"))
          .build())
      .build();
  final Cdp cdp = Cdp.builder().clock(clock).extension(segmentation).extension(activation)
      .build();
  private int n;
  ProfileId jane;

  ConsoleFixture() {
    segmentation.segments().save(SegmentDefinition.builder("gold")
        .where(Conditions.trait("tier").eq("gold")).build());
    segmentation.segments().save(SegmentDefinition.builder("buyers")
        .where(Conditions.profile(ProfileField.ORDER_COUNT).gte(1)).build());
    // Others enter and leave gold over three weeks.
    for (int day = 0; day < 21; day++) {
      clock.set(START.plus(Duration.ofDays(day)));
      for (int i = 0; i <= day % 4; i++) {
        identify("c-" + day + "-" + i, Map.of("tier", "gold"));
      }
      if (day >= 3 && day % 3 == 0) {
        identify("c-" + (day - 3) + "-0", Map.of("tier", "silver"));
      }
    }
    clock.set(START.plus(Duration.ofDays(18)));
    // Jane: first an anonymous visitor, then her account, then one event joins the two.
    ingest(Event.page("Home").messageId(id()).anonymousId("ck-7f3a").timestamp(clock.instant())
        .build());
    clock.advance(Duration.ofHours(1));
    ingest(Event.identify().messageId(id()).userId("C-1001")
        .identifier(Identifier.email(JANE_EMAIL)).identifier(Identifier.phone(JANE_PHONE))
        .trait("firstName", "Jane").trait("tier", "gold").trait("nickname", HOSTILE)
        .timestamp(clock.instant()).build());
    ingest(Event.track("Signed In").messageId(id()).userId("C-1001").anonymousId("ck-7f3a")
        .timestamp(clock.instant()).build());
    ingest(Event.track("Consent Changed").messageId(id()).userId("C-1001")
        .consent(ConsentChange.builder("marketing", "email", true).source("webshop-checkout")
            .policyVersion("2026-01")
            .proof(new ConsentProof("checkout-optin-v2", "doi-7f3a9c", clock.instant()))
            .expiresAt(START.plus(Duration.ofDays(700))).build())
        .consent(new ConsentChange("marketing", "sms", false))
        .timestamp(clock.instant()).build());
    // A grant given for her phone number itself (bound to that address).
    ingest(Event.track("Consent Changed").messageId(id()).userId("C-1001")
        .identifier(Identifier.phone(JANE_PHONE))
        .consent(ConsentChange.builder("service", "sms", true).source("pos-terminal").build())
        .timestamp(clock.instant()).build());
    clock.advance(Duration.ofDays(1));
    ingest(Event.track("Order Completed").messageId(id()).userId("C-1001")
        .property("order_id", "W-5001").property("total", new BigDecimal("89.90"))
        .property("currency", "EUR").channel("web").timestamp(clock.instant()).build());
    clock.advance(Duration.ofDays(1));
    ingest(Event.track("Order Completed").messageId(id()).userId("C-1001")
        .property("order_id", "P-7002").property("total", new BigDecimal("45.00"))
        .property("currency", "EUR").channel("pos").property("store_id", "S-12")
        .timestamp(clock.instant()).build());
    clock.advance(Duration.ofHours(3));
    ingest(Event.track("Order Refunded").messageId(id()).userId("C-1001")
        .property("order_id", "P-7002").property("total", new BigDecimal("15.00"))
        .property("currency", "EUR").timestamp(clock.instant()).build());
    jane = cdp.profiles().find(Identifier.email(JANE_EMAIL)).orElseThrow().id();
    clock.set(START.plus(Duration.ofDays(21)));
    activation.drain();
  }

  /** Two jobs: a batch evaluation of gold that finished, a detection still running. */
  final io.cdpkit.core.ProgressBoard board = new io.cdpkit.core.ProgressBoard(clock);

  Console.Builder console() {
    return Console.builder(cdp).basicAuth(USER, PASSWORD).bearerToken(TOKEN).workspace(SHOP)
        .segmentation(segmentation).activation(activation).clock(clock).progress(board);
  }

  /** Runs a real batch evaluation on the board, and leaves a second job running. */
  void jobs() {
    try (io.cdpkit.core.ProgressBoard.Job job = board.start("evaluate gold")) {
      segmentation.segments(SHOP).evaluate(java.util.List.of("gold"), job);
    }
    board.start("duplicate detection").progress("compare", 120, 400);
  }

  private void identify(String customer, Map<String, Object> traits) {
    Event.Builder b = Event.identify().messageId(id()).userId(customer)
        .identifier(Identifier.email(customer + "@example.com")).timestamp(clock.instant());
    traits.forEach(b::trait);
    ingest(b.build());
  }

  private void ingest(Event e) {
    cdp.ingest(e).profile().orElseThrow();
  }

  private String id() {
    return "m-" + n++;
  }

  @Override
  public void close() {
    activation.close();
    cdp.close();
  }

  /** A mail channel that accepts every message. */
  static final class AcceptAll implements ChannelProvider {
    @Override
    public String id() {
      return "accept-all";
    }

    @Override
    public int spiMajorVersion() {
      return SPI_MAJOR_VERSION;
    }

    @Override
    public String consentChannel() {
      return "email";
    }

    @Override
    public Channel create(ChannelContext context) {
      return new Channel() {
        @Override
        public List<IdentifierType> addresses() {
          return List.of(IdentifierType.EMAIL);
        }

        @Override
        public DeliveryResult deliver(Message message) {
          return DeliveryResult.delivered();
        }

        @Override
        public void close() {}
      };
    }
  }
}
