package io.cdpkit.benchmarks;

import io.cdpkit.core.traits.Regex;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a {@code regex} condition costs per value with {@link Regex} (RE2/J, linear time) against
 * {@code java.util.regex} (backtracking), on patterns a marketer writes and the values they meet:
 * the price of matching without a pattern that can stall a thread.
 *
 * <ul>
 *   <li>{@code prefix}: {@code ^gold} on {@code gold-member};
 *   <li>{@code domain}: {@code (?i)@(gmail|yahoo|outlook)\.com$} on an e-mail address that does
 *       not match;
 *   <li>{@code coupon}: {@code ^[A-Z]{4}[0-9]{2}$} on {@code SUMR26};
 *   <li>{@code words}: {@code ^(\w+\s?)+$} on a coupon text of 40 letters and a {@code !}, the
 *       pattern that backtracks exponentially (java.util.regex is left out there: it does not
 *       return within the run).
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar RegexBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class RegexBenchmark {
  @Param({"prefix", "domain", "coupon", "words"})
  public String kind;

  private Regex re2;
  private Pattern jdk;
  private String text;

  @Setup
  public void setUp() {
    String pattern = switch (kind) {
      case "prefix" -> "^gold";
      case "domain" -> "(?i)@(gmail|yahoo|outlook)\\.com$";
      case "coupon" -> "^[A-Z]{4}[0-9]{2}$";
      case "words" -> "^(\\w+\\s?)+$";
      default -> throw new IllegalArgumentException(kind);
    };
    text = switch (kind) {
      case "prefix" -> "gold-member";
      case "domain" -> "jane.doe.1987@example-shop.nl";
      case "coupon" -> "SUMR26";
      default -> "a".repeat(40) + "!";
    };
    re2 = Regex.compile(pattern);
    jdk = Pattern.compile(pattern);
  }

  @Benchmark
  public boolean re2j() {
    return re2.find(text);
  }

  @Benchmark
  public boolean javaUtilRegex() {
    if (kind.equals("words")) {
      return false; // exponential: 2^40 steps
    }
    return jdk.matcher(text).find();
  }
}
