using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Serving;

/// <summary>
/// An int8 copy of the item matrix with one scale per row, for single calls and batches (<c>docs/serving.md</c>, "Single
/// calls"): the approximate scores of all items select candidates, the candidates are re-scored exactly in float32,
/// and an error bound certifies that no other item can reach the exact top k — the items outside the candidates whose
/// bound reaches the k-th exact score are re-scored too — so the list equals the exact one.
/// </summary>
/// <remarks>
/// <para>Quantisation: <c>x̃_j = round(x_j / s_j)</c> with <c>s_j = max|x_j| / 127</c>; the query likewise with
/// <c>s_q</c>. The approximate score is <c>s_q · s_j · (q̃ · x̃_j)</c>, computed with the integer dot products of
/// AVX-VNNI (<c>vpdpbusd</c>, 8 items × 4 dimensions per instruction). With <c>q = s_q (q̃ + e_q)</c>,
/// <c>x_j = s_j (x̃_j + e_j)</c> and <c>|e| ≤ ½</c> per component,
/// <c>|q · x_j − s_q s_j q̃ · x̃_j| ≤ s_q s_j (½‖q̃‖₁ + ½‖x̃_j‖₁ + d/4)</c>; a further term covers the float32
/// rounding of the exact re-scoring and of the approximate score.</para>
/// <para>Memory: <c>N × d</c> bytes (rounded up to 8 items × 4 dimensions) plus 12 bytes per item — a quarter of
/// the float32 matrix, which the engine keeps for re-scoring and for <c>Exact</c>.</para>
/// </remarks>
internal sealed partial class Int8Items
{
    private const int BlockItems = 8;

    // Per block of 8 items: for each group of 4 dimensions, 8 × 4 bytes (item-major within the group).
    private readonly sbyte[] _codes;
    private readonly float[] _scales;      // s_j
    private readonly int[] _sums;          // Σ x̃_j (the unsigned-query correction of vpdpbusd)
    private readonly float[] _boundRows;   // s_j · (½‖x̃_j‖₁)
    private readonly float _maxScale;      // max s_j
    private readonly float _maxBoundRow;   // max s_j · ½‖x̃_j‖₁

    private Int8Items(int count, int dimension, sbyte[] codes, float[] scales, int[] sums, float[] boundRows)
    {
        Count = count;
        Dimension = dimension;
        Groups = (dimension + 3) / 4;
        _codes = codes;
        _scales = scales;
        _sums = sums;
        _boundRows = boundRows;
        _maxScale = scales.Length == 0 ? 0 : scales.Max();
        _maxBoundRow = boundRows.Length == 0 ? 0 : boundRows.Max();
    }

    /// <summary>Whether this CPU runs the vectorised integer products (AVX-VNNI); otherwise a portable loop computes the same numbers.</summary>
    public static bool IsAccelerated => AvxVnni.IsSupported;

    /// <summary>The number of items.</summary>
    public int Count { get; }

    /// <summary>The item dimension.</summary>
    public int Dimension { get; }

    /// <summary>Groups of 4 dimensions.</summary>
    public int Groups { get; }

    /// <summary>The bytes this index holds.</summary>
    public long Bytes => _codes.LongLength + (12L * _scales.Length);

    /// <summary>Quantises an <c>[n, d]</c> row-major float matrix.</summary>
    public static Int8Items Build(ReadOnlySpan<float> items, int count, int dimension)
    {
        int groups = (dimension + 3) / 4;
        int blocks = (count + BlockItems - 1) / BlockItems;
        var codes = new sbyte[(long)blocks * BlockItems * groups * 4];
        var scales = new float[count];
        var sums = new int[count];
        var boundRows = new float[count];
        for (int j = 0; j < count; j++)
        {
            var row = items.Slice(j * dimension, dimension);
            float max = 0;
            foreach (float v in row)
            {
                max = Math.Max(max, Math.Abs(v));
            }

            float scale = max / 127f;
            scales[j] = scale;
            int sum = 0, l1 = 0;
            int block = j / BlockItems, lane = j % BlockItems;
            for (int c = 0; c < dimension; c++)
            {
                int code = scale == 0 ? 0 : (int)Math.Clamp(MathF.Round(row[c] / scale), -127, 127);
                codes[CodeIndex(block, groups, c, lane)] = (sbyte)code;
                sum += code;
                l1 += Math.Abs(code);
            }

            sums[j] = sum;
            boundRows[j] = scale * 0.5f * l1;
        }

        return new Int8Items(count, dimension, codes, scales, sums, boundRows);
    }

    private static long CodeIndex(int block, int groups, int dimension, int lane) =>
        ((((long)block * groups) + (dimension / 4)) * BlockItems * 4) + (lane * 4) + (dimension % 4);

    /// <summary>The quantised query: 4-byte groups as unsigned bytes (<c>q̃ + 128</c>), its scale and ‖q̃‖₁.</summary>
    public QuantizedQuery Quantize(ReadOnlySpan<float> query)
    {
        float max = 0;
        foreach (float v in query)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        float scale = max / 127f;
        var groups = new uint[Groups];
        int l1 = 0;
        for (int c = 0; c < Groups * 4; c++)
        {
            int code = c < query.Length && scale != 0 ? (int)Math.Clamp(MathF.Round(query[c] / scale), -127, 127) : 0;
            l1 += Math.Abs(code);
            groups[c / 4] |= (uint)(byte)(code + 128) << (8 * (c % 4));
        }

        return new QuantizedQuery(groups, scale, l1);
    }

