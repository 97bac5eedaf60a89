package io.cdpkit.activation.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The channel contract: what every {@link ChannelProvider} and its {@link Channel}s must do,
 * written only against the public SPI. A channel plugin passes it by subclassing once:
 *
 * <pre>{@code
 * @DisplayName("The CRM webhook meets the channel contract")
 * class CrmChannelContractTest extends ChannelContractTest {
 *   @Override
 *   protected ChannelProvider provider() {
 *     return new CrmChannelProvider();
 *   }
 *
 *   @Override
 *   protected Map<String, String> config() {
 *     return Map.of("url", fakeCrm.url(), "token", "t0k3n");
 *   }
 *
 *   @Override
 *   protected Messages.Builder sampleMessage(Messages.Builder message) {
 *     return message.put("subject", "Your order");
 *   }
 *
 *   @Override
 *   protected void assertArrived(Message message, DeliveryResult result) {
 *     assertThat(fakeCrm.received()).contains(message.idempotencyKey());
 *   }
 * }
 * }</pre>
 *
 * <p>Decisions the SPI leaves open and this suite pins down: the sample message (with the
 * payload your hook adds) is delivered; {@code deliver} answers every message, even one with
 * no recipients and an empty payload, with a result and never an exception (the engine would
 * count an exception as a retryable failure, but a result says why); delivering the same
 * message twice is allowed; an interrupted worker gets its answer within the timeout and keeps
 * its interrupt flag; {@code close} may be called twice; no {@code toString} and no failure
 * reason shows a recipient's address or a payload value; with a key of the working
 * configuration left out, {@code create} either works or throws an
 * {@link IllegalArgumentException} that names that key. Deliveries run on a worker thread, as
 * in the engine, and fail the test when they outlast the timeout by more than
 * {@link #grace()}.
 *
 * <p>Not thread-safe: JUnit makes one instance per test.
 */
public abstract class ChannelContractTest {
  private static final Pattern PROVIDER_ID = Pattern.compile("[a-z][a-z0-9-]{0,63}");
  private static final Pattern CONSENT_CHANNEL = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  private final List<Channel> opened = new ArrayList<>();

  /** The provider under test, freshly made. */
  protected abstract ChannelProvider provider();

  /** A configuration that works in this test: channels made from it deliver. */
  protected abstract Map<String, String> config();

  /** The channel's name in the context. */
  protected String channelName() {
    return "contract";
  }

  /** The timeout of one delivery, handed to the channel in its context. */
  protected Duration timeout() {
    return TestChannelContext.DEFAULT_TIMEOUT;
  }

  /** How long past the timeout a delivery may take before the suite calls it hung. */
  protected Duration grace() {
    return Duration.ofSeconds(3);
  }

  /** The context a channel is made with. The default is a {@link TestChannelContext}. */
  protected ChannelContext context(Map<String, String> config) {
    return TestChannelContext.of(channelName(), config).withTimeout(timeout());
  }

  /**
   * The sample message, to add what the channel needs (payload keys, other recipients). The
   * builder comes from {@link Messages#sample(List)} with the channel's address types.
   */
  protected Messages.Builder sampleMessage(Messages.Builder message) {
    return message;
  }

  /**
   * Checks that a message the channel reported delivered arrived where it should. The default
   * checks nothing.
   */
  protected void assertArrived(Message message, DeliveryResult result) throws Exception {}

  /** A channel made from {@link #config()}, closed after the test. */
  protected final Channel channel() {
    return open(config());
  }

  private Channel open(Map<String, String> config) {
    Channel c = Objects.requireNonNull(provider().create(context(config)),
        "create returned null");
    opened.add(c);
    return c;
  }

  /** The sample message for a channel. */
  protected final Message sample(Channel channel) {
    return sampleMessage(Messages.sample(channel.addresses())).build();
  }

  @AfterEach
  void closeChannels() {
    for (Channel c : opened) {
      c.close();
    }
    opened.clear();
  }

  /** What a delivery on a worker thread came to. */
  private static final class Outcome {
    final DeliveryResult result;
    final boolean interruptedAfter;
    final Duration took;

    Outcome(DeliveryResult result, boolean interruptedAfter, Duration took) {
      this.result = result;
      this.interruptedAfter = interruptedAfter;
      this.took = took;
    }
  }

  /**
   * Delivers on a new worker thread, interrupted first when asked, and waits up to the timeout
   * plus the grace. Fails when deliver throws, returns null or does not return in time.
   */
  private Outcome deliverOnWorker(Channel channel, Message message, boolean interrupted)
      throws InterruptedException {
    AtomicReference<DeliveryResult> result = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    long[] nanos = new long[1];
    Thread worker = new Thread(() -> {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      long start = System.nanoTime();
      try {
        result.set(channel.deliver(message));
      } catch (Throwable t) {
        thrown.set(t);
      } finally {
        nanos[0] = System.nanoTime() - start;
        flagAfter.set(Thread.currentThread().isInterrupted());
      }
    }, "contract-worker");
    worker.setDaemon(true);
    worker.start();
    Duration limit = timeout().plus(grace());
    worker.join(limit.toMillis());
    if (worker.isAlive()) {
      worker.interrupt();
      fail("deliver did not return within the timeout " + timeout() + " plus " + grace());
    }
    if (thrown.get() != null) {
      throw new AssertionError("deliver threw instead of returning a result", thrown.get());
    }
    assertThat(result.get()).as("deliver's result").isNotNull();
    return new Outcome(result.get(), flagAfter.get(), Duration.ofNanos(nanos[0]));
  }

  private DeliveryResult deliver(Channel channel, Message message) throws InterruptedException {
    return deliverOnWorker(channel, message, false).result;
  }

  private static void assertNoPersonalData(String what, String text, Set<String> personal) {
    for (String v : personal) {
      assertThat(text).as("%s must not show a recipient or payload value", what)
          .doesNotContain(v);
    }
  }

  @Nested
  @DisplayName("The provider")
  class ProviderContract {
    @Test
    @DisplayName("has an id of 1 to 64 of a-z, 0-9 and -, starting with a letter")
    void idIsValid() {
      assertThat(provider().id()).matches(PROVIDER_ID);
    }

    @Test
    @DisplayName("reports the SPI major version it was built against")
    void spiMajorVersion() {
      assertThat(provider().spiMajorVersion()).isEqualTo(ChannelProvider.SPI_MAJOR_VERSION);
    }

    @Test
    @DisplayName("has a public no-argument constructor, as ServiceLoader needs")
    void publicNoArgConstructor() throws Exception {
      Class<? extends ChannelProvider> type = provider().getClass();
      assertThat(Modifier.isPublic(type.getModifiers())).as("the class is public").isTrue();
      assertThat(Modifier.isAbstract(type.getModifiers())).as("the class is abstract").isFalse();
      Constructor<? extends ChannelProvider> constructor = type.getConstructor();
      assertThat(Modifier.isPublic(constructor.getModifiers())).isTrue();
      assertThat(constructor.newInstance().id()).isEqualTo(provider().id());
    }

    @Test
    @DisplayName("names a valid consent channel, or leaves it to the registration")
    void consentChannel() {
      String consent = provider().consentChannel();
      if (consent != null) {
        assertThat(consent).matches(CONSENT_CHANNEL);
      }
    }

    @Test
    @DisplayName("is declared in META-INF/services, so discovery finds it")
    void declaredForServiceLoader() {
      Class<?> type = provider().getClass();
      List<Class<?>> found = new ArrayList<>();
      ServiceLoader.load(ChannelProvider.class, type.getClassLoader()).stream()
          .forEach(p -> found.add(p.type()));
      assertThat(found).contains(type);
    }
  }

  @Nested
  @DisplayName("Creating a channel")
  class Creating {
    @Test
    @DisplayName("works with the working configuration")
    void createWithConfig() {
      Channel c = channel();
      assertThat(c.addresses()).isNotNull().doesNotContainNull();
    }

    @Test
    @DisplayName("with an empty configuration either works or throws IllegalArgumentException"
        + " naming a key")
    void createWithEmptyConfig() {
      try {
        open(Map.of());
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).as("the message of %s", e).isNotNull();
        assertThat(config().keySet()).as("keys of the working configuration named in: %s",
            e.getMessage()).anyMatch(k -> e.getMessage().contains(k));
      }
    }

    @Test
    @DisplayName("without any one key of the working configuration either works or names that"
        + " key")
    void createWithoutOneKey() {
      for (String key : config().keySet()) {
        Map<String, String> without = new HashMap<>(config());
        without.remove(key);
        try {
          open(without);
        } catch (IllegalArgumentException e) {
          assertThat(e.getMessage()).as("the message when '%s' is left out", key)
              .isNotNull().contains(key);
        }
      }
    }
  }

  @Nested
  @DisplayName("Delivering")
  class Delivering {
    @Test
    @DisplayName("delivers the sample message")
    void deliversSample() throws Exception {
      Channel c = channel();
      Message m = sample(c);
      DeliveryResult r = deliver(c, m);
      assertThat(r.outcome()).as("outcome of %s", r).isEqualTo(DeliveryResult.Outcome.DELIVERED);
      assertArrived(m, r);
    }

    @Test
    @DisplayName("answers the same message delivered twice with a result each time")
    void deliversTwice() throws Exception {
      Channel c = channel();
      Message m = sample(c);
      DeliveryResult first = deliver(c, m);
      DeliveryResult second = deliver(c, m);
      assertThat(first.outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
      assertThat(second).isNotNull();
    }

    @Test
    @DisplayName("answers a message with no recipients and no payload with a result, not an"
        + " exception")
    void emptyMessage() throws Exception {
      Channel c = channel();
      DeliveryResult r = deliver(c, Messages.builder().build());
      assertThat(r.outcome()).isNotNull();
    }

    @Test
    @DisplayName("answers a later attempt of the sample message")
    void laterAttempt() throws Exception {
      Channel c = channel();
      Message m = sampleMessage(Messages.sample(c.addresses())).attempt(3).build();
      assertThat(deliver(c, m).outcome()).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    }

    @Test
    @DisplayName("delivers from several worker threads at once")
    void concurrentDeliveries() throws Exception {
      Channel c = channel();
      int n = 4;
      List<Thread> workers = new ArrayList<>();
      List<AtomicReference<Object>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Message m = sampleMessage(Messages.sample(c.addresses()))
            .idempotencyKey("msg-concurrent-" + i).build();
        AtomicReference<Object> out = new AtomicReference<>();
        results.add(out);
        Thread t = new Thread(() -> {
          try {
            out.set(c.deliver(m));
          } catch (Throwable e) {
            out.set(e);
          }
        }, "contract-worker-" + i);
        t.setDaemon(true);
        workers.add(t);
      }
      workers.forEach(Thread::start);
      for (Thread t : workers) {
        t.join(timeout().plus(grace()).toMillis());
        assertThat(t.isAlive()).as("%s still delivering", t.getName()).isFalse();
      }
      for (AtomicReference<Object> out : results) {
        assertThat(out.get()).isInstanceOf(DeliveryResult.class);
        assertThat(((DeliveryResult) out.get()).outcome())
            .isEqualTo(DeliveryResult.Outcome.DELIVERED);
      }
    }

    @Test
    @DisplayName("on an interrupted worker thread returns promptly and keeps the interrupt flag")
    void interrupted() throws Exception {
      Channel c = channel();
      Outcome o = deliverOnWorker(c, sample(c), true);
      assertThat(o.took).as("time deliver took").isLessThanOrEqualTo(timeout());
      assertThat(o.interruptedAfter).as("the worker's interrupt flag after deliver").isTrue();
    }
  }

  @Nested
  @DisplayName("Keeping personal data private")
  class Privacy {
    @Test
    @DisplayName("the provider's and the channel's toString show no recipient or payload value")
    void toStrings() throws Exception {
      Channel c = channel();
      Message m = sample(c);
      deliver(c, m);
      Set<String> personal = Messages.personalValues(m);
      assertThat(personal).isNotEmpty();
      assertNoPersonalData("the provider's toString", String.valueOf(provider()), personal);
      assertNoPersonalData("the channel's toString", String.valueOf(c), personal);
    }

    @Test
    @DisplayName("failure reasons show no recipient or payload value")
    void failureReasons() throws Exception {
      Channel c = channel();
      Message full = sample(c);
      Set<String> personal = Messages.personalValues(full);
      List<Message> variants = new ArrayList<>();
      variants.add(full);
      variants.add(sampleMessage(Messages.sample(c.addresses())).recipients(List.of())
          .idempotencyKey("msg-no-recipients").build());
      variants.add(Messages.sample(c.addresses()).idempotencyKey("msg-bare-payload").build());
      for (Message m : variants) {
        DeliveryResult r = deliver(c, m);
        assertNoPersonalData("the reason of " + m.idempotencyKey(),
            r.reason().orElse("") + " " + r.reference().orElse("") + " " + r, personal);
      }
    }
  }

  @Nested
  @DisplayName("Closing")
  class Closing {
    @Test
    @DisplayName("can be done twice")
    void closeTwice() throws Exception {
      Channel c = channel();
      deliver(c, sample(c));
      assertThatCode(() -> {
        c.close();
        c.close();
      }).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("works on a channel that delivered nothing")
    void closeUnused() {
      Channel c = channel();
      assertThatCode(c::close).doesNotThrowAnyException();
    }
  }
}
