package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

@Label("CSV quoting laws")
class CsvQuotingProperties {
  @Provide
  Arbitrary<List<String>> rows() {
    Arbitrary<String> cell = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20),
        Arbitraries.strings().withChars("a,\"\r\n ;").ofMaxLength(10));
    return cell.list().ofMinSize(1).ofMaxSize(6);
  }

  @Property
  @Label("an RFC 4180 reader reads back every row the channel writes")
  void roundTrip(@ForAll("rows") List<String> row) {
    List<String> quoted = new ArrayList<>();
    for (String cell : row) {
      quoted.add(FileExportChannel.quote(cell));
    }
    assertThat(Rfc4180.parse(String.join(",", quoted) + "\r\n")).containsExactly(row);
  }
}
