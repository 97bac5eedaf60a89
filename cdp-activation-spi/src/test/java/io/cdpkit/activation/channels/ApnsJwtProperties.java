package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class ApnsJwtProperties {
  private static final KeyPair KEY;

  static {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KEY = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Any signature the JDK makes, rewritten as r||s, is 64 bytes and verifies once written back
   * as DER by independent code; over 1,000 tries r or s is shorter than 32 bytes (a leading
   * zero dropped) or has a sign byte added several times.
   */
  @Property(tries = 1000)
  void joseFormVerifies(@ForAll byte[] data) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(KEY.getPrivate());
    s.update(data);
    byte[] jose = ApnsJwt.derToJose(s.sign(), 32);
    assertThat(jose).hasSize(64);
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(KEY.getPublic());
    v.update(data);
    assertThat(v.verify(FakeApns.joseToDer(jose))).isTrue();
  }

  @Example
  void shortIntegersArePaddedOnTheLeft() throws Exception {
    // SEQUENCE { INTEGER 0x01, INTEGER 0x00 0x80 } -> r = 1, s = 128
    byte[] der = {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, (byte) 0x80};
    byte[] jose = ApnsJwt.derToJose(der, 32);
    assertThat(jose[31]).isEqualTo((byte) 1);
    assertThat(jose[63]).isEqualTo((byte) 0x80);
    for (int i = 0; i < 64; i++) {
      if (i != 31 && i != 63) {
        assertThat(jose[i]).isZero();
      }
    }
  }

  @Example
  void refusesWhatIsNoSignature() {
    assertThatThrownBy(() -> ApnsJwt.derToJose(new byte[] {0x31, 0x06, 0x02, 0x01, 0x01, 0x02,
        0x01, 0x01}, 32)).isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> ApnsJwt.derToJose(new byte[] {0x30, 0x07, 0x02, 0x01, 0x01, 0x02,
        0x01, 0x01}, 32)).isInstanceOf(GeneralSecurityException.class);
    byte[] tooLong = new byte[2 + 2 + 34 + 3];
    tooLong[0] = 0x30;
    tooLong[1] = (byte) (tooLong.length - 2);
    tooLong[2] = 0x02;
    tooLong[3] = 34;
    tooLong[4] = 0x7f;
    tooLong[38] = 0x02;
    tooLong[39] = 0x01;
    tooLong[40] = 0x01;
    assertThatThrownBy(() -> ApnsJwt.derToJose(tooLong, 32))
        .isInstanceOf(GeneralSecurityException.class);
  }
}
