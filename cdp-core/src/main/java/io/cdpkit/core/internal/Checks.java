package io.cdpkit.core.internal;

/** Argument checks shared by the value types. Stateless and thread-safe. */
public final class Checks {
  private Checks() {}

  /**
   * Checks that {@code value} is 1 to {@code max} characters from {@code [A-Za-z0-9_.-]}.
   *
   * @throws IllegalArgumentException naming {@code what} when it is not
   */
  public static String token(String value, int max, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    int n = value.length();
    if (n == 0 || n > max) {
      throw new IllegalArgumentException(what + " must be 1 to " + max + " characters");
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 128 || !TOKEN[c]) {
        throw new IllegalArgumentException(what + " may hold only [A-Za-z0-9_.-]");
      }
    }
    return value;
  }

  /** The ASCII characters of a token: {@code [A-Za-z0-9_.-]}; one load per character. */
  private static final boolean[] TOKEN = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      TOKEN[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-';
    }
  }
}