    /// <summary>
    /// The largest possible difference between the float32 score <c>q · x_j</c> and its approximation, for any item:
    /// the quantisation bound plus the float32 rounding of both (a relative 2⁻²⁰ of the products' magnitude).
    /// </summary>
    public float MaxBound(QuantizedQuery q) => Bound(q, _maxScale, _maxBoundRow);

    /// <summary>The bound for item <paramref name="j"/>.</summary>
    public float BoundOf(QuantizedQuery q, int j) => Bound(q, _scales[j], _boundRows[j]);

    private float Bound(QuantizedQuery q, float scale, float boundRow)
    {
        // s_q (s_j (½‖q̃‖₁ + d/4) + s_j ½‖x̃_j‖₁), and the rounding: Σ|q_c x_jc| ≤ s_q s_j (‖q̃‖₁ + d/2) · 127.5,
        // times d · 2⁻²³ for the float32 dot products (either summation order), with 2⁻¹⁰ of slack on the whole.
        double quantisation = q.Scale * ((scale * ((0.5 * q.L1) + (0.25 * Dimension))) + boundRow);
        double rounding = q.Scale * scale * (q.L1 + (0.5 * Dimension)) * 127.5 * Dimension * Math.Pow(2, -23);
        return (float)((quantisation + rounding) * (1 + Math.Pow(2, -10)));
    }

    /// <summary>
    /// The exact top k of <c>query · x_j</c> over all items not in <paramref name="excluded"/>, ties to the lower index:
    /// the best <paramref name="candidates"/> approximate scores are re-scored in float32, then every other item whose
    /// approximate score plus its bound reaches the k-th exact score is re-scored too.
    /// </summary>
    /// <param name="query">The user's float32 vector.</param>
    /// <param name="items">The float32 item matrix (row-major, <see cref="Count"/> × <see cref="Dimension"/>).</param>
    /// <param name="k">Items to return.</param>
    /// <param name="candidates">Approximate candidates re-scored first (at least k are).</param>
    /// <param name="excluded">Item indices never returned, ascending (the user's seen items).</param>
    /// <param name="rescored">How many items were re-scored exactly.</param>
    public ScoredIndex[] Select(ReadOnlySpan<float> query, ReadOnlySpan<float> items, int k, int candidates, ReadOnlySpan<int> excluded, out int rescored)
    {
        var q = Quantize(query);
        float[] buffer = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, Count));
        try
        {
            var scores = buffer.AsSpan(0, Count);
            Scores(q, scores);
            foreach (int e in excluded)
            {
                scores[e] = float.NegativeInfinity;
            }

            var pool = new TopKAccumulator(1, Math.Max(1, Math.Min(Count, Math.Max(k, candidates))));
            pool.OfferRun(0, scores, 0);
            var top = new TopKAccumulator(1, k);
            int n = pool.Count(0);
            var values = new float[n];
            var columns = new int[n];
            pool.CopyRow(0, values, columns);
            foreach (int j in columns)
            {
                top.Offer(0, Dot(query, items.Slice(j * Dimension, Dimension)), j);
                scores[j] = float.NegativeInfinity;
            }

            rescored = n;
            if (top.Count(0) == k)
            {
                // Certification: an item outside the candidates can reach the k-th exact score t only if its
                // approximate score is within its bound of t. Scan for the ones within the largest bound.
                float t = top.Threshold(0);
                float limit = MathF.BitDecrement((float)(t - (double)MaxBound(q)));
                rescored += RescoreReachable(q, scores, limit, t, query, items, top);
            }

            return top.Sorted(0);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Re-scores every item whose approximate score is at or above <paramref name="limit"/> and whose own bound reaches <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int RescoreReachable(QuantizedQuery q, Span<float> scores, float limit, float t, ReadOnlySpan<float> query, ReadOnlySpan<float> items, TopKAccumulator top)
    {
        int count = 0, j = 0;
        ref float start = ref MemoryMarshal.GetReference(scores);
        if (Vector512.IsHardwareAccelerated)
        {
            var l = Vector512.Create(limit);
            for (; j <= scores.Length - 16; j += 16)
            {
                ulong mask = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref start, (nuint)j), l).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int at = j + System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    count += Check(q, scores, at, t, query, items, top);
                }
            }
        }

        for (; j < scores.Length; j++)
        {
            if (scores[j] >= limit)
            {
                count += Check(q, scores, j, t, query, items, top);
            }
        }

        return count;
    }

    /// <summary>Re-scores item <paramref name="at"/> if its approximate score plus its own bound reaches <paramref name="t"/>.</summary>
    private int Check(QuantizedQuery q, ReadOnlySpan<float> scores, int at, float t, ReadOnlySpan<float> query, ReadOnlySpan<float> items, TopKAccumulator top)
    {
        if ((double)scores[at] + BoundOf(q, at) < t)
        {
            return 0;
        }

        top.Offer(0, Dot(query, items.Slice(at * Dimension, Dimension)), at);
        return 1;
    }
}
