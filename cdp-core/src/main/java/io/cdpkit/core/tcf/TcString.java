package io.cdpkit.core.tcf;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A decoded IAB TCF v2 TC string: the core segment (with its vendor consents, vendor legitimate
 * interests and publisher restrictions) and the optional disclosed vendors, allowed vendors and
 * publisher TC segments. Field names follow the TCF v2 specification ("Consent string and vendor
 * list formats v2", IAB Tech Lab), which also says what each field means.
 *
 * <pre>{@code
 * TcString tc = TcString.decode(cookieValue);
 * boolean mayPersonaliseAds = tc.purposesConsent().containsAll(IdSet.of(3, 4))
 *     && tc.vendorConsents().contains(myVendorId);
 * }</pre>
 *
 * <h2>Decoding</h2>
 * {@link #decode(String)} reads segments separated by {@code .}: the core segment first, then
 * any of the optional ones, each at most once, in any order, told apart by their 3-bit segment
 * type (1 disclosed vendors, 2 allowed vendors, 3 publisher TC; others are refused). Each segment
 * is base64url (RFC 4648, {@code A-Z a-z 0-9 - _}), six bits per character; {@code =} padding at
 * the end of a segment is accepted and ignored, and so are the bits after a segment's last field
 * (encoders pad to whole characters or bytes). Vendor sets may be bit fields or range entries;
 * range entries may come in any order and may overlap (their union is taken), but every entry
 * must have {@code 1 <= start <= end <= maxVendorId}. Publisher restriction entries have no
 * {@code maxVendorId}: they need {@code 1 <= start <= end <= 65535}.
 *
 * <p>Refused, with an {@link InvalidTcStringException} naming the segment, field, bit and
 * reason: {@code null} is a programmer error; an empty string or segment, a string over
 * {@value #MAX_LENGTH} characters, a character outside base64url, a version other than 2, a
 * segment that ends inside a field, a consent language or publisher country that is not two
 * letters {@code A-Z}, a range entry out of bounds or with its end before its start, an unknown or
 * repeated segment type.
 *
 * <h2>Values</h2>
 * {@link #created()} and {@link #lastUpdated()} have decisecond precision (the string holds
 * deciseconds since the epoch in 36 bits, up to the year 2187). Since TCF v2.2, CMPs round both
 * to the day. Purposes are ids 1 to 24, special features 1 to 12, vendors 1 to 65535.
 * {@link #useNonStandardStacks()} is the field TCF v2.2 calls {@code UseNonStandardTexts}.
 * Which policy version ({@link #tcfPolicyVersion()}) is still valid is a policy question this
 * class leaves to the host: it decodes 2 (TCF 2.0/2.1), 4 (2.2) and 5 (2.3) alike.
 *
 * <h2>Why our own decoder</h2>
 * The IAB's Java library ({@code com.iabtcf:iabtcf-decoder}, on Maven Central) last released
 * 2.0.10 in October 2021, does not know TCF v2.2, and its maintainers point to the GPP library
 * instead; its errors are its own exception types without the field and bit. The format is a
 * few fixed-width fields and two set encodings, so this package reads it in a few hundred lines
 * with no dependency, refusing bad input with the field and bit named, and is tested against the
 * IAB library's own test strings and a round trip through an encoder.
 *
 * <p>Immutable, and thread-safe.
 */
public final class TcString {
  /** The TC string version this class decodes. */
  public static final int VERSION = 2;

  /** The longest TC string {@link #decode(String)} reads, in characters. */
  public static final int MAX_LENGTH = 65_536;

  /** The number of TCF purposes a string carries bits for (24). */
  public static final int PURPOSES = 24;

  /** The number of special features a string carries bits for (12). */
  public static final int SPECIAL_FEATURES = 12;

  /** The latest instant the 36-bit decisecond fields can hold. */
  public static final Instant MAX_INSTANT = Instant.ofEpochMilli(((1L << 36) - 1) * 100);

  private static final Pattern TWO_LETTERS = Pattern.compile("[A-Z]{2}");

  private final Instant created;
  private final Instant lastUpdated;
  private final int cmpId;
  private final int cmpVersion;
  private final int consentScreen;
  private final String consentLanguage;
  private final int vendorListVersion;
  private final int tcfPolicyVersion;
  private final boolean isServiceSpecific;
  private final boolean useNonStandardStacks;
  private final IdSet specialFeatureOptIns;
  private final IdSet purposesConsent;
  private final IdSet purposesLITransparency;
  private final boolean purposeOneTreatment;
  private final String publisherCC;
  private final IdSet vendorConsents;
  private final IdSet vendorLegitimateInterests;
  private final List<PublisherRestriction> publisherRestrictions;
  private final @Nullable IdSet disclosedVendors;
  private final @Nullable IdSet allowedVendors;
  private final @Nullable PublisherTc publisherTc;

  private TcString(Builder b) {
    this.created = b.created;
    this.lastUpdated = b.lastUpdated;
    this.cmpId = b.cmpId;
    this.cmpVersion = b.cmpVersion;
    this.consentScreen = b.consentScreen;
    this.consentLanguage = b.consentLanguage;
    this.vendorListVersion = b.vendorListVersion;
    this.tcfPolicyVersion = b.tcfPolicyVersion;
    this.isServiceSpecific = b.isServiceSpecific;
    this.useNonStandardStacks = b.useNonStandardStacks;
    this.specialFeatureOptIns = b.specialFeatureOptIns;
    this.purposesConsent = b.purposesConsent;
    this.purposesLITransparency = b.purposesLITransparency;
    this.purposeOneTreatment = b.purposeOneTreatment;
    this.publisherCC = b.publisherCC;
    this.vendorConsents = b.vendorConsents;
    this.vendorLegitimateInterests = b.vendorLegitimateInterests;
    this.publisherRestrictions = List.copyOf(b.publisherRestrictions);
    this.disclosedVendors = b.disclosedVendors;
    this.allowedVendors = b.allowedVendors;
    this.publisherTc = b.publisherTc;
  }

  /**
   * Decodes a TC string (see the class description).
   *
   * @throws InvalidTcStringException when the string is not a valid TC string v2
   * @throws NullPointerException when {@code tcString} is null
   */
  public static TcString decode(String tcString) {
    return TcDecoder.decode(Objects.requireNonNull(tcString, "tcString"));
  }

  /** A builder with every field zero, false or empty, both instants the epoch, {@code AA} for both two-letter codes. */
  public static Builder builder() {
    return new Builder();
  }

  /** Always {@value #VERSION}. */
  public int version() {
    return VERSION;
  }

  /** When the string was first created, to the decisecond. */
  public Instant created() {
    return created;
  }

  /** When the string was last updated, to the decisecond. */
  public Instant lastUpdated() {
    return lastUpdated;
  }

  /** The consent management platform's id (12 bits). */
  public int cmpId() {
    return cmpId;
  }

  /** The CMP's version (12 bits). */
  public int cmpVersion() {
    return cmpVersion;
  }

  /** The CMP screen where consent was last given (6 bits). */
  public int consentScreen() {
    return consentScreen;
  }

  /** Two upper-case letters: the language of the consent screen (ISO 639-1). */
  public String consentLanguage() {
    return consentLanguage;
  }

  /** The global vendor list version used (12 bits). */
  public int vendorListVersion() {
    return vendorListVersion;
  }

  /** The TCF policy version (6 bits): 2 for TCF 2.0/2.1, 4 for 2.2, 5 for 2.3. */
  public int tcfPolicyVersion() {
    return tcfPolicyVersion;
  }

  /** Whether the signal is for the site or app that set it only (not global). */
  public boolean isServiceSpecific() {
    return isServiceSpecific;
  }

  /** Whether the CMP used non-standard texts (stacks). */
  public boolean useNonStandardStacks() {
    return useNonStandardStacks;
  }

  /** Special features (1 to 12) opted in to. */
  public IdSet specialFeatureOptIns() {
    return specialFeatureOptIns;
  }

  /** Purposes (1 to 24) consented to, for the vendors. */
  public IdSet purposesConsent() {
    return purposesConsent;
  }

  /** Purposes (1 to 24) with legitimate-interest transparency and no objection. */
  public IdSet purposesLITransparency() {
    return purposesLITransparency;
  }

  /** Whether purpose 1 was not disclosed (the publisher's country does not require it). */
  public boolean purposeOneTreatment() {
    return purposeOneTreatment;
  }

  /** Two upper-case letters: the publisher's country (ISO 3166-1 alpha-2; {@code AA} unknown). */
  public String publisherCC() {
    return publisherCC;
  }

  /** Vendors (1 to 65535) consented to. */
  public IdSet vendorConsents() {
    return vendorConsents;
  }

  /** Vendors whose legitimate interest was disclosed and not objected to. */
  public IdSet vendorLegitimateInterests() {
    return vendorLegitimateInterests;
  }

  /** The publisher restrictions, in string order; unmodifiable. */
  public List<PublisherRestriction> publisherRestrictions() {
    return publisherRestrictions;
  }

  /** The vendors the CMP disclosed (segment type 1), if the string has that segment. */
  public Optional<IdSet> disclosedVendors() {
    return Optional.ofNullable(disclosedVendors);
  }

  /** The vendors the publisher allows (segment type 2, dropped in TCF v2.2), if present. */
  public Optional<IdSet> allowedVendors() {
    return Optional.ofNullable(allowedVendors);
  }

  /** The publisher's own purposes (segment type 3), if the string has that segment. */
  public Optional<PublisherTc> publisherTc() {
    return Optional.ofNullable(publisherTc);
  }

  /**
   * Whether the publisher restricts {@code vendorId} for {@code purposeId} with {@code type}.
   */
  public boolean isRestricted(int purposeId, int vendorId, PublisherRestriction.Type type) {
    for (PublisherRestriction r : publisherRestrictions) {
      if (r.purposeId() == purposeId && r.type() == type && r.vendors().contains(vendorId)) {
        return true;
      }
    }
    return false;
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.created = created;
    b.lastUpdated = lastUpdated;
    b.cmpId = cmpId;
    b.cmpVersion = cmpVersion;
    b.consentScreen = consentScreen;
    b.consentLanguage = consentLanguage;
    b.vendorListVersion = vendorListVersion;
    b.tcfPolicyVersion = tcfPolicyVersion;
    b.isServiceSpecific = isServiceSpecific;
    b.useNonStandardStacks = useNonStandardStacks;
    b.specialFeatureOptIns = specialFeatureOptIns;
    b.purposesConsent = purposesConsent;
    b.purposesLITransparency = purposesLITransparency;
    b.purposeOneTreatment = purposeOneTreatment;
    b.publisherCC = publisherCC;
    b.vendorConsents = vendorConsents;
    b.vendorLegitimateInterests = vendorLegitimateInterests;
    b.publisherRestrictions.addAll(publisherRestrictions);
    b.disclosedVendors = disclosedVendors;
    b.allowedVendors = allowedVendors;
    b.publisherTc = publisherTc;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TcString t)) {
      return false;
    }
    return created.equals(t.created) && lastUpdated.equals(t.lastUpdated) && cmpId == t.cmpId
        && cmpVersion == t.cmpVersion && consentScreen == t.consentScreen
        && consentLanguage.equals(t.consentLanguage)
        && vendorListVersion == t.vendorListVersion && tcfPolicyVersion == t.tcfPolicyVersion
        && isServiceSpecific == t.isServiceSpecific
        && useNonStandardStacks == t.useNonStandardStacks
        && specialFeatureOptIns.equals(t.specialFeatureOptIns)
        && purposesConsent.equals(t.purposesConsent)
        && purposesLITransparency.equals(t.purposesLITransparency)
        && purposeOneTreatment == t.purposeOneTreatment && publisherCC.equals(t.publisherCC)
        && vendorConsents.equals(t.vendorConsents)
        && vendorLegitimateInterests.equals(t.vendorLegitimateInterests)
        && publisherRestrictions.equals(t.publisherRestrictions)
        && Objects.equals(disclosedVendors, t.disclosedVendors)
        && Objects.equals(allowedVendors, t.allowedVendors)
        && Objects.equals(publisherTc, t.publisherTc);
  }

  @Override
  public int hashCode() {
    return Objects.hash(created, lastUpdated, cmpId, cmpVersion, consentScreen, consentLanguage,
        vendorListVersion, tcfPolicyVersion, isServiceSpecific, useNonStandardStacks,
        specialFeatureOptIns, purposesConsent, purposesLITransparency, purposeOneTreatment,
        publisherCC, vendorConsents, vendorLegitimateInterests, publisherRestrictions,
        disclosedVendors, allowedVendors, publisherTc);
  }

  /**
   * The fields, for debugging. A TC string is tied to one person's browser: do not log this
   * where personal data may not go.
   */
  @Override
  public String toString() {
    return "TcString[created=" + created + ", lastUpdated=" + lastUpdated + ", cmpId=" + cmpId
        + ", cmpVersion=" + cmpVersion + ", consentScreen=" + consentScreen
        + ", consentLanguage=" + consentLanguage + ", vendorListVersion=" + vendorListVersion
        + ", tcfPolicyVersion=" + tcfPolicyVersion + ", isServiceSpecific=" + isServiceSpecific
        + ", useNonStandardStacks=" + useNonStandardStacks
        + ", specialFeatureOptIns=" + specialFeatureOptIns
        + ", purposesConsent=" + purposesConsent
        + ", purposesLITransparency=" + purposesLITransparency
        + ", purposeOneTreatment=" + purposeOneTreatment + ", publisherCC=" + publisherCC
        + ", vendorConsents=" + vendorConsents
        + ", vendorLegitimateInterests=" + vendorLegitimateInterests
        + ", publisherRestrictions=" + publisherRestrictions
        + ", disclosedVendors=" + disclosedVendors + ", allowedVendors=" + allowedVendors
        + ", publisherTc=" + publisherTc + "]";
  }

  /**
   * Builds a {@link TcString}; each setter checks its value at once and throws
   * {@link IllegalArgumentException} naming the field and the range.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Instant created = Instant.EPOCH;
    private Instant lastUpdated = Instant.EPOCH;
    private int cmpId;
    private int cmpVersion;
    private int consentScreen;
    private String consentLanguage = "AA";
    private int vendorListVersion;
    private int tcfPolicyVersion;
    private boolean isServiceSpecific;
    private boolean useNonStandardStacks;
    private IdSet specialFeatureOptIns = IdSet.of();
    private IdSet purposesConsent = IdSet.of();
    private IdSet purposesLITransparency = IdSet.of();
    private boolean purposeOneTreatment;
    private String publisherCC = "AA";
    private IdSet vendorConsents = IdSet.of();
    private IdSet vendorLegitimateInterests = IdSet.of();
    private final List<PublisherRestriction> publisherRestrictions = new ArrayList<>();
    private @Nullable IdSet disclosedVendors;
    private @Nullable IdSet allowedVendors;
    private @Nullable PublisherTc publisherTc;

    private Builder() {}

    /** From the epoch to {@link #MAX_INSTANT}, a whole number of deciseconds. */
    public Builder created(Instant created) {
      this.created = deciseconds(created, "created");
      return this;
    }

    /** From the epoch to {@link #MAX_INSTANT}, a whole number of deciseconds. */
    public Builder lastUpdated(Instant lastUpdated) {
      this.lastUpdated = deciseconds(lastUpdated, "lastUpdated");
      return this;
    }

    /** 0 to 4095. */
    public Builder cmpId(int cmpId) {
      this.cmpId = bits(cmpId, 12, "cmpId");
      return this;
    }

    /** 0 to 4095. */
    public Builder cmpVersion(int cmpVersion) {
      this.cmpVersion = bits(cmpVersion, 12, "cmpVersion");
      return this;
    }

    /** 0 to 63. */
    public Builder consentScreen(int consentScreen) {
      this.consentScreen = bits(consentScreen, 6, "consentScreen");
      return this;
    }

    /** Two letters {@code A-Z}. */
    public Builder consentLanguage(String consentLanguage) {
      this.consentLanguage = letters(consentLanguage, "consentLanguage");
      return this;
    }

    /** 0 to 4095. */
    public Builder vendorListVersion(int vendorListVersion) {
      this.vendorListVersion = bits(vendorListVersion, 12, "vendorListVersion");
      return this;
    }

    /** 0 to 63. */
    public Builder tcfPolicyVersion(int tcfPolicyVersion) {
      this.tcfPolicyVersion = bits(tcfPolicyVersion, 6, "tcfPolicyVersion");
      return this;
    }

    public Builder isServiceSpecific(boolean isServiceSpecific) {
      this.isServiceSpecific = isServiceSpecific;
      return this;
    }

    public Builder useNonStandardStacks(boolean useNonStandardStacks) {
      this.useNonStandardStacks = useNonStandardStacks;
      return this;
    }

    /** Ids 1 to 12. */
    public Builder specialFeatureOptIns(IdSet ids) {
      this.specialFeatureOptIns =
          IdSet.requireWithin(ids, SPECIAL_FEATURES, "specialFeatureOptIns");
      return this;
    }

    /** Ids 1 to 24. */
    public Builder purposesConsent(IdSet ids) {
      this.purposesConsent = IdSet.requireWithin(ids, PURPOSES, "purposesConsent");
      return this;
    }

    /** Ids 1 to 24. */
    public Builder purposesLITransparency(IdSet ids) {
      this.purposesLITransparency = IdSet.requireWithin(ids, PURPOSES, "purposesLITransparency");
      return this;
    }

    public Builder purposeOneTreatment(boolean purposeOneTreatment) {
      this.purposeOneTreatment = purposeOneTreatment;
      return this;
    }

    /** Two letters {@code A-Z}. */
    public Builder publisherCC(String publisherCC) {
      this.publisherCC = letters(publisherCC, "publisherCC");
      return this;
    }

    public Builder vendorConsents(IdSet ids) {
      this.vendorConsents = Objects.requireNonNull(ids, "vendorConsents");
      return this;
    }

    public Builder vendorLegitimateInterests(IdSet ids) {
      this.vendorLegitimateInterests = Objects.requireNonNull(ids, "vendorLegitimateInterests");
      return this;
    }

    /** Adds a restriction after those already added; at most 4095. */
    public Builder publisherRestriction(PublisherRestriction restriction) {
      Objects.requireNonNull(restriction, "restriction");
      if (publisherRestrictions.size() == 4095) {
        throw new IllegalArgumentException("publisherRestrictions: at most 4095");
      }
      publisherRestrictions.add(restriction);
      return this;
    }

    /** The disclosed vendors segment; {@code null} for none. */
    public Builder disclosedVendors(@Nullable IdSet ids) {
      this.disclosedVendors = ids;
      return this;
    }

    /** The allowed vendors segment; {@code null} for none. */
    public Builder allowedVendors(@Nullable IdSet ids) {
      this.allowedVendors = ids;
      return this;
    }

    /** The publisher TC segment; {@code null} for none. */
    public Builder publisherTc(@Nullable PublisherTc publisherTc) {
      this.publisherTc = publisherTc;
      return this;
    }

    public TcString build() {
      return new TcString(this);
    }

    private static int bits(int value, int bits, String field) {
      if (value < 0 || value >= 1 << bits) {
        throw new IllegalArgumentException(
            field + ": " + value + " is not 0-" + ((1 << bits) - 1));
      }
      return value;
    }

    private static String letters(String value, String field) {
      if (value == null || !TWO_LETTERS.matcher(value).matches()) {
        throw new IllegalArgumentException(field + ": must be two letters A-Z");
      }
      return value;
    }

    private static Instant deciseconds(Instant value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isBefore(Instant.EPOCH) || value.isAfter(MAX_INSTANT)) {
        throw new IllegalArgumentException(field + ": must be from the epoch to " + MAX_INSTANT);
      }
      if (value.getNano() % 100_000_000 != 0) {
        throw new IllegalArgumentException(field + ": must be a whole number of deciseconds");
      }
      return value;
    }
  }
}
