package io.cdpkit.core.tcf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random {@link TcString} values, written by the test encoder ({@link TcEncoder}) with random
 * choices of encoding, order and padding, decode back to themselves; and random or damaged
 * strings never fail with anything but {@link InvalidTcStringException}.
 */
class TcStringRoundTripProperties {

  @Property(tries = 500)
  void decodeOfEncodeIsIdentity(@ForAll("tcStrings") TcString t, @ForAll long choices) {
    String encoded = new TcEncoder(new Random(choices)).encode(t);
    assertThat(TcString.decode(encoded)).isEqualTo(t);
  }

  @Property(tries = 500)
  void damagedStringsFailOnlyWithTheNamedError(@ForAll("tcStrings") TcString t,
      @ForAll long choices, @ForAll @IntRange(min = 0, max = 3) int damage) {
    Random rnd = new Random(choices);
    String s = new TcEncoder(rnd).encode(t);
    char[] c = s.toCharArray();
    int at = rnd.nextInt(c.length);
    String damaged;
    switch (damage) {
      case 0: // cut short
        damaged = s.substring(0, at);
        break;
      case 1: // one character replaced by any base64url character or '.'
        c[at] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".charAt(
            rnd.nextInt(65));
        damaged = new String(c);
        break;
      case 2: // one character replaced by anything
        c[at] = (char) rnd.nextInt(0x3000);
        damaged = new String(c);
        break;
      default: // a range of characters shuffled
        int to = Math.min(c.length, at + 1 + rnd.nextInt(8));
        for (int i = at; i < to; i++) {
          int j = at + rnd.nextInt(to - at);
          char x = c[i];
          c[i] = c[j];
          c[j] = x;
        }
        damaged = new String(c);
    }
    try {
      TcString.decode(damaged);
    } catch (InvalidTcStringException e) {
      if (damaged.length() >= 8) { // shorter ones may occur in any text
        assertThat(e.getMessage()).doesNotContain(damaged);
      }
    }
  }

  @Provide
  Arbitrary<TcString> tcStrings() {
    Arbitrary<Instant> instants = Arbitraries.longs().between(0, (1L << 36) - 1)
        .map(ds -> Instant.ofEpochMilli(ds * 100));
    Arbitrary<String> letters = Arbitraries.strings().withCharRange('A', 'Z').ofLength(2);
    Arbitrary<PublisherRestriction> restrictions = Arbitraries.integers().between(1, 63)
        .flatMap(p -> Arbitraries.of(PublisherRestriction.Type.class)
            .flatMap(type -> vendors().map(v -> new PublisherRestriction(p, type, v))));
    Arbitrary<PublisherTc> publisherTc = Arbitraries.integers().between(0, 63)
        .flatMap(n -> Builders.withBuilder(() -> new PublisherTc(
                IdSet.of(), IdSet.of(), n, IdSet.of(), IdSet.of()))
            .use(ids(24)).in((p, v) -> new PublisherTc(v, p.pubPurposesLITransparency(), n,
                p.customPurposesConsent(), p.customPurposesLITransparency()))
            .use(ids(24)).in((p, v) -> new PublisherTc(p.pubPurposesConsent(), v, n,
                p.customPurposesConsent(), p.customPurposesLITransparency()))
            .use(ids(n)).in((p, v) -> new PublisherTc(p.pubPurposesConsent(),
                p.pubPurposesLITransparency(), n, v, p.customPurposesLITransparency()))
            .use(ids(n)).in((p, v) -> new PublisherTc(p.pubPurposesConsent(),
                p.pubPurposesLITransparency(), n, p.customPurposesConsent(), v))
            .build());
    return Builders.withBuilder(TcString::builder)
        .use(instants).in(TcString.Builder::created)
        .use(instants).in(TcString.Builder::lastUpdated)
        .use(Arbitraries.integers().between(0, 4095)).in(TcString.Builder::cmpId)
        .use(Arbitraries.integers().between(0, 4095)).in(TcString.Builder::cmpVersion)
        .use(Arbitraries.integers().between(0, 63)).in(TcString.Builder::consentScreen)
        .use(letters).in(TcString.Builder::consentLanguage)
        .use(Arbitraries.integers().between(0, 4095)).in(TcString.Builder::vendorListVersion)
        .use(Arbitraries.integers().between(0, 63)).in(TcString.Builder::tcfPolicyVersion)
        .use(Arbitraries.of(true, false)).in(TcString.Builder::isServiceSpecific)
        .use(Arbitraries.of(true, false)).in(TcString.Builder::useNonStandardStacks)
        .use(ids(12)).in(TcString.Builder::specialFeatureOptIns)
        .use(ids(24)).in(TcString.Builder::purposesConsent)
        .use(ids(24)).in(TcString.Builder::purposesLITransparency)
        .use(Arbitraries.of(true, false)).in(TcString.Builder::purposeOneTreatment)
        .use(letters).in(TcString.Builder::publisherCC)
        .use(vendors()).in(TcString.Builder::vendorConsents)
        .use(vendors()).in(TcString.Builder::vendorLegitimateInterests)
        .use(restrictions.list().ofMaxSize(4)).in((b, rs) -> {
          rs.forEach(b::publisherRestriction);
          return b;
        })
        .use(vendors().injectNull(0.5)).in(TcString.Builder::disclosedVendors)
        .use(vendors().injectNull(0.7)).in(TcString.Builder::allowedVendors)
        .use(publisherTc.injectNull(0.5)).in(TcString.Builder::publisherTc)
        .build(TcString.Builder::build);
  }

  /** Subsets of 1..n. */
  private static Arbitrary<IdSet> ids(int n) {
    if (n == 0) {
      return Arbitraries.just(IdSet.of());
    }
    return Arbitraries.integers().between(1, n).set().ofMaxSize(n).map(IdSet::of);
  }

  /** Vendor sets: empty, a few scattered ids, or runs (where range encoding pays). */
  private static Arbitrary<IdSet> vendors() {
    Arbitrary<IdSet> scattered = Arbitraries.integers().between(1, IdSet.MAX_ID).set()
        .ofMaxSize(30).map(IdSet::of);
    Arbitrary<IdSet> small = Arbitraries.integers().between(1, 300).set().ofMaxSize(120)
        .map(IdSet::of);
    Arbitrary<IdSet> runs = Arbitraries.integers().between(1, 2_000)
        .flatMap(start -> Arbitraries.integers().between(0, 500).map(len -> new int[] {start,
            start + len}))
        .list().ofMaxSize(6)
        .map(rs -> {
          Set<Integer> ids = new TreeSet<>();
          for (int[] r : rs) {
            for (int i = r[0]; i <= r[1]; i++) {
              ids.add(i);
            }
          }
          return IdSet.of(ids);
        });
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(IdSet.of())),
        Tuple.of(3, scattered),
        Tuple.of(3, small),
        Tuple.of(3, runs),
        Tuple.of(1, Arbitraries.just(IdSet.of(IdSet.MAX_ID))));
  }
}
