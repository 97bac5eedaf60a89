package io.cdpkit.examples;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.time.Instant;

/** The embedding snippet of the README, kept here so that it compiles and runs. Stateless. */
public final class Embedding {
  private Embedding() {}

  public static void main(String[] args) {
    // README snippet start
    try (Cdp cdp = Cdp.builder().build()) {                       // in-memory store by default
      cdp.ingest(Event.identify().messageId("m-1").userId("C-1001").anonymousId("ck-7f3a")
          .trait("email", "Jane.Doe@Example.com").timestamp(Instant.now()).build());
      cdp.ingest(Event.track("Order Completed").messageId("m-2").userId("C-1001")
          .property("order_id", "W-5001").property("total", new BigDecimal("89.90"))
          .property("currency", "EUR").channel("web").build());
      Profile jane = cdp.profiles().find(Identifier.email("jane.doe@example.com")).orElseThrow();
      System.out.println(jane.orderCount() + " order(s), " + jane.totalSpend());
    }
    // README snippet end
  }
}
