package io.cdpkit.core.model;

import io.cdpkit.core.internal.JsonValues;
import io.cdpkit.core.internal.Text;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where and how an event happened: the touchpoint and the client that sent it.
 *
 * <p>Immutable. Maps are deep, unmodifiable copies (see {@link Event} for the value types).
 *
 * @param channel the retail channel, lower-case: {@code web}, {@code app}, {@code pos},
 *     {@code email}, {@code sms}, {@code call-center}, or any other the host uses ({@link Channels})
 * @param storeId the physical store, for POS receipts and in-store events
 * @param source the system that sent the event ({@code webshop}, {@code pos}, {@code crm}); it
 *     breaks ties between trait values written at the same instant (see
 *     {@link io.cdpkit.core.Cdp.Builder#sourcePriority(String, int)})
 * @param locale the person's locale as sent, for example {@code nl-NL}
 * @param ip the client's IP address as sent
 * @param userAgent the client's user agent as sent
 * @param libraryName the tracking library's name ({@code context.library.name})
 * @param libraryVersion the tracking library's version
 * @param device {@code context.device} as sent
 * @param campaign {@code context.campaign} as sent
 * @param traits {@code context.traits} as sent
 * @param other every other {@code context} field, kept as sent
 */
public record EventContext(
    @Nullable String channel,
    @Nullable String storeId,
    @Nullable String source,
    @Nullable String locale,
    @Nullable String ip,
    @Nullable String userAgent,
    @Nullable String libraryName,
    @Nullable String libraryVersion,
    Map<String, @Nullable Object> device,
    Map<String, @Nullable Object> campaign,
    Map<String, @Nullable Object> traits,
    Map<String, @Nullable Object> other) {

  /** A context that says nothing. */
  public static final EventContext EMPTY = builder().build();

  /**
   * Checks the text rule (see {@link Event}) and the nesting depth, and copies the maps.
   *
   * @throws io.cdpkit.core.InvalidEventException naming the field, as a pointer into the message
   *     ({@code /context/device/...})
   */
  public EventContext {
    Text.name(channel, "/context/channel");
    Text.name(storeId, "/context/storeId");
    Text.name(source, "/context/source");
    Text.name(locale, "/context/locale");
    Text.name(ip, "/context/ip");
    Text.name(userAgent, "/context/userAgent");
    Text.name(libraryName, "/context/library/name");
    Text.name(libraryVersion, "/context/library/version");
    device = JsonValues.copyMap(device, "/context/device", 3);
    campaign = JsonValues.copyMap(campaign, "/context/campaign", 3);
    traits = JsonValues.copyMap(traits, "/context/traits", 3);
    other = JsonValues.copyMap(other, "/context", 2);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this context's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.channel = channel;
    b.storeId = storeId;
    b.source = source;
    b.locale = locale;
    b.ip = ip;
    b.userAgent = userAgent;
    b.libraryName = libraryName;
    b.libraryVersion = libraryVersion;
    b.device = device;
    b.campaign = campaign;
    b.traits = traits;
    b.other = other;
    return b;
  }

  /** Builds an {@link EventContext}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String channel;
    private @Nullable String storeId;
    private @Nullable String source;
    private @Nullable String locale;
    private @Nullable String ip;
    private @Nullable String userAgent;
    private @Nullable String libraryName;
    private @Nullable String libraryVersion;
    private Map<String, @Nullable Object> device = Map.of();
    private Map<String, @Nullable Object> campaign = Map.of();
    private Map<String, @Nullable Object> traits = Map.of();
    private Map<String, @Nullable Object> other = Map.of();

    private Builder() {}

    public Builder channel(@Nullable String channel) {
      this.channel = channel;
      return this;
    }

    public Builder storeId(@Nullable String storeId) {
      this.storeId = storeId;
      return this;
    }

    public Builder source(@Nullable String source) {
      this.source = source;
      return this;
    }

    public Builder locale(@Nullable String locale) {
      this.locale = locale;
      return this;
    }

    public Builder ip(@Nullable String ip) {
      this.ip = ip;
      return this;
    }

    public Builder userAgent(@Nullable String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public Builder library(@Nullable String name, @Nullable String version) {
      this.libraryName = name;
      this.libraryVersion = version;
      return this;
    }

    public Builder device(Map<String, ?> device) {
      this.device = JsonValues.snapshot(device); // checked and copied deeply by build()
      return this;
    }

    public Builder campaign(Map<String, ?> campaign) {
      this.campaign = JsonValues.snapshot(campaign); // checked and copied deeply by build()
      return this;
    }

    public Builder traits(Map<String, ?> traits) {
      this.traits = JsonValues.snapshot(traits); // checked and copied deeply by build()
      return this;
    }

    public Builder other(Map<String, ?> other) {
      this.other = JsonValues.snapshot(other); // checked and copied deeply by build()
      return this;
    }

    public EventContext build() {
      return new EventContext(channel, storeId, source, locale, ip, userAgent, libraryName,
          libraryVersion, device, campaign, traits, other);
    }
  }
}
