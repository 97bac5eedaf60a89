package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.testing.TestChannelContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The built-in providers")
class BuiltInProvidersTest {
  @Test
  @DisplayName("are all found by ServiceLoader, once each, with their consent channels")
  void discovered() {
    Map<String, String> consent = new LinkedHashMap<>();
    for (ChannelProvider p : ServiceLoader.load(ChannelProvider.class)) {
      assertThat(consent).doesNotContainKey(p.id());
      consent.put(p.id(), String.valueOf(p.consentChannel()));
    }
    assertThat(consent).containsExactlyInAnyOrderEntriesOf(Map.of("webhook", "null",
        "smtp", "email", "ad-audience", "ads", "file", "null", "log", "null", "fcm", "push",
        "apns", "push", "http-sms", "sms"));
  }

  @Test
  @DisplayName("load without Jakarta Mail, and only creating an SMTP channel then fails,"
      + " saying what to add")
  void withoutJakartaMail() throws Exception {
    ClassLoader hiding = new HidingClassLoader(getClass().getClassLoader());
    assertThatThrownBy(() -> Class.forName("jakarta.mail.Session", false, hiding))
        .isInstanceOf(ClassNotFoundException.class);
    Map<String, ChannelProvider> providers = new LinkedHashMap<>();
    for (ChannelProvider p : ServiceLoader.load(ChannelProvider.class, hiding)) {
      assertThat(p.getClass().getClassLoader()).isSameAs(hiding);
      providers.put(p.id(), p);
    }
    assertThat(providers).containsOnlyKeys("webhook", "smtp", "ad-audience", "file", "log",
        "fcm", "apns", "http-sms");
    ChannelProvider smtp = providers.get("smtp");
    assertThat(smtp.consentChannel()).isEqualTo("email");
    assertThatThrownBy(() -> smtp.create(TestChannelContext.of("newsletter",
        Map.of("host", "127.0.0.1", "from", "news@shop.example"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("channel newsletter")
        .hasMessageContaining("org.eclipse.angus:angus-mail");
    try (Channel log = providers.get("log").create(TestChannelContext.of("dry", Map.of()))) {
      assertThat(log.getClass().getClassLoader()).isSameAs(hiding);
    }
  }

  /**
   * Defines this package's classes itself and refuses Jakarta Mail and Angus, as a class path
   * without angus-mail would.
   */
  private static final class HidingClassLoader extends ClassLoader {
    HidingClassLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("jakarta.mail.") || name.startsWith("org.eclipse.angus.")
            || name.startsWith("com.sun.mail.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.startsWith("io.cdpkit.activation.channels.")) {
          return super.loadClass(name, resolve);
        }
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          String resource = name.replace('.', '/') + ".class";
          try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
