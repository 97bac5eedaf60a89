package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Activation.Builder#discoverProviders(ClassLoader)}: what it binds, skips and refuses. */
class DiscoveryTest {
  @TempDir
  Path dir;

  /** A class loader whose {@code META-INF/services} file lists these class names. */
  ClassLoader declaring(String... classes) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(ChannelProvider.class.getName()),
        String.join("\n", classes) + "\n", StandardCharsets.UTF_8);
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  @DisplayName("binds the declared providers and the built-in ones, skipping those that cannot load")
  void survivesBrokenProviders() throws IOException {
    ClassLoader cl = declaring("io.cdpkit.activation.NoSuchProvider",
        BrokenProvider.class.getName(), GoodProvider.class.getName());
    Activation a = Activation.builder().discoverProviders(cl).build();
    assertThat(a.providers()).containsKeys("good", "webhook", "smtp", "ad-audience", "file",
        "log");
    assertThat(a.providers().get("good")).isInstanceOf(GoodProvider.class);
  }

  @Test
  @DisplayName("refuses two different providers with one id")
  void duplicateIds() throws IOException {
    ClassLoader cl = declaring(ImpostorProvider.class.getName());
    assertThatThrownBy(() -> Activation.builder().discoverProviders(cl))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'webhook'")
        .hasMessageContaining(ImpostorProvider.class.getName());
  }

  @Test
  @DisplayName("refuses a provider built for another SPI major version")
  void spiMajor() throws IOException {
    ClassLoader cl = declaring(FutureProvider.class.getName());
    assertThatThrownBy(() -> Activation.builder().discoverProviders(cl))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SPI major 2");
  }

  @Test
  @DisplayName("a provider registered explicitly and discovered again is bound once")
  void explicitFirst() throws IOException {
    ClassLoader cl = declaring(GoodProvider.class.getName());
    GoodProvider mine = new GoodProvider();
    Activation a = Activation.builder().provider(mine).discoverProviders(cl).build();
    assertThat(a.providers().get("good")).isSameAs(mine);
  }

  /** A provider that loads. */
  public static class GoodProvider implements ChannelProvider {
    @Override
    public String id() {
      return "good";
    }

    @Override
    public int spiMajorVersion() {
      return SPI_MAJOR_VERSION;
    }

    @Override
    public Channel create(ChannelContext context) {
      return m -> DeliveryResult.delivered();
    }
  }

  /** A provider whose constructor fails. */
  public static class BrokenProvider extends GoodProvider {
    public BrokenProvider() {
      throw new IllegalStateException("cannot start");
    }
  }

  /** Another class claiming a built-in id. */
  public static class ImpostorProvider extends GoodProvider {
    @Override
    public String id() {
      return "webhook";
    }
  }

  /** A provider built against a later SPI. */
  public static class FutureProvider extends GoodProvider {
    @Override
    public String id() {
      return "future";
    }

    @Override
    public int spiMajorVersion() {
      return 2;
    }
  }

}
