package io.cdpkit.segmentation.internal;

import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.ProfileRecord;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a segment's conditions read of a profile, so that a change to a profile re-evaluates only
 * the segments that read what changed. Built once per definition, then read-only.
 *
 * <p>Not thread-safe while built; immutable in use.
 */
final class Deps {
  final Set<String> traits = new HashSet<>();
  final Set<ConsentKey> consents = new HashSet<>();
  final Set<String> computed = new HashSet<>();
  final Set<IdentifierType> identifierTypes = new HashSet<>();
  boolean orders;
  boolean seen;
  boolean channels;
  boolean stores;
  /** Reads something whose changes are not tracked key by key (a derived trait). */
  boolean anything;
  private String[] traitArray = new String[0];
  private ConsentKey[] consentArray = new ConsentKey[0];
  private String[] computedArray = new String[0];
  private IdentifierType[] typeArray = new IdentifierType[0];

  /** Makes the sets fast to walk; call after the last change, before use. */
  void freeze() {
    traitArray = traits.toArray(new String[0]);
    consentArray = consents.toArray(new ConsentKey[0]);
    computedArray = computed.toArray(new String[0]);
    typeArray = identifierTypes.toArray(new IdentifierType[0]);
  }

  void addAll(Deps o) {
    traits.addAll(o.traits);
    consents.addAll(o.consents);
    computed.addAll(o.computed);
    identifierTypes.addAll(o.identifierTypes);
    orders |= o.orders;
    seen |= o.seen;
    channels |= o.channels;
    stores |= o.stores;
    anything |= o.anything;
  }

  /** Whether what these dependencies read differs between two records of a profile. */
  boolean affectedBy(@Nullable ProfileRecord before, ProfileRecord after) {
    if (before == null || anything) {
      return true;
    }
    ProfileState a = before.state();
    ProfileState b = after.state();
    if (a == b) {
      return typeArray.length > 0
          && !before.identifierCounts().equals(after.identifierCounts());
    }
    for (String t : traitArray) {
      if (!Objects.equals(a.traits().get(t), b.traits().get(t))) {
        return true;
      }
    }
    for (ConsentKey k : consentArray) {
      if (!Objects.equals(a.consents().get(k), b.consents().get(k))) {
        return true;
      }
    }
    for (String c : computedArray) {
      if (!Objects.equals(a.computed().get(c), b.computed().get(c))) {
        return true;
      }
    }
    for (IdentifierType t : typeArray) {
      if (!Objects.equals(before.identifierCounts().get(t), after.identifierCounts().get(t))) {
        return true;
      }
    }
    return (orders && !a.orders().equals(b.orders()))
        || (seen && (!Objects.equals(a.firstSeen(), b.firstSeen())
            || !Objects.equals(a.lastSeen(), b.lastSeen())))
        || (channels && !a.channels().equals(b.channels()))
        || (stores && !a.stores().equals(b.stores()));
  }
}
