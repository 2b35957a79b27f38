package dev.seedforge.format;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.Map;

/**
 * Token counts with jtokkit, as OpenAI's fine-tuning data-prep cookbook counts them: per message
 * 3 tokens plus its text values (1 more for a name), plus 3 that prime the reply.
 */
public final class TokenCounter {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private final Encoding encoding;

  public TokenCounter(String encodingName) {
    EncodingType type = switch (encodingName) {
      case "o200k_base" -> EncodingType.O200K_BASE;
      case "cl100k_base" -> EncodingType.CL100K_BASE;
      default -> throw new IllegalArgumentException("unknown encoding " + encodingName);
    };
    this.encoding = REGISTRY.getEncoding(type);
  }

  public int count(String text) {
    return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
  }

  /** One chat example: messages as maps of key to text value (other values are not counted). */
  public int countMessages(List<Map<String, String>> messages) {
    int n = 0;
    for (Map<String, String> m : messages) {
      n += 3;
      for (Map.Entry<String, String> e : m.entrySet()) {
        n += count(e.getValue());
        if (e.getKey().equals("name")) {
          n += 1;
        }
      }
    }
    return n + 3;
  }
}
