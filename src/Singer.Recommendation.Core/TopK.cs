using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Core;

/// <summary>One selected entry of a row: the column (item) index and its score.</summary>
/// <param name="Index">The column index.</param>
/// <param name="Score">The score.</param>
public readonly record struct ScoredIndex(int Index, float Score);

/// <summary>
/// Exact top-k selection for rows of scores with the library's tie rule: higher score first, equal scores by the
/// lower index. Entries scored −∞ (masked) are never selected, so a row may yield fewer than k.
/// </summary>
/// <remarks>
/// The k-th largest score of each row is found on the scores' device (<c>topk</c>); only the entries at or above it
/// come back to the CPU, where ties are ordered exactly. Used by <see cref="RankingEvaluator"/> and by the
/// recommendation engine.
/// </remarks>
public static class TopK
{
    /// <summary>Selects the top <paramref name="k"/> of every row of a <c>[rows, n]</c> float tensor.</summary>
    /// <exception cref="ArgumentException">The tensor is not 2-D, or holds NaN.</exception>
    public static ScoredIndex[][] Select(Tensor scores, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (scores.shape.Length != 2)
        {
            throw new ArgumentException($"Scores must be [rows, n]; got [{string.Join(", ", scores.shape)}].", nameof(scores));
        }

        int rows = (int)scores.shape[0];
        int n = (int)scores.shape[1];
        var result = new ScoredIndex[rows][];
        if (rows == 0 || n == 0)
        {
            for (int r = 0; r < rows; r++)
            {
                result[r] = [];
            }

            return result;
        }

        using var scope = NewDisposeScope();
        var s = scores.dtype == ScalarType.Float32 ? scores : scores.to_type(ScalarType.Float32);
        if (s.isnan().any().item<bool>())
        {
            throw new ArgumentException("The scores hold NaN; a scorer must return numbers (use −∞ to exclude an item).", nameof(scores));
        }

        int kk = Math.Min(k, n);
        var threshold = s.topk(kk, dim: 1, largest: true, sorted: true).values[.., kk - 1].unsqueeze(1);
        if (s.device.type == DeviceType.CPU && (long)rows * n * sizeof(float) <= int.MaxValue)
        {
            // On the CPU the scores are already in host memory: one pass per row in C# picks the entries at or above
            // the row's k-th score (a mask + nonzero + masked_select over the whole matrix cost ~100× more for
            // batches of users over 100,000 items).
            return SelectOnHost(s.contiguous(), threshold.contiguous().data<float>().ToArray(), kk);
        }

        // Explicit scalars kept alive across the native calls (an implicit temporary could be finalised by the GC
        // while native code still reads it, which fails under concurrent load).
        using var zero = 0f.ToScalar();
        var isCandidate = s.ge(threshold).logical_and(s.isfinite().logical_or(s.gt(zero)));
        var positions = isCandidate.nonzero().cpu().data<long>().ToArray();
        var values = s.masked_select(isCandidate).cpu().data<float>().ToArray();

        var row = new List<ScoredIndex>();
        int p = 0;
        for (int r = 0; r < rows; r++)
        {
            row.Clear();
            while (p < values.Length && positions[2 * p] == r)
            {
                row.Add(new ScoredIndex((int)positions[(2 * p) + 1], values[p]));
                p++;
            }

            row.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
            result[r] = row.Count <= kk ? [.. row] : row.GetRange(0, kk).ToArray();
        }

        return result;
    }

    /// <summary>The same selection over a contiguous CPU tensor, reading its memory directly.</summary>
    private static ScoredIndex[][] SelectOnHost(Tensor scores, float[] thresholds, int kk)
    {
        int rows = (int)scores.shape[0];
        int n = (int)scores.shape[1];
        var all = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(scores.bytes);
        var result = new ScoredIndex[rows][];
        var row = new List<ScoredIndex>();
        for (int r = 0; r < rows; r++)
        {
            row.Clear();
            float threshold = thresholds[r];
            var values = all.Slice(r * n, n);
            for (int j = 0; j < values.Length; j++)
            {
                float v = values[j];
                // At or above the k-th score, and never a masked (−∞) entry; NaN was rejected before.
                if (v >= threshold && (float.IsFinite(v) || v > 0))
                {
                    row.Add(new ScoredIndex(j, v));
                }
            }

            row.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
            result[r] = row.Count <= kk ? [.. row] : row.GetRange(0, kk).ToArray();
        }

        return result;
    }
}
