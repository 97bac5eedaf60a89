package io.cdpkit.core.tcf;

/**
 * The optional publisher TC segment (segment type 3): the publisher's own purposes, as opposed to
 * those of the vendors in the core segment, and up to 63 custom purposes the publisher defines.
 *
 * <p>Immutable.
 *
 * @param pubPurposesConsent TCF purposes (1 to 24) consented to for the publisher
 * @param pubPurposesLITransparency TCF purposes (1 to 24) the publisher relies on legitimate
 *     interest for, with transparency established and no objection
 * @param numCustomPurposes how many custom purposes the publisher defines, 0 to 63
 * @param customPurposesConsent custom purposes (1 to {@code numCustomPurposes}) consented to
 * @param customPurposesLITransparency custom purposes (1 to {@code numCustomPurposes}) on
 *     legitimate interest
 */
public record PublisherTc(
    IdSet pubPurposesConsent,
    IdSet pubPurposesLITransparency,
    int numCustomPurposes,
    IdSet customPurposesConsent,
    IdSet customPurposesLITransparency) {

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException when a set holds an id out of its range, or
   *     {@code numCustomPurposes} is not 0 to 63
   * @throws NullPointerException when a set is null
   */
  public PublisherTc {
    IdSet.requireWithin(pubPurposesConsent, TcString.PURPOSES, "pubPurposesConsent");
    IdSet.requireWithin(pubPurposesLITransparency, TcString.PURPOSES,
        "pubPurposesLITransparency");
    if (numCustomPurposes < 0 || numCustomPurposes > 63) {
      throw new IllegalArgumentException(
          "numCustomPurposes: " + numCustomPurposes + " is not 0-63");
    }
    IdSet.requireWithin(customPurposesConsent, numCustomPurposes, "customPurposesConsent");
    IdSet.requireWithin(customPurposesLITransparency, numCustomPurposes,
        "customPurposesLITransparency");
  }
}
