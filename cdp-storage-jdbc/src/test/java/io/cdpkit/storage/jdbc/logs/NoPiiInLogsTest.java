package io.cdpkit.storage.jdbc.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs and exception messages carry no personal data: {@link LogScenario} runs one shopper's
 * whole life, bad input and failing channels included, in a child JVM with every logger at
 * TRACE; everything it writes (the log, and every exception the API threw, printed whole) is
 * scanned for every form of her data.
 */
class NoPiiInLogsTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("a full scenario at TRACE writes none of the shopper's data to the log or into"
      + " an exception")
  void noPiiInLogsOrExceptions() throws Exception {
    Path out = dir.resolve("output.txt");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
        "-Dorg.slf4j.simpleLogger.logFile=System.err",
        "-cp", System.getProperty("java.class.path"), LogScenario.class.getName(),
        dir.resolve("db").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("scenario finished in 180 s").isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code; output:%n%s", text).isZero();
    assertThat(text).contains("DONE");

    // The capture works: the scenario logs, and the exceptions reached the output.
    assertThat(text).contains("CDPKit schema migrated");
    assertThat(count(text, "EXCEPTION ")).as("exceptions printed").isGreaterThanOrEqualTo(7);
    assertThat(text).contains("DEBUG").as("TRACE/DEBUG lines are captured");

    for (String needle : PiiValues.NEEDLES) {
      assertThat(lineWith(text, needle)).as("a line carrying personal data (%s...)",
          needle.substring(0, 2)).isNull();
    }
  }

  @Test
  @DisplayName("the scan finds each value when it is there (the scan itself can fail)")
  void scanFindsPlantedValues() {
    for (String needle : PiiValues.NEEDLES) {
      String text = "INFO something\nDEBUG value was " + needle + " here\n";
      assertThat(lineWith(text, needle)).isNotNull();
    }
  }

  private static String lineWith(String text, String needle) {
    for (String line : text.split("\n")) {
      if (line.contains(needle)) {
        return line;
      }
    }
    return null;
  }

  private static int count(String text, String s) {
    int n = 0;
    for (int i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) {
      n++;
    }
    return n;
  }

}
