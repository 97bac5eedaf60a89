package io.cdpkit.storage.jdbc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class as one of the slow suites (SIGKILL crash loops, several JVMs on one
 * database): {@code mvn verify} leaves them out, and
 * {@code mvn -B -pl cdp-storage-jdbc -am test -Pslow-suites} runs them alone (the parent POM's
 * {@code slow-suites} profile selects the JUnit tag {@value #TAG}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(SlowSuite.TAG)
public @interface SlowSuite {
  /** The JUnit tag the build selects on. */
  String TAG = "slow";
}
