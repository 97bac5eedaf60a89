package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-memory store keeps a profile as its state, identifier counts and version under a
 * compact key (a UUID id as its bits), and makes the record and its id on each read; a node
 * keeps its profile's key. Whatever the ids (UUIDs, near-miss UUIDs, plain tokens) and versions
 * (beyond an {@code int}, negative), reads, scans, counts and nodes must answer as a plain map
 * would, also after rollbacks to savepoints.
 */
class InMemoryProfilesTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;
  private static final List<String> IDS = new ArrayList<>();

  static {
    for (int i = 0; i < 12; i++) {
      String u = new UUID(i * 0x9E3779B97F4A7C15L, -i * 0x632BE59BD9B4E019L).toString();
      IDS.add(u);
      if (i % 3 == 0) {
        IDS.add(u.toUpperCase(java.util.Locale.ROOT)); // not canonical: kept as a string
        IDS.add(u.substring(0, 35) + "_"); // a near miss
      }
    }
    IDS.addAll(List.of("p1", "p-2", "zz", "0", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "00000000-0000-0000-0000-000000000000", "80000000-0000-0000-8000-000000000000"));
  }

  private static final long[] VERSIONS = {1, 2, 7, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
      Long.MAX_VALUE, 0, -1, -5};

  /** 0 put, 1 delete, 2 put a node, 3 savepoint, 4 roll back to the last savepoint. */
  record Op(int kind, int id, int version, int other) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 11)
            .map(k -> k < 5 ? 0 : k < 7 ? 1 : k < 10 ? 2 : k < 11 ? 3 : 4),
        Arbitraries.integers().between(0, IDS.size() - 1),
        Arbitraries.integers().between(0, VERSIONS.length - 1),
        Arbitraries.integers().between(0, 20)).as(Op::new).list().ofMaxSize(120);
  }

  private static ProfileRecord record(String id, long version, int n) {
    ProfileState state = ProfileState.of(Map.of(), Map.of(), Instant.ofEpochSecond(n),
        Instant.ofEpochSecond(n + 1), Map.of(), Map.of(), Map.of(), Map.of("Viewed", (long) n));
    return new ProfileRecord(ProfileId.of(id), state, Map.of(IdentifierType.EMAIL, n), version);
  }

  @Property(tries = 300)
  @Label("profiles, scans, counts and nodes answer as a plain map, across rollbacks")
  void asAMap(@ForAll("ops") List<Op> ops) {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      TreeMap<String, ProfileRecord> model = new TreeMap<>();
      Map<Identifier, String> nodes = new HashMap<>();
      List<Savepoint> points = new ArrayList<>();
      List<TreeMap<String, ProfileRecord>> models = new ArrayList<>();
      List<Map<Identifier, String>> nodeModels = new ArrayList<>();
      int n = 0;
      for (Op op : ops) {
        String id = IDS.get(op.id());
        switch (op.kind()) {
          case 0 -> {
            ProfileRecord r = record(id, VERSIONS[op.version()], n++);
            tx.putProfile(r);
            model.put(id, r);
          }
          case 1 -> {
            tx.deleteProfile(ProfileId.of(id));
            model.remove(id);
          }
          case 2 -> {
            Identifier ident = Identifier.email("u" + op.other() + "@example.com");
            tx.putNode(new IdentityNode(ident, ProfileId.of(id), "c-" + op.other()));
            nodes.put(ident, id);
          }
          case 3 -> {
            points.add(tx.savepoint());
            models.add(new TreeMap<>(model));
            nodeModels.add(new HashMap<>(nodes));
          }
          default -> {
            if (!points.isEmpty()) {
              tx.rollbackTo(points.get(points.size() - 1));
              model = new TreeMap<>(models.get(models.size() - 1));
              nodes = new HashMap<>(nodeModels.get(nodeModels.size() - 1));
            }
          }
        }
        for (String each : IDS) {
          assertThat(tx.profile(ProfileId.of(each))).as(each)
              .isEqualTo(java.util.Optional.ofNullable(model.get(each)));
          List<Identifier> of = nodes.entrySet().stream()
              .filter(e -> e.getValue().equals(each)).map(Map.Entry::getKey).toList();
          assertThat(tx.nodesOfProfile(ProfileId.of(each))).extracting(IdentityNode::identifier)
              .containsExactlyInAnyOrderElementsOf(of);
        }
        assertThat(tx.profilesAfter(null, 1000)).containsExactlyElementsOf(model.values());
        String after = IDS.get(op.other() % IDS.size());
        assertThat(tx.profilesAfter(ProfileId.of(after), 3)).containsExactlyElementsOf(
            model.tailMap(after, false).values().stream().limit(3).toList());
        assertThat(tx.profileCount()).isEqualTo(model.size());
        for (Map.Entry<Identifier, String> e : nodes.entrySet()) {
          assertThat(tx.node(e.getKey()).orElseThrow().profile())
              .isEqualTo(ProfileId.of(e.getValue()));
        }
      }
      return null;
    });
  }
}
