package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.cdpkit.core.testing.SharedData;
import java.nio.file.Path;
import java.time.LocalDate;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PurchaseModelsTest {
  /** The shared data's cdnow folder (skips the test without it, except under CI). */
  private static Path cdnow() {
    return SharedData.dataDir("cdnow");
  }

  @Test
  @DisplayName("on the CDNOW sample, loaded as orders, the three fits match the published ones "
      + "within 1% (log-likelihoods within 0.5)")
  void sample() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PurchaseModels.Outcome o = PurchaseModels.run(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        cdnow().resolve("CDNOW_sample.txt"), LocalDate.of(1997, 9, 30));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    String n = "-?\\d+\\.\\d{4}";
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).matches("BG/NBD r=" + n + " alpha=" + n + " a=" + n + " b=" + n
        + " ll=" + n);
    assertThat(lines[1]).matches("Pareto/NBD r=" + n + " alpha=" + n + " s=" + n + " beta=" + n
        + " ll=" + n);
    assertThat(lines[2]).matches("Gamma-Gamma p=" + n + " q=" + n + " v=" + n);

    assertThat(o.customers()).isEqualTo(2357);
    Percentage onePercent = Percentage.withPercentage(1);
    assertThat(o.bgNbd().r()).isCloseTo(0.243, onePercent);
    assertThat(o.bgNbd().alpha()).isCloseTo(4.414, onePercent);
    assertThat(o.bgNbd().a()).isCloseTo(0.793, onePercent);
    assertThat(o.bgNbd().b()).isCloseTo(2.426, onePercent);
    assertThat(o.bgNbd().fit().logLikelihood()).isCloseTo(-9582.4, within(0.5));
    assertThat(o.paretoNbd().r()).isCloseTo(0.553, onePercent);
    assertThat(o.paretoNbd().alpha()).isCloseTo(10.58, onePercent);
    assertThat(o.paretoNbd().s()).isCloseTo(0.606, onePercent);
    assertThat(o.paretoNbd().beta()).isCloseTo(11.66, onePercent);
    assertThat(o.paretoNbd().fit().logLikelihood()).isCloseTo(-9595.0, within(0.5));
    assertThat(o.gammaGamma().fit().customers()).isEqualTo(946);
    assertThat(o.gammaGamma().p()).isCloseTo(6.25, onePercent);
    assertThat(o.gammaGamma().q()).isCloseTo(3.74, onePercent);
    assertThat(o.gammaGamma().v()).isCloseTo(15.44, onePercent);
  }

  @Test
  @DisplayName("the reader takes both formats and names a line of neither shape")
  void reader() throws IOException {
    Path file = Files.createTempFile("cdnow", ".txt");
    try {
      Files.writeString(file, " customer_id  date number_of_cds  dollar_value\n"
          + " 00002 19970112  1   12.00\n 00002 19970112  5   77.00\n");
      assertThat(PurchaseModels.read(file)).containsExactly(
          new PurchaseModels.Transaction("00002", LocalDate.of(1997, 1, 12),
              new BigDecimal("12.00")),
          new PurchaseModels.Transaction("00002", LocalDate.of(1997, 1, 12),
              new BigDecimal("77.00")));
      Files.writeString(file, " 00004 0001 19970101  2   29.33\n");
      assertThat(PurchaseModels.read(file)).containsExactly(new PurchaseModels.Transaction(
          "00004", LocalDate.of(1997, 1, 1), new BigDecimal("29.33")));
      Files.writeString(file, " 00004 0001 19970101  2   29.33\n 00004 19970101\n");
      assertThatThrownBy(() -> PurchaseModels.read(file))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 2:");
      Files.writeString(file, " 00004 0001 1997-01-01  2   29.33\n");
      assertThatThrownBy(() -> PurchaseModels.read(file))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 1:");
    } finally {
      Files.delete(file);
    }
  }
}
