package io.cdpkit.core.testing;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the project's shared reference data ({@code ../shared/data} next to the project root).
 * Missing data skips the calling test, except under {@code CI=true}, where it fails it.
 */
public final class SharedData {
  private SharedData() {}

  /**
   * The folder {@code data/<relative>} of the shared directory, taken from the system property
   * {@code cdpkit.shared} or found as {@code ../shared} from the project root or
   * {@code ../../shared} from a module.
   */
  public static Path dataDir(String relative) {
    List<Path> roots = new ArrayList<>();
    String property = System.getProperty("cdpkit.shared");
    if (property != null && !property.isBlank()) {
      roots.add(Path.of(property));
    }
    roots.add(Path.of("..", "shared"));
    roots.add(Path.of("..", "..", "shared"));
    for (Path root : roots) {
      Path dir = root.resolve("data").resolve(relative);
      if (Files.isDirectory(dir)) {
        return dir.toAbsolutePath().normalize();
      }
    }
    String message = "shared data folder data/" + relative + " not found under any of "
        + roots.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()
        + "; set -Dcdpkit.shared=/path/to/shared";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }
}
