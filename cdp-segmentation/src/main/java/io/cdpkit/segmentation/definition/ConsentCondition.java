package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;

/**
 * The profile's latest consent decision for a purpose on a channel is <em>granted</em> (see
 * {@link io.cdpkit.core.model.ConsentKey}); no decision means no consent. A grant with an expiry
 * holds until it expires: the profile leaves the segment at that instant, without a change to
 * the profile.
 *
 * <p>JSON: {@code {"type": "consent", "purpose": "marketing", "channel": "email"}}.
 *
 * <p>Immutable.
 *
 * @param purpose the purpose, matching {@code [a-z][a-z0-9_-]{0,63}}
 * @param channel the channel, matching {@code [a-z][a-z0-9_-]{0,63}}
 */
public record ConsentCondition(String purpose, String channel) implements Condition {
  /**
   * Checks purpose and channel.
   *
   * @throws IllegalArgumentException when either does not match the pattern
   */
  public ConsentCondition {
    Rules.check("purpose", Rules.consentPart(purpose));
    Rules.check("channel", Rules.consentPart(channel));
  }
}
