package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine runs without Micrometer on the class path: a class loader over this module's test
 * class path minus every Micrometer jar builds a {@code Cdp}, ingests and merges, and the
 * counting that the metrics binder would read still works.
 */
class WithoutMicrometerTest {

  /** Runs inside the class loader without Micrometer. */
  public static final class Probe implements Supplier<String> {
    @Override
    public String get() {
      try {
        Class.forName("io.micrometer.core.instrument.MeterRegistry");
        return "micrometer is visible";
      } catch (ClassNotFoundException expected) {
        // as it should be
      }
      try (Cdp cdp = Cdp.builder().build()) {
        cdp.ingest(Event.identify().messageId("a").anonymousId("cookie-1").build());
        cdp.ingest(Event.identify().messageId("b").userId("C-1").build());
        BatchResult r = cdp.ingest(List.of(
            Event.identify().messageId("c").userId("C-1").anonymousId("cookie-1").build(),
            Event.identify().messageId("c").userId("C-1").build()));
        return r.stored() + "/" + r.duplicates() + "/"
            + cdp.pipeline().stats().ingested.count("default", "stored");
      }
    }
  }

  @Test
  @DisplayName("without Micrometer on the class path, a Cdp ingests, merges and counts")
  void runsWithoutMicrometer() throws Exception {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    int dropped = 0;
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains(File.separator + "micrometer")) {
        dropped++;
        continue;
      }
      urls.add(new File(entry).toURI().toURL());
    }
    assertThat(dropped).as("micrometer jars found on the test class path").isPositive();
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      @SuppressWarnings("unchecked")
      Supplier<String> probe = (Supplier<String>) loader.loadClass(Probe.class.getName())
          .getDeclaredConstructor().newInstance();
      assertThat(probe.get()).isEqualTo("1/1/3");
    }
  }
}
