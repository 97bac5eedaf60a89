package io.cdpkit.core.internal;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for profiles and identity-graph components: a random 64-bit prefix drawn once per pipeline
 * from {@link SecureRandom}, and a counter, written as a UUID. Unique within a pipeline by
 * construction and across pipelines and nodes by the prefix, without a call to
 * {@code SecureRandom} per id (which {@link UUID#randomUUID()} makes, and which dominated the cost
 * of creating a profile). The ids carry no personal data.
 *
 * <p>Thread-safe.
 */
final class IdGenerator {
  private final long prefix;
  private final AtomicLong counter;

  IdGenerator() {
    SecureRandom r = new SecureRandom();
    this.prefix = r.nextLong();
    this.counter = new AtomicLong(r.nextLong() >>> 1);
  }

  String next() {
    return new UUID(prefix, counter.getAndIncrement()).toString();
  }
}
