package io.cdpkit.activation.channels;

/**
 * How many SMS a text takes. A text of only GSM 03.38 characters goes as GSM-7: 160 characters
 * in one SMS, 153 per part when split (the characters {@code ^ { } \ [ ] ~ | €} take two);
 * any other character makes it UCS-2: 70 UTF-16 units in one SMS, 67 per part. Gateways split
 * and bill by these numbers; some also transliterate. Stateless.
 */
final class SmsSegments {
  private static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789"
      + ":;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String EXTENDED = "^{}\\[]~|€\f";

  private SmsSegments() {}

  /** The number of SMS the text takes (0 for an empty text). */
  static int count(String text) {
    int septets = 0;
    boolean gsm = true;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (BASIC.indexOf(c) >= 0) {
        septets++;
      } else if (EXTENDED.indexOf(c) >= 0) {
        septets += 2;
      } else {
        gsm = false;
        break;
      }
    }
    if (gsm) {
      return septets == 0 ? 0 : septets <= 160 ? 1 : (septets + 152) / 153;
    }
    int units = text.length();
    return units <= 70 ? 1 : (units + 66) / 67;
  }
}
