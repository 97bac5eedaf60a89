package io.cdpkit.examples.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.IdentifierType;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The SMS gateway provider")
class SmsGatewayProviderTest {
  static final Map<String, String> CONFIG =
      Map.of("url", "https://sms.example.com/v1/messages", "api-key", "k3y-for-tests-0123");

  @Test
  @DisplayName("is sms-gateway, built for this SPI major, asking for consent on sms")
  void identity() {
    SmsGatewayProvider p = new SmsGatewayProvider();

    assertThat(p.id()).isEqualTo("sms-gateway");
    assertThat(p.spiMajorVersion()).isEqualTo(ChannelProvider.SPI_MAJOR_VERSION);
    assertThat(p.consentChannel()).isEqualTo("sms");
  }

  @Test
  @DisplayName("is declared in META-INF/services")
  void declared() {
    assertThat(ServiceLoader.load(ChannelProvider.class).stream()
        .map(ServiceLoader.Provider::type)).contains(SmsGatewayProvider.class);
  }

  @Test
  @DisplayName("makes a new channel reaching people by phone per registration")
  void creates() {
    SmsGatewayProvider p = new SmsGatewayProvider();
    try (Channel a = p.create(TestContext.of(CONFIG));
        Channel b = p.create(TestContext.of(CONFIG))) {
      assertThat(a).isNotSameAs(b);
      assertThat(a.addresses()).containsExactly(IdentifierType.PHONE);
    }
  }

  @Test
  @DisplayName("is found by discoverProviders and binds a channel when the Cdp is built")
  void discovered() {
    Activation activation = Activation.builder().discoverProviders()
        .channel("sms", "sms-gateway", CONFIG).build();
    Cdp.builder().extension(activation).build().close(); // attaching creates the channel

    assertThat(activation.providers().get("sms-gateway")).isInstanceOf(SmsGatewayProvider.class);
  }

  @Test
  @DisplayName("stops the Cdp from being built when a key is missing, naming it")
  void badConfigStopsTheBuild() {
    Activation activation = Activation.builder().discoverProviders()
        .channel("texts", "sms-gateway", Map.of("url", "https://sms.example.com/v1/messages"))
        .build();

    assertThatThrownBy(() -> Cdp.builder().extension(activation).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("channel texts: config key 'api-key' is required");
  }
}
