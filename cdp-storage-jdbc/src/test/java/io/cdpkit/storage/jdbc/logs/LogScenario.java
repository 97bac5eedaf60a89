package io.cdpkit.storage.jdbc.logs;

import static io.cdpkit.storage.jdbc.logs.PiiValues.BAD_EMAIL;
import static io.cdpkit.storage.jdbc.logs.PiiValues.BAD_PHONE;
import static io.cdpkit.storage.jdbc.logs.PiiValues.CARD;
import static io.cdpkit.storage.jdbc.logs.PiiValues.COOKIE;
import static io.cdpkit.storage.jdbc.logs.PiiValues.CUSTOMER;
import static io.cdpkit.storage.jdbc.logs.PiiValues.EMAIL;
import static io.cdpkit.storage.jdbc.logs.PiiValues.FIRST_NAME;
import static io.cdpkit.storage.jdbc.logs.PiiValues.IBAN;
import static io.cdpkit.storage.jdbc.logs.PiiValues.LAST_NAME;
import static io.cdpkit.storage.jdbc.logs.PiiValues.PHONE;
import static io.cdpkit.storage.jdbc.logs.PiiValues.STREET;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.RetryPolicy;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM's main: one shopper's whole life through every module on an H2 file database,
 * with every logger at TRACE, including bad input that carries her data and channels that fail.
 * Every exception the public API throws at it is printed whole (message, causes, stack) to
 * stderr, so {@link NoPiiInLogsTest} scans exception texts together with the log.
 *
 * <p>Prints {@code DONE} on stdout at the end.
 */
public final class LogScenario {
  private static final Instant START = Instant.parse("2026-05-04T09:00:00Z");

  private LogScenario() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    MutableClock clock = new MutableClock(START);
    Segmentation segmentation = Segmentation.builder().build();
    AtomicInteger calls = new AtomicInteger();
    Activation activation = Activation.builder()
        .channel("mail", new FlakyMail(calls), Map.of())
        .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("club")).channel("mail")
            .purpose("marketing")
            .template(Template.parse("{\"subject\":\"Hello {{trait.firstName|there}}\"}"))
            .build())
        .retry(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .build();
    try (JdbcStore store = JdbcStore.h2File(dir);
        Cdp cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
            .extension(activation).build()) {
      segmentation.segments().save(SegmentDefinition.builder("club").name("Club")
          .where(Conditions.hasIdentifier("loyalty_card")).build());

      // She browses anonymously, then signs in: a merge.
      cdp.ingest(Event.page("Home").messageId("m-1").anonymousId(COOKIE)
          .property("referrer_email", EMAIL).timestamp(START).build());
      cdp.ingest(Event.identify().messageId("m-2").userId(CUSTOMER).anonymousId(COOKIE)
          .identifier(Identifier.email(EMAIL)).identifier(Identifier.phone(PHONE))
          .trait("firstName", FIRST_NAME).trait("lastName", LAST_NAME)
          .trait("address", Map.of("street", STREET, "city", "Amsterdam"))
          .trait("iban", IBAN)
          .consent("marketing", "email", true)
          .timestamp(START.plusSeconds(60)).build());
      cdp.ingest(Event.track("Order Completed").messageId("m-3").userId(CUSTOMER)
          .property("order_id", "W-1").property("total", new BigDecimal("81.50"))
          .property("currency", "EUR").property("ship_to", STREET)
          .timestamp(START.plusSeconds(120)).build());
      // She joins the loyalty club: a segment entry, and an activation.
      cdp.ingest(Event.identify().messageId("m-4").userId(CUSTOMER)
          .identifier(Identifier.loyaltyCard(CARD)).timestamp(START.plusSeconds(180)).build());

      // Bad input carrying her data, through every entry point.
      attempt(() -> cdp.ingest(Event.identify().messageId("bad-1").userId(CUSTOMER)
          .identifier(Identifier.email(BAD_EMAIL)).build()));
      attempt(() -> cdp.ingest(Event.identify().messageId("bad-2").userId(CUSTOMER)
          .identifier(Identifier.phone(BAD_PHONE)).build()));
      attempt(() -> Identifier.email(BAD_EMAIL));
      attempt(() -> cdp.profiles().find(Identifier.phone(BAD_PHONE)));
      attempt(() -> cdp.ingestJson(("[{\"type\":\"identify\",\"messageId\":\"bad-3\","
          + "\"userId\":\"" + CUSTOMER + "\",\"traits\":{\"email\":\"" + BAD_EMAIL + "\"},"
          + "\"identifiers\":[{\"type\":\"email\",\"value\":\"" + BAD_EMAIL + "\"}],"
          + "\"timestamp\":\"" + IBAN + "\"}]").getBytes(StandardCharsets.UTF_8)));
      attempt(() -> cdp.ingestJson(("{\"type\":\"track\",\"event\":\"Order Completed\","
          + "\"userId\":\"" + CUSTOMER + "\",\"properties\":{\"total\":\"" + IBAN + "\"}"
          + ",\"timestamp\":\"" + STREET + "\"}").getBytes(StandardCharsets.UTF_8)));
      attempt(() -> cdp.ingestJson(("{\"type\":\"identify\",\"userId\":\"" + CUSTOMER
          + "\",\"traits\":{\"firstName\":\"" + FIRST_NAME + "\"").getBytes(
          StandardCharsets.UTF_8)));
      attempt(() -> cdp.profiles().unmerge(Identifier.email(EMAIL), Identifier.email(EMAIL)));
      attempt(() -> cdp.profiles().unmerge(Identifier.email(EMAIL),
          Identifier.of(IdentifierType.of("membership_no"), IBAN)));

      // The channel fails, then throws, then delivers.
      for (int i = 0; i < 4; i++) {
        activation.dispatch();
        clock.advance(Duration.ofSeconds(5));
      }

      // An unmerge splits the cookie off again.
      cdp.profiles().unmerge(Identifier.anonymousId(COOKIE), Identifier.customerId(CUSTOMER));

      PrivacySteps.run(cdp, clock);

      ProfileId id = cdp.profiles().find(Identifier.customerId(CUSTOMER))
          .map(p -> p.id()).orElse(null);
      System.err.println("scenario finished; profile present: " + (id != null)
          + "; channel calls: " + calls.get());
    }
    System.out.println("DONE");
  }

  /** Runs a call expected to fail, printing what it threw, whole. */
  static void attempt(ThrowingRunnable call) {
    try {
      call.run();
      System.err.println("(no exception)");
    } catch (Exception e) {
      StringWriter w = new StringWriter();
      e.printStackTrace(new PrintWriter(w));
      System.err.println("EXCEPTION " + w);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Fails with a retryable error, then throws, then delivers. */
  private static final class FlakyMail implements ChannelProvider {
    private final AtomicInteger calls;

    FlakyMail(AtomicInteger calls) {
      this.calls = calls;
    }

    @Override
    public String id() {
      return "flaky-mail";
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
          int n = calls.incrementAndGet();
          if (n == 1) {
            return DeliveryResult.retryable("451 greylisted");
          }
          if (n == 2) {
            throw new IllegalStateException("connection reset");
          }
          return DeliveryResult.delivered("ref-" + n);
        }
      };
    }
  }
}
