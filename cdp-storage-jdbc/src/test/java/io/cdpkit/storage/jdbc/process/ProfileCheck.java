package io.cdpkit.storage.jdbc.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks of what a store holds after other processes wrote it. */
final class ProfileCheck {
  private ProfileCheck() {}

  /**
   * The messageIds of every event the store's profiles hold, reached from these identifiers,
   * after checking that the identity graph is whole: each profile found by an identifier lists
   * it, every identifier a profile lists finds that same profile, and no event is in two
   * profiles or twice in one.
   */
  static Set<String> storedMessageIds(Cdp store, Collection<Identifier> universe) {
    Map<ProfileId, Profile> profiles = new LinkedHashMap<>();
    for (Identifier id : universe) {
      Optional<Profile> p = store.profiles().find(id);
      if (p.isEmpty()) {
        continue;
      }
      assertThat(p.get().identifiers()).as("profile found by %s lists it", id).contains(id);
      profiles.putIfAbsent(p.get().id(), p.get());
    }
    Map<String, ProfileId> owner = new HashMap<>();
    for (Profile p : profiles.values()) {
      for (Identifier id : p.identifiers()) {
        assertThat(store.profiles().find(id)).as("profile of %s", id)
            .hasValueSatisfying(q -> assertThat(q.id()).isEqualTo(p.id()));
      }
      for (Event e : store.profiles().events(p.id())) {
        ProfileId before = owner.putIfAbsent(e.messageId(), p.id());
        assertThat(before).as("event %s is held once, by one profile", e.messageId()).isNull();
      }
    }
    long counted = store.profiles().eventCounts().values().stream()
        .mapToLong(Long::longValue).sum();
    assertThat(owner).as("events reachable from profiles vs. events counted").hasSize((int) counted);
    return new HashSet<>(owner.keySet());
  }

  /**
   * The store's profiles equal those of a fresh in-memory instance that ingested
   * {@code events}, compared by identifier: same identifiers, same state.
   */
  static void sameAsInMemory(Cdp store, List<Event> events, Collection<Identifier> universe) {
    try (Cdp reference = Cdp.builder().build()) {
      for (Event e : events) {
        reference.ingest(e);
      }
      List<String> differences = new ArrayList<>();
      for (Identifier id : universe) {
        Optional<Profile> want = reference.profiles().find(id);
        Optional<Profile> got = store.profiles().find(id);
        if (want.isPresent() != got.isPresent()) {
          differences.add(id + ": present " + got.isPresent() + ", expected " + want.isPresent());
        } else if (want.isPresent()) {
          if (!Set.copyOf(want.get().identifiers()).equals(Set.copyOf(got.get().identifiers()))) {
            differences.add(id + ": identifiers " + got.get().identifiers() + ", expected "
                + want.get().identifiers());
          } else if (!want.get().state().equals(got.get().state())) {
            differences.add(id + ": state " + got.get().state() + ", expected "
                + want.get().state());
          }
        }
      }
      assertThat(differences).as("profiles that differ from the in-memory reference").isEmpty();
    }
  }
}
