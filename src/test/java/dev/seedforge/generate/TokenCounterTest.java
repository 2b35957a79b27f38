package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seedforge.quality.RealTexts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
  @Test
  void should_bound_every_real_prompt_from_above_without_tokenizing() throws Exception {
    // given the real texts of the tests (CLINC150, Self-Instruct, the fixtures) and some outside ASCII
    List<String> texts = new ArrayList<>(RealTexts.all());
    texts.addAll(List.of("naïve café, crème brûlée", "東京都の天気は？", "Привет, как дела?", "emoji 😀👍🏽 and ✓", "", "a"));
    assertThat(texts).hasSizeGreaterThan(20_000);
    for (String model : List.of("gpt-4o-mini", "gpt-3.5-turbo")) {
      TokenCounter counter = TokenCounter.forModel(model);
      for (int i = 0; i < texts.size(); i += 2) {
        List<ChatTurn> prompt = List.of(new ChatTurn("system", texts.get(i)), new ChatTurn("user", texts.get(Math.min(i + 1, texts.size() - 1))));
        // then the bound is never below the count, and it is the count's equal for ASCII letters alone
        assertThat(TokenCounter.promptTokensAtMost(prompt)).as("%s: %s", model, prompt).isGreaterThanOrEqualTo(counter.promptTokens(prompt));
      }
      List<ChatTurn> letters = List.of(new ChatTurn("user", "x y z"));
      assertThat(TokenCounter.promptTokensAtMost(letters)).isEqualTo(TokenCounter.PER_REPLY + TokenCounter.PER_MESSAGE + 5 + 1);
    }
  }
}
