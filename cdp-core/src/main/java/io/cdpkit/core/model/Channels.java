package io.cdpkit.core.model;

/**
 * Names of the retail channels CDPKit knows. A channel is a plain lower-case string, so hosts can
 * use others; these are the ones the built-in profile fields and examples use. Constants only.
 */
public final class Channels {
  public static final String WEB = "web";
  public static final String APP = "app";
  public static final String POS = "pos";
  public static final String EMAIL = "email";
  public static final String SMS = "sms";
  public static final String PUSH = "push";
  public static final String CALL_CENTER = "call-center";
  public static final String DIRECT_MAIL = "direct-mail";
  public static final String PHONE = "phone";
  public static final String SOCIAL = "social";
  /** Advertising audiences (consent to be matched in an ad platform's audience). */
  public static final String ADS = "ads";

  private Channels() {}
}
