package dev.seedforge.generate;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Counts prompt tokens with jtokkit: o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o-series
 * families, cl100k_base for every other model (an estimate for non-OpenAI models).
 */
public final class TokenCounter {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  /** Per-message overhead of the chat format (role and separators), as OpenAI documents it. */
  static final int PER_MESSAGE = 3;
  static final int PER_REPLY = 3;

  private final Encoding encoding;
  private final String name;

  private TokenCounter(EncodingType type) {
    this.encoding = REGISTRY.getEncoding(type);
    this.name = type.getName();
  }

  public static TokenCounter forModel(String model) {
    return new TokenCounter(encodingFor(model));
  }

  static EncodingType encodingFor(String model) {
    String m = model == null ? "" : model.toLowerCase(java.util.Locale.ROOT);
    int slash = m.lastIndexOf('/');
    if (slash >= 0) {
      m = m.substring(slash + 1);
    }
    if (m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-4.5") || m.startsWith("gpt-5")
        || m.startsWith("chatgpt-4o") || m.matches("o[1-9].*")) {
      return EncodingType.O200K_BASE;
    }
    return EncodingType.CL100K_BASE;
  }

  public String encodingName() {
    return name;
  }

  public int count(String text) {
    return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
  }

  /**
   * An upper bound of {@link #promptTokens} for every encoding, without tokenizing: a byte-pair
   * token stands for at least one byte of the text's UTF-8, so a text has at most as many tokens
   * as bytes. A prompt whose bound fits a limit fits it; only the others need counting.
   */
  public static long promptTokensAtMost(List<ChatTurn> messages) {
    long n = PER_REPLY;
    for (ChatTurn t : messages) {
      n += PER_MESSAGE + (t.content() == null ? 0 : com.google.common.base.Utf8.encodedLength(t.content())) + 1;
    }
    return n;
  }

  /** Prompt tokens of a chat request: message contents plus the chat format's overhead. */
  public int promptTokens(List<ChatTurn> messages) {
    int n = PER_REPLY;
    for (ChatTurn t : messages) {
      n += PER_MESSAGE + count(t.content()) + 1;
    }
    return n;
  }
}
