package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HypergeometricTest {
  @ParameterizedTest(name = "2F1({0}, {1}; {2}; {3}) = {4}")
  @DisplayName("2F1 agrees with mpmath (30 digits) to 1e-12 relative, in every branch")
  @CsvSource({
      // plain series
      "1, 1, 2, 0.5, 1.3862943611198906",
      "0.5, 0.5, 1.5, 0.25, 1.0471975511965977",
      // c - a - b < 0: Euler's transformation
      "2.5, 3.7, 1.2, 0.9, 365410.12148282905",
      "26.243, 28.426, 28.219, 0.595, 23930814488.836045",
      "40, 45, 41, 0.97, 9.2573140548834399e+66",
      // negative parameter, argument near 1
      "-0.207, 1.426, 28.219, 0.8, 0.99139828457982496",
      "0.553, 1.606, 2.159, 0.99, 3.8124073763633152",
      // z < 0: Pfaff's transformation, also beyond -1
      "1.5, 2.0, 3.5, -0.7, 0.62021257205487109",
      "1.5, 2.0, 3.5, -25.0, 0.028146265769352533",
      // a terminating series (b a negative integer) and a negative non-integer c
      "3, -2, 1.5, 0.3, 0.088",
      "0.3, 0.4, -1.5, 0.6, 1.7155519944292318",
  })
  void knownValues(double a, double b, double c, double z, double expected) {
    assertThat(Hypergeometric.hyp2f1(a, b, c, z))
        .isCloseTo(expected, Percentage.withPercentage(1e-10));
    if (expected > 0) {
      assertThat(Hypergeometric.logHyp2f1(a, b, c, z))
          .isCloseTo(Math.log(expected), within(1e-11 * Math.max(1, Math.abs(Math.log(expected)))));
    }
  }

  @Property(tries = 300)
  @Label("closed forms: 2F1(1,1;2;z) = -ln(1-z)/z and 2F1(a,b;b;z) = (1-z)^-a")
  void closedForms(@ForAll @DoubleRange(min = -5, max = 0.99) double z,
      @ForAll @DoubleRange(min = 0.05, max = 30) double a,
      @ForAll @DoubleRange(min = 0.05, max = 30) double b) {
    if (Math.abs(z) > 1e-9) {
      assertThat(Hypergeometric.hyp2f1(1, 1, 2, z))
          .isCloseTo(-Math.log1p(-z) / z, Percentage.withPercentage(1e-10));
    }
    assertThat(Hypergeometric.hyp2f1(a, b, b, z))
        .isCloseTo(Math.pow(1 - z, -a), Percentage.withPercentage(1e-9));
  }

  @Test
  @DisplayName("z >= 1, non-finite arguments and c a non-positive integer are refused")
  void refused() {
    assertThatThrownBy(() -> Hypergeometric.hyp2f1(1, 1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("z");
    assertThatThrownBy(() -> Hypergeometric.hyp2f1(1, 1, -2, 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c");
    assertThatThrownBy(() -> Hypergeometric.hyp2f1(Double.NaN, 1, 2, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Hypergeometric.logHyp2f1(3, -2, 1.5, 0.9))
        .isInstanceOf(ArithmeticException.class);
  }
}
