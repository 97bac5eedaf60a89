package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.channels.AudienceHashing.Platform;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Audience hashing")
class AudienceHashingTest {
  private static final Platform GOOGLE = Platform.GOOGLE_ADS;
  private static final Platform META = Platform.META_CAPI;
  private static final Platform SNAP = Platform.SNAP_CAPI;

  @Test
  @DisplayName("hashes the UTF-8 bytes of the normalised value as lower-case hex SHA-256")
  void sha256() {
    // printf 'abc' | sha256sum
    assertThat(AudienceHashing.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // printf 'raphaël' | sha256sum, Snap's published first-name example
    assertThat(AudienceHashing.hash(SNAP, "fn", "Raphaël"))
        .isEqualTo("e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7");
  }

  @Test
  @DisplayName("lower-cases without the default locale (a Turkish I stays an i)")
  void localeIndependent() {
    assertThat(AudienceHashing.normalize(GOOGLE, "email", "IRMAK.IŞIK@EXAMPLE.COM"))
        .isEqualTo("irmak.işik@example.com");
    assertThat(AudienceHashing.normalize(META, "ct", "ISTANBUL")).isEqualTo("istanbul");
  }

  @Nested
  @DisplayName("for Google Ads")
  class Google {
    @ParameterizedTest(name = "email \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Jane.Doe@Example.com|jane.doe@example.com",
        "\"  J a n e@example.com\t\"|jane@example.com",
        "J.A.N.E+promo@gmail.com|jane+promo@gmail.com",
        "j.ane@GoogleMail.com|jane@googlemail.com",
        "j.ane@gmail.com.au|j.ane@gmail.com.au"})
    void email(String in, String out) {
      assertThat(AudienceHashing.normalize(GOOGLE, "email", in)).isEqualTo(out);
      assertThat(AudienceHashing.normalize(GOOGLE, "em", in)).isEqualTo(out);
    }

    @ParameterizedTest(name = "phone \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "+31 6 1234 5678|+31612345678",
        "+1 (800) 555-0102|+18005550102",
        "0031 6-12345678|+31612345678",
        "+44.20.7946.0000|+442079460000"})
    void phone(String in, String out) {
      assertThat(AudienceHashing.normalize(GOOGLE, "phone", in)).isEqualTo(out);
    }

    @Test
    @DisplayName("names and street addresses are trimmed and lower-cased, inner spaces kept")
    void names() {
      assertThat(AudienceHashing.normalize(GOOGLE, "first_name", " Mary Ann ")).isEqualTo(
          "mary ann");
      assertThat(AudienceHashing.normalize(GOOGLE, "ln", "Van der Berg")).isEqualTo(
          "van der berg");
      assertThat(AudienceHashing.normalize(GOOGLE, "street_address", "1600 Amphitheatre Pkwy"))
          .isEqualTo("1600 amphitheatre pkwy");
    }

    @Test
    @DisplayName("refuses a national phone number and an address without one @")
    void refuses() {
      assertThatThrownBy(() -> AudienceHashing.normalize(GOOGLE, "phone", "06 12345678"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("google_ads phone must be in E.164: + and the country code, 7 to 15"
              + " digits in all");
      assertThatThrownBy(() -> AudienceHashing.normalize(GOOGLE, "email", "a@b@c.com"))
          .hasMessageContaining("google_ads email").hasMessageNotContaining("a@b@c.com");
      assertThatThrownBy(() -> AudienceHashing.normalize(GOOGLE, "email", "...@gmail.com"))
          .hasMessageContaining("local part");
    }
  }

  @Nested
  @DisplayName("for Meta")
  class Meta {
    @ParameterizedTest(name = "{0} \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "em|\" John_Smith@Gmail.com \"|john_smith@gmail.com",
        "email|j.o.h.n@gmail.com|j.o.h.n@gmail.com",
        "ph|(650)555-1212|6505551212",
        "ph|+31 6 12345678|31612345678",
        "phone|00031612345678|31612345678",
        "fn|\"  Valéry \"|valéry",
        "first_name|Mary|mary",
        "ln|O'Brien|o'brien",
        "f5first|Jo|jo",
        "f5last|Ayşegül|ayşeg",
        "fi|\" élodie\"|é",
        "dobd|09|09",
        "dobd|31|31",
        "dobm|12|12",
        "doby|1987|1987",
        "ct|St. Louis (MO)|stlouismo",
        "st|CA|ca",
        "zp|1012 AB|1012ab",
        "zp|94035-1234|94035",
        "country|nl|nl",
        "country|\" U.S. \"|us",
        "ge|F|f",
        "external_id|C-1001|c-1001"})
    void fields(String field, String in, String out) {
      assertThat(AudienceHashing.normalize(META, field, in)).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} \"{1}\" is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "em|ayse yilmaz@example.com",
        "em|ayse@localhost",
        "ph|12345",
        "ph|+1 800 FLOWERS",
        "ph|00000612345678",
        "dobd|0",
        "dobd|32",
        "dobd|1st",
        "dobm|13",
        "doby|87",
        "country|xx",
        "country|nld",
        "zp|-1234",
        "fn|\"   \""})
    void refused(String field, String in) {
      assertThatThrownBy(() -> AudienceHashing.normalize(META, field, in))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("meta_capi " + field)
          .satisfies(e -> {
            if (!in.isBlank()) {
              assertThat(e.getMessage()).doesNotContain(in);
            }
          });
    }
  }

  @Nested
  @DisplayName("for Snap")
  class Snap {
    @ParameterizedTest(name = "{0} \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "em|\" Person@Example.com \"|person@example.com",
        "ph|+44 844 412 4653|448444124653",
        "ph|0044 (844) 412-4653|448444124653",
        "phone|+1 (616) 954-7888|16169547888",
        "fn|Raphaël|raphaël",
        "first_name|Jean-Luc!|jeanluc",
        "ln|\" O'Neil. \"|oneil"})
    void fields(String field, String in, String out) {
      assertThat(AudienceHashing.normalize(SNAP, field, in)).isEqualTo(out);
    }

    @Test
    @DisplayName("refuses a phone number of fewer than 7 digits")
    void shortPhone() {
      assertThatThrownBy(() -> AudienceHashing.normalize(SNAP, "ph", "+0 12"))
          .hasMessageStartingWith("snap_capi ph");
    }
  }

  @Test
  @DisplayName("refuses an unknown platform or field, naming what is known")
  void unknown() {
    assertThatThrownBy(() -> Platform.of("tiktok"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("google_ads, meta_capi, snap_capi");
    assertThatThrownBy(() -> AudienceHashing.normalize(SNAP, "dobd", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snap_capi has no field 'dobd'")
        .hasMessageContaining("em, email, first_name, fn, last_name, ln, ph, phone");
  }

  @Test
  @DisplayName("knows each platform's e-mail and phone fields")
  void fieldsOfPlatforms() {
    for (Platform p : Platform.values()) {
      assertThat(p.fields()).contains(p.emailField(), p.phoneField(), "email", "phone");
      assertThat(Platform.of(p.id())).isSameAs(p);
    }
  }
}
