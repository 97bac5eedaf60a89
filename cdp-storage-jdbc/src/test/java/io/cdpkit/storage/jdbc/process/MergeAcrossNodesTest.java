package io.cdpkit.storage.jdbc.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.SlowSuite;
import io.cdpkit.storage.jdbc.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs ingest the same crowd of people into one database at the same time, each seeing
 * different pieces of each person ({@link Pieces}: one node links a userId to an e-mail, another
 * a cookie to that e-mail, a third the userId to a phone), each in its own order (forwards,
 * backwards, shuffled; see {@link PiecesChild#share}), so that profiles made on one node merge
 * with profiles made on another while both keep writing. The end state must equal that of one
 * in-memory instance that ingested the whole stream once, in stream order:
 * <ul>
 *   <li>the same profiles, found by the same identifiers, with the same identifiers, state and
 *       computed traits (the retail pack, read at one fixed instant), holding the same events;
 *   <li>the same event counts per event name;
 *   <li>every event stored once across all nodes (a duplicate sent to two nodes is stored by
 *       one and reported a duplicate by the other);
 *   <li>every profile id an ingest returned on any node, merged away since or not, resolves to
 *       the profile that now holds that event.
 * </ul>
 * The run must have merged profiles made on different nodes, or it proved nothing.
 */
@SlowSuite
class MergeAcrossNodesTest {
  static final long SEED = 0x9A7CL;
  static final int PEOPLE = 25;
  static final int EVENTS = 2_400;
  static final int NODES = 3;

  @Test
  @DisplayName("three processes on one PostgreSQL merging each other's profiles end as one ingest")
  void postgres(@TempDir Path tmp) throws Exception {
    run(tmp, TestDatabases::postgres);
  }

  @Test
  @DisplayName("three processes on one MariaDB merging each other's profiles end as one ingest")
  void mariadb(@TempDir Path tmp) throws Exception {
    run(tmp, TestDatabases::mariadb);
  }

  private static void run(Path tmp, Supplier<TestDatabases.Scratch> database) throws Exception {
    TestDatabases.Scratch db = database.get();
    try {
      // The schema exists before the children start, so they race on data, not on migrations.
      JdbcStore.builder().dataSource(db.dataSource()).build().close();
      List<Child> children = new ArrayList<>();
      try {
        for (int n = 0; n < NODES; n++) {
          children.add(new Child(PiecesChild.class, tmp.resolve("node-" + n + ".log"), db.url(),
              db.user(), Long.toString(SEED), Integer.toString(PEOPLE), Integer.toString(EVENTS),
              Integer.toString(n), Integer.toString(NODES),
              tmp.resolve("node-" + n + ".stored").toString()));
        }
        for (Child c : children) {
          c.awaitReady();
        }
        for (Child c : children) {
          c.go();
        }
        for (Child c : children) {
          assertThat(c.await(300)).as("exit code; stderr: %s", c.stderr()).isZero();
          assertThat(c.done()).isTrue();
        }
      } finally {
        for (Child c : children) {
          c.close();
        }
      }
      List<Event> stream = Pieces.stream(SEED, PEOPLE, EVENTS);
      Map<String, Returned> returned = returnedProfiles(tmp);
      assertThat(returned.keySet()).as("events stored, once each, across the nodes")
          .hasSize(EVENTS)
          .containsExactlyInAnyOrderElementsOf(stream.stream().map(Event::messageId).toList());
      Set<Identifier> universe = Pieces.identifiers(PEOPLE);
      try (JdbcStore store = JdbcStore.builder().dataSource(db.dataSource()).build();
          Cdp cdp = PiecesChild.cdp(EVENTS).store(store).build();
          Cdp reference = PiecesChild.cdp(EVENTS).build()) {
        for (Event e : stream) {
          reference.ingest(e);
        }
        assertThat(ProfileCheck.storedMessageIds(cdp, universe)).hasSize(EVENTS);
        Map<ProfileId, Profile> want = profiles(reference, universe);
        assertThat(want).as("the stream joins each person into one profile").hasSize(PEOPLE);
        assertThat(differences(cdp, reference, universe)).as("profiles that differ from one"
            + " in-memory ingest of the whole stream").isEmpty();
        assertThat(cdp.profiles().eventCounts()).as("events per name")
            .isEqualTo(reference.profiles().eventCounts());
        checkReturnedIds(cdp, universe, returned);
      }
    } finally {
      TestDatabases.drop(db);
    }
  }

  /** The profile id one node's ingest returned for an event it stored. */
  private record Returned(int node, ProfileId profile) {}

  private static Map<String, Returned> returnedProfiles(Path tmp) throws Exception {
    Map<String, Returned> out = new HashMap<>();
    for (int n = 0; n < NODES; n++) {
      for (String line : Files.readAllLines(tmp.resolve("node-" + n + ".stored"))) {
        String[] parts = line.split(" ");
        Returned before = out.put(parts[0], new Returned(n, ProfileId.of(parts[1])));
        assertThat(before).as("event %s stored by node %d and before by another", parts[0], n)
            .isNull();
      }
    }
    return out;
  }

  /** The live profiles reached from these identifiers, by id. */
  private static Map<ProfileId, Profile> profiles(Cdp cdp, Set<Identifier> universe) {
    Map<ProfileId, Profile> out = new LinkedHashMap<>();
    for (Identifier id : universe) {
      cdp.profiles().find(id).ifPresent(p -> out.putIfAbsent(p.id(), p));
    }
    return out;
  }

  /** Per identifier, what differs between the store's profile and the reference's. */
  private static List<String> differences(Cdp store, Cdp reference, Set<Identifier> universe) {
    List<String> out = new ArrayList<>();
    for (Identifier id : universe) {
      Optional<Profile> want = reference.profiles().find(id);
      Optional<Profile> got = store.profiles().find(id);
      if (want.isPresent() != got.isPresent()) {
        out.add(id + ": present " + got.isPresent() + ", expected " + want.isPresent());
        continue;
      }
      if (want.isEmpty()) {
        continue;
      }
      Profile w = want.get();
      Profile g = got.get();
      if (!Set.copyOf(w.identifiers()).equals(Set.copyOf(g.identifiers()))) {
        out.add(id + ": identifiers " + g.identifiers() + ", expected " + w.identifiers());
      }
      if (!w.state().equals(g.state())) {
        out.add(id + ": state " + g.state() + ", expected " + w.state());
      }
      if (!w.computedTraits().equals(g.computedTraits())) {
        out.add(id + ": computed traits " + g.computedTraits() + ", expected "
            + w.computedTraits());
      }
      Set<String> wantEvents = messageIds(reference, w.id());
      Set<String> gotEvents = messageIds(store, g.id());
      if (!wantEvents.equals(gotEvents)) {
        out.add(id + ": " + gotEvents.size() + " events, expected " + wantEvents.size()
            + "; missing " + minus(wantEvents, gotEvents) + ", extra "
            + minus(gotEvents, wantEvents));
      }
    }
    return out;
  }

  private static Set<String> messageIds(Cdp cdp, ProfileId id) {
    Set<String> out = new TreeSet<>();
    for (Event e : cdp.profiles().events(id)) {
      out.add(e.messageId());
    }
    return out;
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.removeAll(b);
    return out;
  }

  /**
   * Every profile id a node's ingest returned resolves to the live profile that holds the event
   * now; and some live profile absorbed profiles that different nodes made.
   */
  private static void checkReturnedIds(Cdp cdp, Set<Identifier> universe,
      Map<String, Returned> returned) {
    Map<String, ProfileId> holder = new HashMap<>();
    for (ProfileId p : profiles(cdp, universe).keySet()) {
      for (Event e : cdp.profiles().events(p)) {
        holder.put(e.messageId(), p);
      }
    }
    Map<ProfileId, Set<Integer>> mergedFromNodes = new HashMap<>();
    Set<ProfileId> mergedAway = new HashSet<>();
    List<String> wrong = new ArrayList<>();
    returned.forEach((messageId, r) -> {
      ProfileId now = holder.get(messageId);
      Optional<ProfileId> resolved = cdp.profiles().resolve(r.profile());
      if (!resolved.equals(Optional.ofNullable(now))) {
        wrong.add(messageId + " went to " + r.profile() + " on node " + r.node()
            + ", which resolves to " + resolved + ", but " + now + " holds it");
      } else if (!r.profile().equals(now)) {
        mergedAway.add(r.profile());
        mergedFromNodes.computeIfAbsent(now, k -> new HashSet<>()).add(r.node());
        Optional<ProfileId> got = cdp.profiles().get(r.profile()).map(Profile::id);
        if (!got.equals(Optional.of(now))) {
          wrong.add("get(" + r.profile() + ") gives " + got + ", not " + now);
        }
      }
    });
    assertThat(wrong).as("profile ids returned by ingests that lead elsewhere").isEmpty();
    assertThat(mergedAway).as("profile ids merged away since an ingest returned them")
        .isNotEmpty();
    assertThat(mergedFromNodes.values()).as("nodes whose profiles one live profile absorbed")
        .anySatisfy(nodes -> assertThat(nodes).hasSizeGreaterThan(1));
  }
}
