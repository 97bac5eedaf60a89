package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.core.model.IdentifierType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads and checks configuration values. Errors name the channel, the key and the reason, and
 * never echo the value (it may be a secret or a URL with a token in it). Stateless.
 */
final class Configs {
  private Configs() {}

  static IllegalArgumentException invalid(ChannelContext context, String key, String why) {
    return new IllegalArgumentException(
        "channel " + context.channelName() + ": config key '" + key + "' " + why);
  }

  static IllegalArgumentException invalid(ChannelContext context, String key, String why,
      Throwable cause) {
    IllegalArgumentException e = invalid(context, key, why);
    e.initCause(cause);
    return e;
  }

  /** An optional value, blank counting as absent. */
  static Optional<String> optional(ChannelContext context, String key) {
    return context.config(key).filter(v -> !v.isBlank());
  }

  static int integer(ChannelContext context, String key, int defaultValue, int min, int max) {
    Optional<String> v = optional(context, key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.get().strip());
      if (n < min || n > max) {
        throw invalid(context, key, "must be from " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(context, key, "must be a whole number from " + min + " to " + max, e);
    }
  }

  /**
   * A comma-separated list of identifier type ids ({@code email,phone}), most preferred first;
   * empty when the key is absent.
   */
  static List<IdentifierType> identifierTypes(ChannelContext context, String key) {
    Optional<String> v = optional(context, key);
    if (v.isEmpty()) {
      return List.of();
    }
    List<IdentifierType> types = new ArrayList<>();
    for (String raw : v.get().split(",", -1)) {
      IdentifierType t;
      try {
        t = IdentifierType.of(raw.strip());
      } catch (IllegalArgumentException e) {
        throw invalid(context, key, "must list identifier types such as email,phone", e);
      }
      if (types.contains(t)) {
        throw invalid(context, key, "names " + t + " twice");
      }
      types.add(t);
    }
    return List.copyOf(types);
  }

  static boolean bool(ChannelContext context, String key, boolean defaultValue) {
    Optional<String> v = optional(context, key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    switch (v.get().strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw invalid(context, key, "must be true or false");
    }
  }
}
