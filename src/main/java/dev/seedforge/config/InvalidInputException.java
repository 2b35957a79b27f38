package dev.seedforge.config;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * Bad input or configuration: every problem found, each naming its file and line or field and
 * what to do. The CLI prints them all and exits with code 2.
 */
public final class InvalidInputException extends RuntimeException {
  private final ImmutableList<String> problems;

  public InvalidInputException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = ImmutableList.copyOf(problems);
  }

  public InvalidInputException(String problem) {
    this(List.of(problem));
  }

  public ImmutableList<String> problems() {
    return problems;
  }
}
