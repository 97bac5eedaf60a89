package io.cdpkit.segmentation.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoreContractSupport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link SegmentStorage}: what every store that keeps segment memberships and
 * scheduled checks must do, written only against the public SPI (the capability is reached with
 * {@code transaction.require(SegmentStorage.class)}). A store passes it by subclassing once and
 * returning a fresh, empty store from {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreSegmentStorageContractTest extends SegmentStorageContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>The test-jar of cdp-segmentation (its kit) holds this suite only and does not bring its
 * test dependencies along: a consumer declares JUnit Jupiter, AssertJ and the test-jar of
 * cdp-core (whose {@link StoreContractSupport} this suite extends) itself. The engine's records
 * and transactions are core's {@code StoreContractTest}.
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: a page ({@code members},
 * {@code dueChecks}) is short only when nothing follows it, so a short page ends a scan, and any
 * limit from 1 to {@link Integer#MAX_VALUE} is allowed; {@code after} need not name an existing
 * row; ids and segments order by {@link String#compareTo} and compare exactly (case); the
 * instants of memberships and checks keep their nanoseconds, and instants before 1970 work;
 * deleting what is not there changes nothing; a write transaction's reads include its own
 * writes; memberships and checks commit, roll back (a throw, a savepoint) and are seen by other
 * transactions together with the engine's records of the same transaction; the capability
 * looked up in a read transaction refuses writes with {@link IllegalStateException}.
 */
public abstract class SegmentStorageContractTest extends StoreContractSupport {

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** The capability of a transaction. */
  private static SegmentStorage seg(ReadTransaction tx) {
    return tx.require(SegmentStorage.class);
  }

  private List<Membership> readMemberships(ProfileId profile) {
    return store.read(SHOP, tx -> seg(tx).memberships(profile));
  }

  private List<Membership> readMembers(String segment, ProfileId after, int limit) {
    return store.read(SHOP, tx -> seg(tx).members(segment, after, limit));
  }

  private Optional<ScheduledCheck> readCheck(ProfileId profile) {
    return store.read(SHOP, tx -> seg(tx).check(profile));
  }

  private List<ScheduledCheck> readDue(Instant upTo, int limit) {
    return store.read(SHOP, tx -> seg(tx).dueChecks(upTo, limit));
  }

  private static Membership membership(String segment, ProfileId profile, Instant since) {
    return new Membership(segment, profile, since);
  }

  private static ScheduledCheck check(ProfileId profile, Instant at) {
    return new ScheduledCheck(profile, at);
  }

  /**
   * Every member of a segment, a page of {@code pageSize} at a time until an empty page; checks
   * that every page but the last is full.
   */
  private static List<Membership> members(ReadTransaction tx, String segment, int pageSize) {
    return pages((after, limit) -> seg(tx).members(segment, after, limit), Membership::profile,
        pageSize);
  }

  /**
   * Everything the capability shows of these profiles and segments, as plain values: each
   * profile's memberships and check, each segment's members (paged), the due order.
   */
  private static Map<String, Object> state(ReadTransaction tx, List<ProfileId> profiles,
      List<String> segments) {
    Map<String, Object> s = new LinkedHashMap<>();
    SegmentStorage st = seg(tx);
    for (ProfileId p : profiles) {
      s.put("memberships of " + p.value(), st.memberships(p));
      s.put("check of " + p.value(), st.check(p));
    }
    for (String g : segments) {
      s.put("members of " + g, members(tx, g, 3));
    }
    s.put("due", st.dueChecks(Instant.MAX, Integer.MAX_VALUE));
    return s;
  }

  /** {@link #state} of these profiles and {@link #SEGMENTS}, read in its own transaction. */
  private Map<String, Object> readState(WorkspaceId ws, List<ProfileId> profiles) {
    return store.read(ws, tx -> state(tx, profiles, SEGMENTS));
  }

  private static final List<ProfileId> PEOPLE = List.of(AYSE, BOB, CAROL);
  private static final List<String> SEGMENTS = List.of("vip", "VIP", "churn", "new", "a-b",
      "a_b");

  /** A random write to the capability over a small pool of profiles, segments and instants. */
  private static void randomWrite(SegmentStorage st, Random random, List<ProfileId> ids) {
    ProfileId p = ids.get(random.nextInt(ids.size()));
    String g = SEGMENTS.get(random.nextInt(SEGMENTS.size()));
    // Few distinct instants, so that the due order has many ties broken by profile id.
    Instant t = at(random.nextInt(3)).plusNanos(random.nextInt(2));
    switch (random.nextInt(4)) {
      case 0 -> st.putMembership(membership(g, p, t));
      case 1 -> st.deleteMembership(g, p);
      case 2 -> st.putCheck(check(p, t));
      default -> st.deleteCheck(p);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The capability")
  class Capability {

    @Test
    @DisplayName("read and write transactions of every workspace have it, and a new store holds"
        + " no membership and no check")
    void presentAndEmpty() {
      for (WorkspaceId ws : List.of(SHOP, OTHER_SHOP)) {
        store.read(ws, tx -> {
          assertThat(tx.capability(SegmentStorage.class)).isPresent();
          SegmentStorage st = tx.require(SegmentStorage.class);
          assertThat(st.memberships(AYSE)).isEmpty();
          assertThat(st.members("vip", null, 10)).isEmpty();
          assertThat(st.check(AYSE)).isEmpty();
          assertThat(st.dueChecks(Instant.MAX, 10)).isEmpty();
          return null;
        });
        store.write(ws, tx -> {
          assertThat(tx.capability(SegmentStorage.class)).isPresent();
          assertThat(seg(tx).dueChecks(Instant.MAX, Integer.MAX_VALUE)).isEmpty();
          return null;
        });
      }
    }

    @Test
    @DisplayName("writes through the capability of a read transaction throw"
        + " IllegalStateException and change nothing; its reads keep working")
    void readTransactionRefusesWrites() {
      update(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
        seg(tx).putCheck(check(AYSE, at(1)));
      });
      Map<String, Object> before = read(tx -> state(tx, PEOPLE, SEGMENTS));

      read(tx -> {
        SegmentStorage st = seg(tx);
        assertThatThrownBy(() -> st.putMembership(membership("vip", BOB, at(2))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.putMembership(membership("vip", AYSE, at(2))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteMembership("vip", AYSE))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteMembership("never", CAROL))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.putCheck(check(BOB, at(0))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.putCheck(check(AYSE, at(5))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteCheck(AYSE))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteCheck(CAROL))
            .isInstanceOf(IllegalStateException.class);
        assertThat(st.memberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
        assertThat(st.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)));
        assertThat(st.check(AYSE)).contains(check(AYSE, at(1)));
        assertThat(st.dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)));
        return null;
      });

      assertThat(readState(SHOP, PEOPLE)).isEqualTo(before);
      update(tx -> seg(tx).putMembership(membership("vip", BOB, at(2))));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
          membership("vip", BOB, at(2)));
    }

    @Test
    @DisplayName("random puts and deletes read back as a plain map of maps says, in every"
        + " listing and order")
    void matchesModel() {
      List<ProfileId> ids = awkwardIds(12);
      TreeMap<String, TreeMap<ProfileId, Membership>> bySegment = new TreeMap<>();
      Map<ProfileId, ScheduledCheck> checks = new java.util.HashMap<>();
      Random random = new Random(42);
      for (int round = 0; round < 20; round++) {
        long seed = random.nextLong();
        update(tx -> {
          Random r = new Random(seed);
          for (int i = 0; i < 25; i++) {
            randomWrite(seg(tx), r, ids);
          }
        });
        // The same writes on the model.
        Random r = new Random(seed);
        for (int i = 0; i < 25; i++) {
          ProfileId p = ids.get(r.nextInt(ids.size()));
          String g = SEGMENTS.get(r.nextInt(SEGMENTS.size()));
          Instant t = at(r.nextInt(3)).plusNanos(r.nextInt(2));
          switch (r.nextInt(4)) {
            case 0 -> bySegment.computeIfAbsent(g, k -> new TreeMap<>())
                .put(p, membership(g, p, t));
            case 1 -> bySegment.computeIfAbsent(g, k -> new TreeMap<>()).remove(p);
            case 2 -> checks.put(p, check(p, t));
            default -> checks.remove(p);
          }
        }

        read(tx -> {
          SegmentStorage st = seg(tx);
          for (String g : SEGMENTS) {
            List<Membership> want = new ArrayList<>(
                bySegment.getOrDefault(g, new TreeMap<>()).values());
            assertThat(members(tx, g, 2)).as("members of %s", g).isEqualTo(want);
          }
          for (ProfileId p : ids) {
            List<Membership> want = new ArrayList<>();
            bySegment.forEach((g, m) -> {
              if (m.containsKey(p)) {
                want.add(m.get(p));
              }
            });
            assertThat(st.memberships(p)).as("memberships of %s", p).isEqualTo(want);
            assertThat(st.check(p)).isEqualTo(Optional.ofNullable(checks.get(p)));
          }
          List<ScheduledCheck> due = new ArrayList<>(checks.values());
          due.sort(java.util.Comparator.comparing(ScheduledCheck::at)
              .thenComparing(ScheduledCheck::profile));
          assertThat(st.dueChecks(Instant.MAX, Integer.MAX_VALUE)).isEqualTo(due);
          return null;
        });
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Segment memberships")
  class Memberships {

    @Test
    @DisplayName("putMembership stores memberships that memberships(profile) lists by segment id"
        + " and members(segment) lists by profile id, since kept to the nanosecond")
    void putAndList() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      update(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, precise));
        seg(tx).putMembership(membership("churn-risk", AYSE, at(2)));
        seg(tx).putMembership(membership("VIP", AYSE, at(3)));
        seg(tx).putMembership(membership("vip", BOB, before1970));
        seg(tx).putMembership(membership("vip", CAROL, at(5)));
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("VIP", AYSE, at(3)),
          membership("churn-risk", AYSE, at(2)), membership("vip", AYSE, precise));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, before1970));
      assertThat(readMemberships(ProfileId.of("p-nobody"))).isEmpty();
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, precise),
          membership("vip", BOB, before1970), membership("vip", CAROL, at(5)));
      assertThat(readMembers("VIP", null, 10)).containsExactly(membership("VIP", AYSE, at(3)));
      assertThat(readMembers("Vip", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("putMembership replaces the membership of the same segment and profile, also"
        + " for a reader that saw the old one")
    void putReplaces() {
      update(tx -> seg(tx).putMembership(membership("vip", AYSE, at(1))));
      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      update(tx -> seg(tx).putMembership(membership("vip", AYSE, at(9))));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(9)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(9)));
    }

    @Test
    @DisplayName("deleteMembership removes one membership, keeps the profile's others and the"
        + " segment's other members; deleting an absent one changes nothing")
    void delete() {
      update(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
        seg(tx).putMembership(membership("churn-risk", AYSE, at(1)));
        seg(tx).putMembership(membership("vip", BOB, at(2)));
      });
      assertThat(readMemberships(AYSE)).hasSize(2);
      assertThat(readMemberships(CAROL)).isEmpty();
      update(tx -> {
        seg(tx).deleteMembership("vip", AYSE);
        seg(tx).deleteMembership("vip", CAROL);
        seg(tx).deleteMembership("never", AYSE);
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("churn-risk", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", BOB, at(2)));
      update(tx -> seg(tx).deleteMembership("churn-risk", AYSE));
      assertThat(readMemberships(AYSE)).isEmpty();
      assertThat(readMembers("churn-risk", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("members pages through a segment in String.compareTo order of the profile id,"
        + " each member once, after exclusive, with full pages until the last")
    void membersPaging() {
      List<ProfileId> ids = awkwardIds(300);
      update(tx -> {
        for (int i = 0; i < ids.size(); i++) {
          seg(tx).putMembership(membership("vip", ids.get(i), at(i)));
          if (i % 3 == 0) {
            seg(tx).putMembership(membership("vip-2", ids.get(i), at(i)));
            seg(tx).putMembership(membership("VIP", ids.get(i), at(i)));
          }
        }
      });
      List<ProfileId> expected = new ArrayList<>(ids);
      Collections.sort(expected);

      for (int pageSize : new int[] {1, 7, 300, Integer.MAX_VALUE}) {
        List<Membership> all = read(tx -> members(tx, "vip", pageSize));
        assertThat(all).extracting(Membership::profile).as("page size %d", pageSize)
            .containsExactlyElementsOf(expected);
        assertThat(all).allSatisfy(m -> assertThat(m).isEqualTo(
            membership("vip", m.profile(), at(ids.indexOf(m.profile())))));
      }
      ProfileId middle = expected.get(150);
      assertThat(readMembers("vip", middle, 2)).extracting(Membership::profile)
          .containsExactly(expected.get(151), expected.get(152));
      assertThat(readMembers("vip", expected.get(299), 5)).isEmpty();
    }

    @Test
    @DisplayName("memberCount counts a segment's members exactly (not a segment differing by"
        + " case), also inside a write transaction with its own puts and deletes")
    void memberCount() {
      List<ProfileId> ids = awkwardIds(2_100);
      update(tx -> {
        for (int i = 0; i < ids.size(); i++) {
          seg(tx).putMembership(membership("vip", ids.get(i), at(i)));
          if (i % 7 == 0) {
            seg(tx).putMembership(membership("VIP", ids.get(i), at(i)));
          }
        }
      });
      update(tx -> seg(tx).deleteMembership("vip", ids.get(3)));
      long vip = store.read(SHOP, tx -> seg(tx).memberCount("vip"));
      long upper = store.read(SHOP, tx -> seg(tx).memberCount("VIP"));
      long none = store.read(SHOP, tx -> seg(tx).memberCount("nobody"));
      long other = store.read(OTHER_SHOP, tx -> seg(tx).memberCount("vip"));
      assertThat(vip).isEqualTo(2_099);
      assertThat(upper).isEqualTo(300);
      assertThat(none).isZero();
      assertThat(other).isZero();
      long inside = store.write(SHOP, tx -> {
        seg(tx).putMembership(membership("vip", ids.get(3), at(3)));
        seg(tx).putMembership(membership("vip", ids.get(4), at(5))); // replaces
        seg(tx).deleteMembership("vip", ids.get(10));
        return seg(tx).memberCount("vip");
      });
      assertThat(inside).isEqualTo(2_099);
    }

    @Test
    @DisplayName("members paged over separate transactions, with members added, replaced and"
        + " deleted between pages (the cursor's own member too), never repeats or skips one and"
        + " stays in order")
    void membersPagingWhileMembersChange() {
      List<ProfileId> initial = new ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        initial.add(ProfileId.of(String.format(Locale.ROOT, "p-%03d", i * 10)));
      }
      update(tx -> initial.forEach(p -> seg(tx).putMembership(membership("vip", p, at(1)))));

      List<ProfileId> seen = new ArrayList<>();
      Set<ProfileId> addedAhead = new LinkedHashSet<>();
      Set<ProfileId> addedBehind = new LinkedHashSet<>();
      ProfileId after = null;
      int round = 0;
      while (true) {
        List<Membership> page = readMembers("vip", after, 3);
        if (page.isEmpty()) {
          break;
        }
        assertThat(round).as("pages").isLessThan(200);
        page.forEach(m -> seen.add(m.profile()));
        ProfileId cursor = page.get(page.size() - 1).profile();
        after = cursor;
        int r = round++;
        if (r >= 25) {
          continue;
        }
        ProfileId rightAfter = ProfileId.of(cursor.value() + "-a");
        ProfileId behind = ProfileId.of(String.format(Locale.ROOT, "p-000-%02d", r));
        ProfileId atEnd = ProfileId.of(String.format(Locale.ROOT, "p-999-%02d", r));
        update(tx -> {
          SegmentStorage st = seg(tx);
          st.putMembership(membership("vip", rightAfter, at(2)));
          st.putMembership(membership("vip", behind, at(2)));
          st.putMembership(membership("vip", atEnd, at(2)));
          // Seen ones replaced and the cursor's own member deleted: after need not exist.
          st.putMembership(membership("vip", seen.get(0), at(3 + r)));
          if (r % 2 == 0) {
            st.deleteMembership("vip", cursor);
          }
          st.putMembership(membership("other", cursor, at(2)));
        });
        addedAhead.add(rightAfter);
        addedAhead.add(atEnd);
        addedBehind.add(behind);
      }

      assertThat(new HashSet<>(seen)).as("repeated members").hasSize(seen.size());
      List<ProfileId> sorted = new ArrayList<>(seen);
      Collections.sort(sorted);
      assertThat(seen).as("order").isEqualTo(sorted);
      assertThat(seen).containsAll(initial).containsAll(addedAhead)
          .doesNotContainAnyElementsOf(addedBehind);
      assertThat(seen).hasSize(initial.size() + addedAhead.size());
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts, replacements and deletes, in"
        + " order, across pages")
    void readsOwnWrites() {
      update(tx -> {
        for (String v : List.of("p-b", "p-d", "p-f", "p-h")) {
          seg(tx).putMembership(membership("vip", ProfileId.of(v), at(1)));
        }
        seg(tx).putMembership(membership("churn", ProfileId.of("p-d"), at(1)));
      });

      update(tx -> {
        SegmentStorage st = seg(tx);
        st.putMembership(membership("vip", ProfileId.of("p-a"), at(2)));
        st.putMembership(membership("vip", ProfileId.of("p-d"), at(2)));
        st.deleteMembership("vip", ProfileId.of("p-f"));
        st.putMembership(membership("vip", ProfileId.of("p-z"), at(2)));
        st.putMembership(membership("other", ProfileId.of("p-c"), at(2)));
        st.putMembership(membership("vip", ProfileId.of("p-x"), at(2)));
        st.deleteMembership("vip", ProfileId.of("p-x"));
        st.putMembership(membership("after", ProfileId.of("p-d"), at(2)));

        List<String> expected = List.of("p-a@2", "p-b@1", "p-d@2", "p-h@1", "p-z@2");
        for (int pageSize : new int[] {1, 2, 100}) {
          assertThat(members(tx, "vip", pageSize)).as("page size %d", pageSize)
              .extracting(m -> m.profile().value() + "@" + minutes(m.since()))
              .containsExactlyElementsOf(expected);
        }
        // A second lookup in the same transaction sees the same writes.
        assertThat(seg(tx).memberships(ProfileId.of("p-d"))).containsExactly(
            membership("after", ProfileId.of("p-d"), at(2)),
            membership("churn", ProfileId.of("p-d"), at(1)),
            membership("vip", ProfileId.of("p-d"), at(2)));
        assertThat(st.memberships(ProfileId.of("p-f"))).isEmpty();
      });

      assertThat(readMembers("vip", null, 100))
          .extracting(m -> m.profile().value() + "@" + minutes(m.since()))
          .containsExactly("p-a@2", "p-b@1", "p-d@2", "p-h@1", "p-z@2");
      assertThat(readMemberships(ProfileId.of("p-d"))).extracting(Membership::segment)
          .containsExactly("after", "churn", "vip");
    }

    @Test
    @DisplayName("members after leaving more than a thousand members in the same transaction"
        + " still finds the first remaining ones")
    void membersPastManyOwnDeletes() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "p-%04d", i)));
      }
      update(tx -> ids.forEach(id -> seg(tx).putMembership(membership("vip", id, at(1)))));

      update(tx -> {
        ids.subList(0, 1_100).forEach(id -> seg(tx).deleteMembership("vip", id));
        assertThat(seg(tx).members("vip", null, 2)).extracting(m -> m.profile().value())
            .containsExactly("p-1100", "p-1101");
        assertThat(members(tx, "vip", 30)).hasSize(100);
      });
    }

    @Test
    @DisplayName("a store keeps memberships only as told: deleting the profile keeps them")
    void independentOfProfiles() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
      });
      update(tx -> tx.deleteProfile(AYSE));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)));
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> seg(tx).putMembership(membership("vip", AYSE, at(1))));

      read(tx -> {
        assertThatThrownBy(() -> seg(tx).members("vip", null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seg(tx).members("vip", AYSE, -5))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
    }

    @Test
    @DisplayName("memberships of one workspace are invisible in another, and the same segment"
        + " and profile are two memberships")
    void workspaceIsolation() {
      update(tx -> seg(tx).putMembership(membership("vip", AYSE, at(1))));
      update(OTHER_SHOP, tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(7)));
        seg(tx).putMembership(membership("vip", BOB, at(7)));
      });
      update(OTHER_SHOP, tx -> seg(tx).deleteMembership("vip", BOB));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(seg(tx).memberships(AYSE)).containsExactly(membership("vip", AYSE, at(7)));
        assertThat(seg(tx).members("vip", null, 10))
            .containsExactly(membership("vip", AYSE, at(7)));
        assertThat(seg(tx).memberships(BOB)).isEmpty();
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Scheduled checks")
  class Checks {

    @Test
    @DisplayName("putCheck stores one check per profile that check() returns to the nanosecond")
    void putAndGet() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      update(tx -> {
        seg(tx).putCheck(check(AYSE, precise));
        seg(tx).putCheck(check(BOB, before1970));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, precise));
      assertThat(readCheck(BOB)).contains(check(BOB, before1970));
      assertThat(readCheck(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("putCheck replaces the profile's check, also for a reader that saw the old one,"
        + " and the check moves to its new place in the due order")
    void putReplaces() {
      update(tx -> {
        seg(tx).putCheck(check(AYSE, at(1)));
        seg(tx).putCheck(check(BOB, at(2)));
      });
      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readCheck(CAROL)).isEmpty();
      update(tx -> {
        seg(tx).putCheck(check(AYSE, at(3)));
        seg(tx).putCheck(check(CAROL, at(4)));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(3)));
      assertThat(readCheck(CAROL)).contains(check(CAROL, at(4)));
      assertThat(readDue(at(10), 10)).containsExactly(check(BOB, at(2)), check(AYSE, at(3)),
          check(CAROL, at(4)));
      assertThat(readDue(at(2), 10)).containsExactly(check(BOB, at(2)));
    }

    @Test
    @DisplayName("dueChecks lists the checks due at or before upTo by time, then profile id in"
        + " String.compareTo order, at most limit")
    void dueOrder() {
      Instant t = at(10);
      List<ScheduledCheck> all = List.of(
          check(ProfileId.of("p-10"), t),
          check(ProfileId.of("m"), at(5)),
          check(ProfileId.of("a"), t.plusNanos(1)),
          check(ProfileId.of("p_1"), t),
          check(ProfileId.of("n"), at(20)),
          check(ProfileId.of("P-2"), t),
          check(ProfileId.of("z"), t.minusNanos(1)),
          check(ProfileId.of("p-1"), t),
          check(ProfileId.of("old"), Instant.parse("1969-12-31T23:59:59.999999999Z")));
      update(tx -> all.forEach(seg(tx)::putCheck));

      assertThat(readDue(t, 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2", "p-1", "p-10", "p_1");
      assertThat(readDue(t, 4)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2");
      assertThat(readDue(t.minusNanos(1), 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z");
      assertThat(readDue(t.minusNanos(2), 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m");
      assertThat(readDue(Instant.MAX, 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2", "p-1", "p-10", "p_1", "a", "n");
      assertThat(readDue(Instant.parse("1969-12-31T23:59:59.999999998Z"), 100)).isEmpty();
      assertThat(readDue(Instant.MIN, 100)).isEmpty();
      assertThat(readDue(Instant.MAX, 100)).containsAll(all);
    }

    @Test
    @DisplayName("deleteCheck removes the check from check() and dueChecks; deleting an absent"
        + " one changes nothing")
    void delete() {
      update(tx -> {
        seg(tx).putCheck(check(AYSE, at(1)));
        seg(tx).putCheck(check(BOB, at(2)));
      });
      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      update(tx -> {
        seg(tx).deleteCheck(AYSE);
        seg(tx).deleteCheck(CAROL);
      });

      assertThat(readCheck(AYSE)).isEmpty();
      assertThat(readCheck(BOB)).contains(check(BOB, at(2)));
      assertThat(readDue(at(10), 10)).containsExactly(check(BOB, at(2)));
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts, moves and deletes, even when"
        + " more than a thousand committed checks moved away")
    void readsOwnWrites() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_100; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "q-%04d", i)));
      }
      update(tx -> {
        for (int i = 0; i < ids.size(); i++) {
          seg(tx).putCheck(check(ids.get(i), at(1).plusSeconds(i)));
        }
      });

      update(tx -> {
        SegmentStorage st = seg(tx);
        ids.subList(0, 1_050).forEach(id -> st.putCheck(check(id, at(1_000))));
        st.deleteCheck(ProfileId.of("q-1050"));
        st.putCheck(check(ProfileId.of("a-new"), at(0)));
        st.putCheck(check(ProfileId.of("b-gone"), at(0)));
        st.deleteCheck(ProfileId.of("b-gone"));

        assertThat(st.dueChecks(at(500), 3)).extracting(c -> c.profile().value())
            .containsExactly("a-new", "q-1051", "q-1052");
        assertThat(st.dueChecks(at(500), 1_000)).hasSize(50);
        List<ScheduledCheck> later = st.dueChecks(at(1_000), 2_000);
        assertThat(later).hasSize(1_100);
        assertThat(later.get(50)).isEqualTo(check(ProfileId.of("q-0000"), at(1_000)));
        assertThat(st.check(ProfileId.of("q-0007"))).contains(check(ProfileId.of("q-0007"),
            at(1_000)));
        assertThat(st.check(ProfileId.of("q-1050"))).isEmpty();
        assertThat(st.check(ProfileId.of("b-gone"))).isEmpty();
      });

      assertThat(readDue(at(500), 3)).extracting(c -> c.profile().value())
          .containsExactly("a-new", "q-1051", "q-1052");
      assertThat(readCheck(ProfileId.of("q-0007"))).contains(check(ProfileId.of("q-0007"),
          at(1_000)));
    }

    @Test
    @DisplayName("a store keeps checks only as told: deleting the profile keeps its check")
    void independentOfProfiles() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        seg(tx).putCheck(check(AYSE, at(1)));
      });
      update(tx -> tx.deleteProfile(AYSE));

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readDue(at(1), 10)).containsExactly(check(AYSE, at(1)));
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> seg(tx).putCheck(check(AYSE, at(1))));

      read(tx -> {
        assertThatThrownBy(() -> seg(tx).dueChecks(at(1), 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seg(tx).dueChecks(Instant.MAX, Integer.MIN_VALUE))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
    }

    @Test
    @DisplayName("checks of one workspace are invisible in another, and the same profile has a"
        + " check in each")
    void workspaceIsolation() {
      update(tx -> seg(tx).putCheck(check(AYSE, at(1))));
      update(OTHER_SHOP, tx -> {
        seg(tx).putCheck(check(AYSE, at(2)));
        seg(tx).putCheck(check(BOB, at(2)));
      });
      update(OTHER_SHOP, tx -> seg(tx).deleteCheck(BOB));

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(seg(tx).check(AYSE)).contains(check(AYSE, at(2)));
        assertThat(seg(tx).check(BOB)).isEmpty();
        assertThat(seg(tx).dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(2)));
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Atomicity: a write that throws leaves nothing behind")
  class Atomicity {

    @Test
    @DisplayName("memberships put, replaced and deleted are restored, in both listings")
    void memberships() {
      update(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
        seg(tx).putMembership(membership("vip", BOB, at(1)));
        seg(tx).putMembership(membership("churn", AYSE, at(1)));
      });

      updateAndFail(tx -> {
        SegmentStorage st = seg(tx);
        st.putMembership(membership("vip", AYSE, at(2)));
        st.deleteMembership("vip", BOB);
        st.putMembership(membership("vip", CAROL, at(2)));
        st.putMembership(membership("new", AYSE, at(2)));
        st.deleteMembership("churn", AYSE);
        st.putMembership(membership("churn", AYSE, at(3)));
        st.deleteMembership("churn", AYSE);
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("churn", AYSE, at(1)),
          membership("vip", AYSE, at(1)));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, at(1)));
      assertThat(readMemberships(CAROL)).isEmpty();
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
          membership("vip", BOB, at(1)));
      assertThat(readMembers("new", null, 10)).isEmpty();
      assertThat(readMembers("churn", null, 10)).containsExactly(
          membership("churn", AYSE, at(1)));
    }

    @Test
    @DisplayName("checks put, moved and deleted are restored, in their place in the due order")
    void checks() {
      update(tx -> {
        seg(tx).putCheck(check(AYSE, at(1)));
        seg(tx).putCheck(check(BOB, at(2)));
      });

      updateAndFail(tx -> {
        SegmentStorage st = seg(tx);
        st.putCheck(check(AYSE, at(3)));
        st.deleteCheck(BOB);
        st.putCheck(check(CAROL, at(0)));
        st.deleteCheck(CAROL);
        st.putCheck(check(CAROL, at(0)));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readCheck(BOB)).contains(check(BOB, at(2)));
      assertThat(readCheck(CAROL)).isEmpty();
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
          check(BOB, at(2)));
    }

    @Test
    @DisplayName("memberships and checks are undone together with the engine's records of the"
        + " same transaction (a merge), and the store stays usable")
    void togetherWithEngineRecords() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(CAROL, 1));
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
        seg(tx).putMembership(membership("churn", CAROL, at(1)));
        seg(tx).putCheck(check(CAROL, at(30)));
      });
      Map<String, Object> before = read(tx -> state(tx, PEOPLE, SEGMENTS));

      updateAndFail(tx -> {
        tx.putProfile(profile(AYSE, 2));
        tx.deleteProfile(CAROL);
        tx.putRedirect(CAROL, AYSE);
        SegmentStorage st = seg(tx);
        st.deleteMembership("churn", CAROL);
        st.putMembership(membership("churn", AYSE, at(9)));
        st.deleteCheck(CAROL);
        st.putCheck(check(AYSE, at(20)));
      });

      assertThat(readState(SHOP, PEOPLE)).isEqualTo(before);
      read(tx -> {
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.profile(CAROL)).contains(profile(CAROL, 1));
        assertThat(tx.redirect(CAROL)).isEmpty();
        return null;
      });
      update(tx -> seg(tx).putCheck(check(AYSE, at(20))));
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(20)),
          check(CAROL, at(30)));
    }

    @Test
    @DisplayName("random writes that then throw leave memberships, checks and the due order"
        + " exactly as they were")
    void randomWritesRestoredExactly() {
      List<ProfileId> ids = awkwardIds(10);
      Random random = new Random(7);
      update(tx -> {
        for (int i = 0; i < 60; i++) {
          randomWrite(seg(tx), random, ids);
        }
      });
      for (int round = 0; round < 10; round++) {
        Map<String, Object> before = read(tx -> state(tx, ids, SEGMENTS));
        updateAndFail(tx -> {
          for (int i = 0; i < 40; i++) {
            randomWrite(seg(tx), random, ids);
          }
        });
        assertThat(readState(SHOP, ids)).as("round %d", round)
            .isEqualTo(before);
        update(tx -> randomWrite(seg(tx), random, ids));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Savepoints: rollbackTo undoes what came after, keeps what came before")
  class Savepoints {

    @Test
    @DisplayName("rollbackTo undoes memberships written after the savepoint, in both listings,"
        + " and keeps what came before")
    void memberships() {
      update(tx -> seg(tx).putMembership(membership("vip", BOB, at(1))));

      update(tx -> {
        SegmentStorage st = seg(tx);
        st.putMembership(membership("vip", AYSE, at(1)));
        Savepoint sp = tx.savepoint();
        st.putMembership(membership("vip", AYSE, at(2)));
        st.deleteMembership("vip", BOB);
        st.putMembership(membership("vip", CAROL, at(2)));
        st.putMembership(membership("churn", AYSE, at(2)));
        st.deleteMembership("churn", AYSE);
        st.putMembership(membership("churn", AYSE, at(3)));
        tx.rollbackTo(sp);

        assertThat(st.memberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
        assertThat(st.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
            membership("vip", BOB, at(1)));
        st.putMembership(membership("churn", CAROL, at(4)));
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, at(1)));
      assertThat(readMemberships(CAROL)).containsExactly(membership("churn", CAROL, at(4)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
          membership("vip", BOB, at(1)));
      assertThat(readMembers("churn", null, 10)).containsExactly(
          membership("churn", CAROL, at(4)));
    }

    @Test
    @DisplayName("rollbackTo undoes checks written after the savepoint, in the due order too,"
        + " and keeps what came before")
    void checks() {
      update(tx -> seg(tx).putCheck(check(BOB, at(5))));

      update(tx -> {
        SegmentStorage st = seg(tx);
        st.putCheck(check(AYSE, at(1)));
        Savepoint sp = tx.savepoint();
        st.putCheck(check(AYSE, at(9)));
        st.deleteCheck(BOB);
        st.putCheck(check(CAROL, at(0)));
        tx.rollbackTo(sp);

        assertThat(st.check(AYSE)).contains(check(AYSE, at(1)));
        assertThat(st.dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
            check(BOB, at(5)));
        st.putCheck(check(BOB, at(3)));
      });

      assertThat(readCheck(CAROL)).isEmpty();
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
          check(BOB, at(3)));
    }

    @Test
    @DisplayName("nested savepoints of random writes each restore exactly the state they saw,"
        + " the due order included, and what is kept after commits")
    void randomWritesNested() {
      List<ProfileId> ids = awkwardIds(10);
      Random random = new Random(11);
      update(tx -> {
        for (int i = 0; i < 60; i++) {
          randomWrite(seg(tx), random, ids);
        }
      });

      Map<String, Object> kept = store.write(SHOP, tx -> {
        for (int round = 0; round < 5; round++) {
          Map<String, Object> outerState = state(tx, ids, SEGMENTS);
          Savepoint outer = tx.savepoint();
          for (int i = 0; i < 20; i++) {
            randomWrite(seg(tx), random, ids);
          }
          Map<String, Object> innerState = state(tx, ids, SEGMENTS);
          Savepoint inner = tx.savepoint();
          for (int i = 0; i < 20; i++) {
            randomWrite(seg(tx), random, ids);
          }
          tx.rollbackTo(inner);
          assertThat(state(tx, ids, SEGMENTS)).as("inner, round %d", round)
              .isEqualTo(innerState);
          tx.rollbackTo(outer);
          assertThat(state(tx, ids, SEGMENTS)).as("outer, round %d", round)
              .isEqualTo(outerState);
          // Something kept in each round, written through a fresh lookup.
          randomWrite(tx.require(SegmentStorage.class), random, ids);
        }
        return state(tx, ids, SEGMENTS);
      });

      assertThat(readState(SHOP, ids)).isEqualTo(kept);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Workspaces")
  class Workspaces {

    @Test
    @DisplayName("memberships and checks written in one workspace are invisible in another,"
        + " through every read")
    void isolation() {
      update(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(3)));
        seg(tx).putCheck(check(AYSE, at(60)));
      });

      store.read(OTHER_SHOP, tx -> {
        assertThat(seg(tx).memberships(AYSE)).isEmpty();
        assertThat(seg(tx).members("vip", null, 10)).isEmpty();
        assertThat(seg(tx).check(AYSE)).isEmpty();
        assertThat(seg(tx).dueChecks(Instant.MAX, 10)).isEmpty();
        return null;
      });
      read(tx -> {
        assertThat(seg(tx).memberships(AYSE)).containsExactly(membership("vip", AYSE, at(3)));
        assertThat(seg(tx).dueChecks(at(60), 10)).containsExactly(check(AYSE, at(60)));
        return null;
      });
    }

    @Test
    @DisplayName("a failed write in one workspace leaves another's memberships and checks"
        + " untouched, and a rollback there restores only its own")
    void failureIsolated() {
      update(OTHER_SHOP, tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(1)));
        seg(tx).putCheck(check(AYSE, at(1)));
      });
      update(tx -> seg(tx).putMembership(membership("vip", BOB, at(2))));
      Map<String, Object> other = store.read(OTHER_SHOP, tx -> state(tx, PEOPLE, SEGMENTS));

      updateAndFail(tx -> {
        seg(tx).putMembership(membership("vip", AYSE, at(9)));
        seg(tx).deleteMembership("vip", BOB);
        seg(tx).putCheck(check(AYSE, at(9)));
      });

      assertThat(readState(OTHER_SHOP, PEOPLE)).isEqualTo(other);
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", BOB, at(2)));
      assertThat(readDue(Instant.MAX, 10)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {

    /** What the reads of {@link #SHOP} show, as plain values. */
    private Map<String, Object> seen(ReadTransaction tx) {
      Map<String, Object> s = new LinkedHashMap<>(state(tx, List.of(AYSE, BOB), List.of("vip")));
      s.put("scan", scan(tx, 100));
      return s;
    }

    @Test
    @DisplayName("memberships and checks written by a transaction are invisible to other threads"
        + " until it commits")
    void uncommittedWritesAreInvisible() throws Exception {
      update(tx -> {
        tx.putProfile(profile(BOB, 1));
        seg(tx).putMembership(membership("vip", BOB, at(1)));
        seg(tx).putCheck(check(BOB, at(1)));
      });

      assertUncommittedWritesInvisible(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.deleteProfile(BOB);
        SegmentStorage st = seg(tx);
        st.putMembership(membership("vip", AYSE, at(2)));
        st.deleteMembership("vip", BOB);
        st.putCheck(check(AYSE, at(0)));
        st.putCheck(check(BOB, at(9)));
      }, this::seen);

      read(tx -> {
        assertThat(seg(tx).members("vip", null, 10))
            .containsExactly(membership("vip", AYSE, at(2)));
        assertThat(seg(tx).memberships(BOB)).isEmpty();
        assertThat(seg(tx).dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(0)),
            check(BOB, at(9)));
        return null;
      });
    }

    @Test
    @DisplayName("a reader running next to a writer sees the profile, membership and check of"
        + " each transaction whole or not at all")
    void readersNeverSeeHalfAWrite() throws Exception {
      int writes = 150;
      assertReadersSeeWholeTransactions(writes, (tx, step) -> {
        ProfileId p = ProfileId.of(String.format(Locale.ROOT, "p-%04d", step));
        tx.putProfile(profile(p, step));
        seg(tx).putMembership(membership("vip", p, at(step)));
        seg(tx).putCheck(check(p, at(step)));
      }, tx -> {
        int progress = scan(tx, 64).size();
        int members = members(tx, "vip", 64).size();
        int due = seg(tx).dueChecks(Instant.MAX, 1_000).size();
        ProfileId latest = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress));
        boolean latestWhole = progress == 0 || (!seg(tx).memberships(latest).isEmpty()
            && seg(tx).check(latest).isPresent());
        ProfileId next = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress + 1));
        boolean nextAbsent = seg(tx).memberships(next).isEmpty() && seg(tx).check(next).isEmpty();
        if (members != progress || due != progress || !latestWhole || !nextAbsent) {
          return "progress=" + progress + " members=" + members + " due=" + due
              + " latestWhole=" + latestWhole + " nextAbsent=" + nextAbsent;
        }
        return null;
      });

      assertThat(readMembers("vip", null, 1_000)).hasSize(writes);
      assertThat(readDue(Instant.MAX, 1_000)).hasSize(writes);
    }
  }
}
