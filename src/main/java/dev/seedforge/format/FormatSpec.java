package dev.seedforge.format;

import java.io.Serializable;
import java.util.List;

/**
 * One output record format as read from {@code templates/<name>.yaml}: its name, the record shape
 * ({@code kind}), the data files' extension, and the options of its kind.
 */
public record FormatSpec(
    String name,
    String kind,
    String extension,
    String description,
    boolean weight,
    List<String> separators,
    List<String> stops)
    implements Serializable {

  public static final List<String> KINDS =
      List.of("openai-chat", "prompt-completion", "alpaca", "sharegpt", "trl-prompt-completion", "trl-messages", PreferenceRecords.OPENAI,
          PreferenceRecords.TRL);

  public FormatSpec {
    separators = List.copyOf(separators);
    stops = List.copyOf(stops);
  }
}
