package io.cdpkit.storage.jdbc.logs;

import java.util.List;

/** The personal data of the log scenario's shopper, and the forms it could appear in. */
final class PiiValues {
  static final String FIRST_NAME = "Ayşegül";
  static final String LAST_NAME = "Yıldırımoğlu";
  static final String EMAIL = "Aysegul.Yildirimoglu@Example.com";
  static final String PHONE = "+31 6 2345 6789";
  static final String STREET = "Keizersgracht 417";
  static final String CARD = "2900077712345";
  static final String CUSTOMER = "CUST-88412";
  static final String COOKIE = "anon-5c1e0b7d9f";
  static final String IBAN = "NL91ABNA0417164300";
  /** A malformed e-mail address that ingestion refuses: the refusal must not repeat it. */
  static final String BAD_EMAIL = "aysegul.yildirimoglu@@example";
  /** A malformed phone number that ingestion refuses. */
  static final String BAD_PHONE = "+31 6 2345 67X9";

  /** Every text that would give the shopper away, in the forms the code may have made of it. */
  static final List<String> NEEDLES = List.of(
      FIRST_NAME, "Aysegul", "aysegul", LAST_NAME, "Yildirimoglu", "yildirimoglu",
      EMAIL, EMAIL.toLowerCase(java.util.Locale.ROOT), PHONE, "+31623456789", "623456789",
      "2345 6789", STREET, "Keizersgracht", CARD, CUSTOMER, COOKIE, IBAN, BAD_EMAIL,
      BAD_PHONE, "67X9");

  private PiiValues() {}
}
