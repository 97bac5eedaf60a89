package io.cdpkit.storage.jdbc.logs;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.testing.MutableClock;

/** The privacy operations of the log scenario. */
final class PrivacySteps {
  private PrivacySteps() {}

  static void run(Cdp cdp, MutableClock clock) {
  }
}
