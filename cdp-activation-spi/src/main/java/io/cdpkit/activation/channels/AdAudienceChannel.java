package io.cdpkit.activation.channels;

import io.cdpkit.activation.channels.AudienceHashing.Platform;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The channel of {@link AdAudienceChannelProvider}. Thread-safe. */
final class AdAudienceChannel implements Channel {
  static final String HEADER = "action,email_sha256,phone_sha256\n";
  private static final Pattern AUDIENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final byte[] HEADER_BYTES = HEADER.getBytes(StandardCharsets.US_ASCII);

  private final String name;
  private final Platform platform;
  private final Path directory;
  private final boolean sync;
  /** Guards every append, so lines of concurrent deliveries never interleave. */
  private final Object lock = new Object();

  AdAudienceChannel(ChannelContext context) {
    this.name = context.channelName();
    String platformId = context.required("platform").strip();
    try {
      this.platform = Platform.of(platformId);
    } catch (IllegalArgumentException e) {
      throw Configs.invalid(context, "platform", "must be one of google_ads, meta_capi,"
          + " snap_capi", e);
    }
    this.directory = directory(context, "directory");
    this.sync = Configs.bool(context, "sync", false);
  }

  static Path directory(ChannelContext context, String key) {
    Path dir;
    try {
      dir = Path.of(context.required(key).strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw Configs.invalid(context, key, "is not a valid path", e);
    }
    if (!Files.isDirectory(dir)) {
      throw Configs.invalid(context, key, "must be an existing directory");
    }
    if (!Files.isWritable(dir)) {
      throw Configs.invalid(context, key, "must be a writable directory");
    }
    return dir;
  }

  @Override
  public List<IdentifierType> addresses() {
    return List.of(IdentifierType.EMAIL, IdentifierType.PHONE);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    Object actionValue = message.payload().get("action");
    String action;
    if (actionValue == null) {
      action = "add";
    } else if ("add".equals(actionValue) || "remove".equals(actionValue)) {
      action = (String) actionValue;
    } else {
      return DeliveryResult.permanent("payload key 'action' must be add or remove");
    }
    Object audienceValue = message.payload().get("audience");
    String audience;
    if (audienceValue == null) {
      audience = message.rule();
      if (!AUDIENCE.matcher(audience).matches()) {
        return DeliveryResult.permanent("rule name cannot be an audience file name; set"
            + " payload key 'audience' to 1 to 128 of [A-Za-z0-9_.-]");
      }
    } else if (audienceValue instanceof String
        && AUDIENCE.matcher((String) audienceValue).matches()) {
      audience = (String) audienceValue;
    } else {
      return DeliveryResult.permanent("payload key 'audience' must be 1 to 128 of"
          + " [A-Za-z0-9_.-], starting with a letter or digit");
    }
    Path file = directory.resolve(audience + ".csv").normalize();
    if (!directory.equals(file.getParent())) {
      return DeliveryResult.permanent("payload key 'audience' leaves the directory");
    }
    String email = hashed(message, IdentifierType.EMAIL, platform.emailField());
    String phone = hashed(message, IdentifierType.PHONE, platform.phoneField());
    if (email.isEmpty() && phone.isEmpty()) {
      return DeliveryResult.permanent(
          "no email or phone recipient that " + platform.id() + " accepts");
    }
    byte[] line = (action + "," + email + "," + phone + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      synchronized (lock) {
        AppendFile.append(file, HEADER_BYTES, line, sync);
      }
    } catch (IOException e) {
      return DeliveryResult.retryable(
          "cannot append to audience file (" + e.getClass().getSimpleName() + ")");
    }
    return DeliveryResult.delivered();
  }

  /** The hash of the first recipient of a type, or empty when there is none or it is invalid. */
  private String hashed(Message message, IdentifierType type, String field) {
    Optional<Identifier> id = message.recipient(type);
    if (id.isEmpty()) {
      return "";
    }
    try {
      return AudienceHashing.hash(platform, field, id.get().value());
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "AdAudienceChannel[" + name + ", " + platform.id() + "]";
  }
}
