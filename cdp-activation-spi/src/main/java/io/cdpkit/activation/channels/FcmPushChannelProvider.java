package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.Channels;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sends push notifications to Android, iOS and web apps through Firebase Cloud Messaging, with
 * its HTTP v1 API ({@code POST {base-url}/v1/projects/{project}/messages:send}).
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code project} (required): the Firebase project id;
 *   <li>{@code access-token}: a fixed OAuth 2.0 access token. Required when the provider was
 *       made with its no-argument constructor (as {@code ServiceLoader} does), refused when it
 *       was given a supplier. Google's access tokens live one hour, so a fixed one suits tests
 *       and short runs; register {@code new FcmPushChannelProvider(supplier)} for real use;
 *   <li>{@code base-url}: default {@code https://fcm.googleapis.com} (another one for a fake
 *       in tests or a proxy).
 * </ul>
 *
 * <h2>Access tokens</h2>
 * The supplier is called once per delivery, on the delivering thread, and must return a valid
 * token quickly: cache it and refresh it before it expires. With Google's auth library (in the
 * host, not in CDPKit) from a service account key with the role
 * <em>Firebase Cloud Messaging API Admin</em>:
 *
 * <pre>{@code
 * GoogleCredentials creds = GoogleCredentials.fromStream(new FileInputStream("sa.json"))
 *     .createScoped("https://www.googleapis.com/auth/firebase.messaging");
 * ChannelProvider fcm = new FcmPushChannelProvider(() -> {
 *   try {
 *     creds.refreshIfExpired();
 *     return creds.getAccessToken().getTokenValue();
 *   } catch (IOException e) {
 *     throw new UncheckedIOException(e);
 *   }
 * });
 * Activation.builder().channel("push", fcm, Map.of("project", "my-shop-app"));
 * }</pre>
 *
 * A supplier that throws, or returns null or blank, makes the delivery retryable.
 *
 * <h2>Recipients and payload</h2>
 * Recipients are the person's {@code device_id} identifiers that hold an FCM token
 * ({@link PushTokens#fcm}); others (APNs tokens, advertising ids) are ignored. Each of them is
 * judged by the consent gate on its own, so only the tokens whose consent allows the message
 * reach the channel; one request is sent per token. Payload: {@code title} and {@code body}
 * (at least one) become the {@code notification}; {@code data} (an object, optional) becomes
 * FCM's {@code data}, every value as text (nested values as JSON), with
 * {@code idempotency_key} added so an app can drop a push it already showed.
 *
 * <h2>Outcomes</h2>
 * <ul>
 *   <li>2xx: delivered; the FCM message name is the reference;
 *   <li>404 or {@code UNREGISTERED}, 400 {@code INVALID_ARGUMENT}, 403
 *       {@code SENDER_ID_MISMATCH}: that token fails for good;
 *   <li>401, and 403 otherwise: the credentials are refused; the message fails for good
 *       without trying its other tokens, with a reason that says what to check;
 *   <li>408, 429, 5xx ({@code QUOTA_EXCEEDED}, {@code UNAVAILABLE}, {@code INTERNAL}),
 *       I/O errors and timeouts: retryable, passing on {@code Retry-After};
 *   <li>other statuses: permanent.
 * </ul>
 * With several tokens: delivered when one took it (the others' retryable failures are not
 * retried, so no device gets it twice); else retryable when one failed for now; else permanent.
 * A message with no FCM token, with neither title nor body, with a {@code data} that is not an
 * object or uses FCM's reserved keys, or over FCM's 4,096 bytes fails for good.
 *
 * <p>Limits: one HTTP request per token (FCM v1 has no multicast); no Android, APNs or web
 * specific options ({@code android}, {@code apns}, {@code webpush} blocks); tokens of up to
 * {@value PushTokens#MAX_FCM_TOKEN_LENGTH} characters.
 *
 * <p>Thread-safe. Its channels are thread-safe too.
 */
public final class FcmPushChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "fcm";

  private final @Nullable Supplier<String> accessTokens;

  /** For {@code ServiceLoader}: channels then need the {@code access-token} key. */
  public FcmPushChannelProvider() {
    this.accessTokens = null;
  }

  /**
   * A provider whose channels take each delivery's access token from {@code accessTokens}.
   *
   * @param accessTokens gives a valid OAuth 2.0 access token with the
   *     {@code firebase.messaging} scope; called on delivering threads, possibly at once
   */
  public FcmPushChannelProvider(Supplier<String> accessTokens) {
    this.accessTokens = Objects.requireNonNull(accessTokens, "accessTokens");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code push}. */
  @Override
  public String consentChannel() {
    return Channels.PUSH;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code project} is missing or invalid, when
   *     {@code access-token} is missing (no supplier) or given (with a supplier), or when
   *     {@code base-url} is not an http or https URL
   */
  @Override
  public Channel create(ChannelContext context) {
    return new FcmPushChannel(context, accessTokens);
  }

  @Override
  public String toString() {
    return "FcmPushChannelProvider";
  }
}
