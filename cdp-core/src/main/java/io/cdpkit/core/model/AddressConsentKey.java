package io.cdpkit.core.model;

import java.util.Objects;

/**
 * A purpose on a channel for one contact point: the unit an address-level consent register is
 * kept for. A consent decision carried by an event that names an address of the channel's kind
 * (see {@link ConsentAddresses}) is bound to that address: the e-mail a person gave with her
 * newsletter grant, the phone number she gave with her SMS opt-out.
 *
 * <p>{@link #toString()} shows the address as {@link Identifier#toString()} does (type and a
 * keyed hash), never its value.
 *
 * <p>Immutable.
 *
 * @param purpose the purpose, for example {@code marketing}
 * @param channel the consent channel, for example {@code email}
 * @param address the normalised address the decision was given for
 */
public record AddressConsentKey(String purpose, String channel, Identifier address)
    implements Comparable<AddressConsentKey> {
  public AddressConsentKey {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(address, "address");
  }

  /** This address's register for a profile-level key. */
  public static AddressConsentKey of(ConsentKey key, Identifier address) {
    return new AddressConsentKey(key.purpose(), key.channel(), address);
  }

  /** The (purpose, channel) pair, without the address. */
  public ConsentKey key() {
    return new ConsentKey(purpose, channel);
  }

  @Override
  public int compareTo(AddressConsentKey o) {
    int c = purpose.compareTo(o.purpose);
    if (c == 0) {
      c = channel.compareTo(o.channel);
    }
    if (c == 0) {
      c = address.type().id().compareTo(o.address.type().id());
    }
    return c != 0 ? c : address.value().compareTo(o.address.value());
  }

  @Override
  public String toString() {
    return purpose + "/" + channel + "@" + address;
  }
}
