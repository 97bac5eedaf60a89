package io.cdpkit.storage.jdbc.logs;

import static io.cdpkit.storage.jdbc.logs.LogScenario.attempt;
import static io.cdpkit.storage.jdbc.logs.PiiValues.BAD_EMAIL;
import static io.cdpkit.storage.jdbc.logs.PiiValues.CARD;
import static io.cdpkit.storage.jdbc.logs.PiiValues.CUSTOMER;
import static io.cdpkit.storage.jdbc.logs.PiiValues.EMAIL;
import static io.cdpkit.storage.jdbc.logs.PiiValues.IBAN;
import static io.cdpkit.storage.jdbc.logs.PiiValues.LAST_NAME;
import static io.cdpkit.storage.jdbc.logs.PiiValues.STREET;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.RetentionPolicy;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The privacy operations of the log scenario: consent with its evidence, restriction and its
 * lifting, rectification, export, consent history, a retention purge, erasure, and a late event
 * of the erased shopper; with bad input to each. Nothing they return is printed.
 */
final class PrivacySteps {
  private PrivacySteps() {}

  static void run(Cdp cdp, MutableClock clock) {
    Identifier customer = Identifier.customerId(CUSTOMER);
    Instant t = clock.instant();
    cdp.ingest(Event.track("Newsletter Confirmed").messageId("m-p1").userId(CUSTOMER)
        .consent(ConsentChange.builder("marketing", "sms", true).basis(LawfulBasis.CONSENT)
            .source("webshop-footer").policyVersion("2026-04")
            .proof(new ConsentProof("form-7", "doi-" + CARD, t)).expiresAt(t.plus(
                Duration.ofDays(365))).build())
        .timestamp(t).build());
    attempt(() -> cdp.ingest(Event.track("Newsletter Confirmed").messageId("bad-p1")
        .userId(CUSTOMER).consent(ConsentChange.builder("marketing", "sms", true)
            .source("webshop " + STREET).build()).build()));

    cdp.profiles().restrict(customer, "accuracy-contested");
    attempt(() -> cdp.profiles().restrict(customer, "asked by " + EMAIL));
    attempt(() -> cdp.profiles().restrict(Identifier.email(BAD_EMAIL), "objection"));
    clock.advance(Duration.ofMinutes(1));
    cdp.profiles().liftRestriction(customer, "accuracy-verified");
    cdp.profiles().rectify(customer, Map.of("lastName", LAST_NAME + "-Smit"), "art16-request");
    attempt(() -> cdp.profiles().rectify(customer, Map.of("iban", IBAN), "per " + IBAN));

    ProfileId id = cdp.profiles().find(customer).orElseThrow().id();
    int history = cdp.profiles().consentHistory(id).size();
    cdp.profiles().consentAt(id, "marketing", "sms", t.plusSeconds(1));
    int exported = cdp.privacy().export(customer).orElseThrow().length();
    attempt(() -> cdp.privacy().export(Identifier.email(BAD_EMAIL)));

    clock.advance(Duration.ofDays(400));
    cdp.privacy().purge(RetentionPolicy.builder().type(io.cdpkit.core.model.EventType.PAGE,
        Duration.ofDays(30)).build(), (profiles, events) -> { });

    cdp.privacy().erase(Identifier.email(EMAIL));
    attempt(() -> cdp.privacy().erase(Identifier.email(BAD_EMAIL)));
    // A late event of hers, stamped before the erasure: dropped.
    cdp.ingest(Event.track("Order Completed").messageId("m-late").userId(CUSTOMER)
        .identifier(Identifier.email(EMAIL)).property("ship_to", STREET)
        .timestamp(t).build());
    int audited = cdp.privacy().audit(0, 1000).size();
    System.err.println("privacy steps: " + history + " consent decisions, export of " + exported
        + " characters, " + audited + " audit lines");
  }
}
