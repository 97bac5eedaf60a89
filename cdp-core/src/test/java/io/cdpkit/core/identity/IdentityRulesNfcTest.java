package io.cdpkit.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IdentityRulesNfcTest {
  @Provide
  Arbitrary<String> texts() {
    // ASCII and Latin-1, the last char before the combining marks, combining marks that compose
    // with a letter before them (e + U+0301 is é), Hangul jamo that compose into a syllable, a
    // syllable, and chars whose NFC form is another char (the Angstrom sign, U+0340).
    return Arbitraries.strings().withChars("aeAZ09@.-_ éÅÿ\u02ff\u0300\u0301\u0308\u0327"
        + "\u1100\u1161\u11a8\uac00\u212b\u0340\u0344\u2126").ofMaxLength(12);
  }

  @Property(tries = 3000)
  @Label("nfc gives Normalizer's NFC form of any text, through its shortcut or not")
  void asNormalizer(@ForAll("texts") String s) {
    assertThat(IdentityRules.nfc(s)).isEqualTo(Normalizer.normalize(s, Normalizer.Form.NFC));
  }
}
