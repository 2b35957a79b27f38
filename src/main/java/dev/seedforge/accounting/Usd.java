package dev.seedforge.accounting;

import dev.seedforge.config.PipelineSpec;

/**
 * Money as whole pico-dollars (10^-12 USD), so that sums over thousands of calls are exact:
 * a price of up to six decimals per million tokens times a token count is an integer number of
 * pico-dollars. A long holds up to about 9 million dollars.
 */
public final class Usd {
  public static final double PICO_PER_USD = 1e12;

  private Usd() {}

  /** What {@code in} input and {@code out} output tokens cost at {@code price}; 0 without a price. */
  public static long picoCost(PipelineSpec.Price price, long in, long out) {
    if (price == null) {
      return 0;
    }
    return in * picoPerToken(price.inputPerMillion()) + out * picoPerToken(price.outputPerMillion());
  }

  /**
   * What {@code in} input tokens, {@code cached} of them served from the provider's prompt cache
   * at {@code cachedPerMillion} (null: at the input price), and {@code out} output tokens cost.
   */
  public static long picoCost(PipelineSpec.Price price, long in, long cached, Double cachedPerMillion, long out) {
    if (price == null) {
      return 0;
    }
    if (cachedPerMillion == null || cached <= 0) {
      return picoCost(price, in, out);
    }
    long c = Math.min(cached, in);
    return (in - c) * picoPerToken(price.inputPerMillion()) + c * picoPerToken(cachedPerMillion) + out * picoPerToken(price.outputPerMillion());
  }

  /** USD per million tokens as pico-dollars per token (exact for prices with up to six decimals). */
  static long picoPerToken(double usdPerMillion) {
    return Math.round(usdPerMillion * 1e6);
  }

  public static long fromUsd(double usd) {
    return Math.round(usd * PICO_PER_USD);
  }

  public static double toUsd(long pico) {
    return pico / PICO_PER_USD;
  }
}
