package dev.seedforge.quality;

/**
 * The words of a normalised text (split at single spaces, as {@code text.split(" ")} splits it)
 * and its windows of consecutive words as substrings, so a filter that looks at every window of
 * a text cuts each one out once instead of copying and joining its words.
 */
final class WordWindows {
  private final String text;
  private final int[] starts;
  private final int[] ends;
  private final int count;

  private WordWindows(String text, int[] starts, int[] ends, int count) {
    this.text = text;
    this.starts = starts;
    this.ends = ends;
    this.count = count;
  }

  static WordWindows of(String text) {
    int spaces = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        spaces++;
      }
    }
    int[] starts = new int[spaces + 1];
    int[] ends = new int[spaces + 1];
    int n = 0;
    int from = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ' ') {
        starts[n] = from;
        ends[n++] = i;
        from = i + 1;
      }
    }
    // split drops trailing empty words (all of them for a text of spaces only) but keeps an empty text as one
    while (n > 0 && starts[n - 1] == ends[n - 1] && !text.isEmpty()) {
      n--;
    }
    return new WordWindows(text, starts, ends, n);
  }

  /** The number of words. */
  int size() {
    return count;
  }

  /** Words {@code from} to {@code from + n - 1} joined by single spaces. */
  String window(int from, int n) {
    return text.substring(starts[from], ends[from + n - 1]);
  }
}
