package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
  @Test
  void theStoryPrintsSixProfilesOneMergeAndOneConflict(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Quickstart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir.resolve("data"));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("Before linking the card: 2 profiles for Jane");
    assertThat(out.split("\nProfile ", -1)).hasSize(7);
    assertThat(out).contains("identifiers : anonymous_id:ck-7f3a, customer_id:C-1001, "
        + "email:jane.devries@example.com, loyalty_card:2900001234567");
    assertThat(out).contains("orders      : 2, spend [149.80 EUR], average 74.90 EUR");
    assertThat(out).contains("identifiers : phone:+31612345671\n");
    assertThat(out).doesNotContain("loyalty_card:2900000000017");
    assertThat(out).containsPattern("MERGED .* by loyalty_card:2900001234567 in event web-9");
    assertThat(out).containsPattern("CONFLICT .* by email:family@devries.example in event crm-2 "
        + "\\(limit: customer_id max 1\\)");
    // Printed ids tell profiles apart: the merged-away id is not the survivor's.
    java.util.regex.Matcher merged =
        java.util.regex.Pattern.compile("MERGED +(\\S+) <- (\\S+) ").matcher(out);
    assertThat(merged.find()).isTrue();
    assertThat(merged.group(1)).isNotEqualTo(merged.group(2));
    java.util.regex.Matcher resolves = java.util.regex.Pattern.compile(
        "old profile id (\\S+) now resolves to (\\S+)\\.").matcher(out);
    assertThat(resolves.find()).isTrue();
    assertThat(resolves.group(1)).isNotEqualTo(resolves.group(2));
  }

  @Test
  void theReadmeSnippetIsTheCompiledEmbeddingExample() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String source = Files.readString(
        Path.of("src", "main", "java", "io", "cdpkit", "examples", "Embedding.java"));
    String snippet = source.substring(source.indexOf("// README snippet start\n")
        + "// README snippet start\n".length(), source.indexOf("    // README snippet end"));
    String dedented = snippet.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
        .reduce("", (a, b) -> a + b + "\n");
    assertThat(readme).contains(dedented);
  }
}
