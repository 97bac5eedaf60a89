package io.cdpkit.segmentation;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a profile is in or out of a segment: the definition's condition tree, each node with
 * whether it held and, for leaves, the values seen. Values are the profile's own data: show them
 * to the people allowed to see the profile, do not log them.
 *
 * <p>Immutable.
 *
 * @param pointer the node's JSON pointer in the canonical definition ({@code /condition/...})
 * @param condition the node, written out ({@code totalSpend EUR >= 1000})
 * @param held whether it held
 * @param seen what was compared, for leaves ({@code 1234.50}); {@code null} for and/or/not
 * @param children the nodes under an and, or, not
 */
public record Explanation(String pointer, String condition, boolean held, @Nullable String seen,
    List<Explanation> children) {
  public Explanation {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(condition, "condition");
    children = List.copyOf(children);
  }

  /** The tree as indented lines: {@code [x] pointer condition (seen: ...)}. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    render(sb, 0);
    return sb.toString();
  }

  private void render(StringBuilder sb, int depth) {
    sb.append("  ".repeat(depth)).append(held ? "[x] " : "[ ] ").append(condition);
    if (seen != null) {
      sb.append("  (seen: ").append(seen).append(')');
    }
    sb.append("  ").append(pointer).append('\n');
    for (Explanation c : children) {
      c.render(sb, depth + 1);
    }
  }
}
