package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;

class PushTokensProperties {
  /**
   * Any FCM token survives the core's normalisation of {@code device_id} values (which
   * lower-cases them) and comes back exactly, upper case and all.
   */
  @Property(tries = 500)
  void fcmTokensSurviveNormalisation(@ForAll @CharRange(from = '!', to = '~')
      @StringLength(min = 1, max = PushTokens.MAX_FCM_TOKEN_LENGTH) String token) {
    Identifier id = PushTokens.fcm(token);
    Identifier normalised = IdentityRules.defaults().normalize(id).orElseThrow();
    assertThat(normalised).isEqualTo(id);
    assertThat(PushTokens.fcmToken(normalised)).hasValue(token);
    assertThat(PushTokens.apnsToken(normalised)).isEmpty();
  }

  @Property(tries = 300)
  void apnsTokensSurviveNormalisation(@ForAll @CharRange(from = '0', to = '9')
      @CharRange(from = 'a', to = 'f') @CharRange(from = 'A', to = 'F')
      @StringLength(min = 32, max = 32) String half) {
    String token = half + half.toUpperCase(Locale.ROOT);
    Identifier normalised = IdentityRules.defaults().normalize(PushTokens.apns(token))
        .orElseThrow();
    assertThat(PushTokens.apnsToken(normalised)).hasValue(token.toLowerCase(Locale.ROOT));
    assertThat(PushTokens.fcmToken(normalised)).isEmpty();
  }

  @Example
  void longestTokenFitsAnIdentifier() {
    assertThat(PushTokens.FCM_PREFIX.length() + 2 * PushTokens.MAX_FCM_TOKEN_LENGTH)
        .isLessThanOrEqualTo(Identifier.MAX_VALUE_LENGTH);
    assertThat(PushTokens.fcm("A".repeat(PushTokens.MAX_FCM_TOKEN_LENGTH)).value())
        .hasSize(Identifier.MAX_VALUE_LENGTH);
  }

  @Example
  void refusesWhatIsNoToken() {
    assertThatThrownBy(() -> PushTokens.fcm("has space")).isInstanceOf(
        IllegalArgumentException.class).hasMessageNotContaining("has space");
    assertThatThrownBy(() -> PushTokens.fcm("zero\u200bwidth")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> PushTokens.fcm("x".repeat(PushTokens.MAX_FCM_TOKEN_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PushTokens.apns("abc")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> PushTokens.apns("zz".repeat(32))).isInstanceOf(
        IllegalArgumentException.class);
    assertThat(PushTokens.fcmToken(Identifier.of(IdentifierType.DEVICE_ID, "fcm:zz")))
        .isEmpty();
    assertThat(PushTokens.fcmToken(Identifier.of(IdentifierType.DEVICE_ID, "fcm:0a20")))
        .as("control characters and spaces are no token").isEmpty();
    assertThat(PushTokens.fcmToken(Identifier.of(IdentifierType.of("push_token"),
        PushTokens.fcm("abc").value()))).as("another type").isEmpty();
    assertThat(PushTokens.apnsToken(Identifier.of(IdentifierType.DEVICE_ID, "idfa-1234")))
        .isEmpty();
  }
}
