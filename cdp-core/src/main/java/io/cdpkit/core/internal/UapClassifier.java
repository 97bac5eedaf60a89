package io.cdpkit.core.internal;

import ua_parser.Client;
import ua_parser.Parser;

/**
 * The families ua-parser's uap-java gives a user agent. Loaded only when {@code ua_parser.Parser}
 * is on the class path ({@link UserAgents}).
 *
 * <p>Thread-safe: uap-java's {@link Parser} holds compiled patterns only.
 */
final class UapClassifier {
  private final Parser parser = new Parser();

  /** {@code [browser, os, device]} families; {@code Other} when unknown. */
  String[] families(String ua) {
    Client c = parser.parse(ua);
    return new String[] {c.userAgent.family, c.os.family, c.device.family};
  }
}
