using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Serving;

// The scoring kernels: the approximate scores of all items with AVX-VNNI (vpdpbusd, 8 items × 4 dimensions per
// instruction) or the portable loop that computes the same numbers, and the float32 dot product of the exact re-scoring.
internal sealed partial class Int8Items
{
    /// <summary>Writes the approximate score of every item into <paramref name="scores"/> (length ≥ <see cref="Count"/>).</summary>
    public void Scores(QuantizedQuery q, Span<float> scores) => Scores(q, 0, Count, scores);

    /// <summary>
    /// Writes the approximate scores of items <c>[first, first + count)</c> into <c>scores[0 .. count)</c>;
    /// <paramref name="first"/> is a multiple of 8 (a block of the layout).
    /// </summary>
    public void Scores(QuantizedQuery q, int first, int count, Span<float> scores)
    {
        if (first % BlockItems != 0 || first < 0 || count < 0 || first + count > Count || scores.Length < count)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"Items [{first}, {first + count}) are not a block-aligned range of {Count} items with room for their scores.");
        }

        if (IsAccelerated)
        {
            ScoresVnni(q, first, count, scores);
        }
        else
        {
            ScoresPortable(q, first, count, scores);
        }
    }

    /// <summary>The same numbers without AVX-VNNI (and the reference the tests compare the vector path with).</summary>
    internal void ScoresPortable(QuantizedQuery q, Span<float> scores) => ScoresPortable(q, 0, Count, scores);

    /// <summary>The portable loop over items <c>[first, first + count)</c>, into <c>scores[0 .. count)</c>.</summary>
    internal void ScoresPortable(QuantizedQuery q, int first, int count, Span<float> scores)
    {
        for (int j = first; j < first + count; j++)
        {
            int block = j / BlockItems, lane = j % BlockItems;
            int dot = 0;
            for (int g = 0; g < Groups; g++)
            {
                uint query = q.Groups[g];
                long at = CodeIndex(block, Groups, g * 4, lane);
                for (int b = 0; b < 4; b++)
                {
                    dot += (int)((query >> (8 * b)) & 0xFF) * _codes[at + b];
                }
            }

            scores[j - first] = ToScore(dot - (128 * _sums[j]), q.Scale, _scales[j]);
        }
    }

    /// <summary>The float32 dot product (16 lanes, fused multiply-add, then the lanes' sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int c = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && a.Length >= 16)
        {
            var acc = Vector512<float>.Zero;
            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rb = ref MemoryMarshal.GetReference(b);
            for (; c <= a.Length - 16; c += 16)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)c), Vector512.LoadUnsafe(ref rb, (nuint)c), acc);
            }

            sum = Vector512.Sum(acc);
        }

        for (; c < a.Length; c++)
        {
            sum = MathF.FusedMultiplyAdd(a[c], b[c], sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ToScore(int dot, float queryScale, float itemScale) => queryScale * itemScale * dot;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoresVnni(QuantizedQuery q, int first, int count, Span<float> scores)
    {
        int groups = Groups;
        int end = first + count;
        int fullBlocks = end / BlockItems;
        int blocks = (end + BlockItems - 1) / BlockItems;
        Span<Vector256<byte>> query = stackalloc Vector256<byte>[groups];
        for (int g = 0; g < groups; g++)
        {
            query[g] = Vector256.Create(q.Groups[g]).AsByte();
        }

        ref sbyte codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref int sums = ref MemoryMarshal.GetArrayDataReference(_sums);
        ref float scales = ref MemoryMarshal.GetArrayDataReference(_scales);
        ref float output = ref MemoryMarshal.GetReference(scores);
        var queryScale = Vector256.Create(q.Scale);
        var bias = Vector256.Create(128);
        int stride = groups * BlockItems * 4;
        int block = first / BlockItems;

        // Four blocks (32 items) at a time: four independent accumulator chains hide the instruction's latency.
        for (; block + 4 <= fullBlocks; block += 4)
        {
            var a0 = Vector256<int>.Zero;
            var a1 = Vector256<int>.Zero;
            var a2 = Vector256<int>.Zero;
            var a3 = Vector256<int>.Zero;
            nuint at = (nuint)((long)block * stride);
            for (int g = 0; g < groups; g++)
            {
                var qg = query[g];
                nuint o = at + (nuint)(g * 32);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, qg, Vector256.LoadUnsafe(ref codes, o));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, qg, Vector256.LoadUnsafe(ref codes, o + (nuint)stride));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, qg, Vector256.LoadUnsafe(ref codes, o + (nuint)(2 * stride)));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, qg, Vector256.LoadUnsafe(ref codes, o + (nuint)(3 * stride)));
            }

            nuint item = (nuint)(block * BlockItems);
            nuint to = item - (nuint)first;
            Finish(a0, item, to, ref sums, ref scales, ref output, bias, queryScale);
            Finish(a1, item + 8, to + 8, ref sums, ref scales, ref output, bias, queryScale);
            Finish(a2, item + 16, to + 16, ref sums, ref scales, ref output, bias, queryScale);
            Finish(a3, item + 24, to + 24, ref sums, ref scales, ref output, bias, queryScale);
        }

        for (; block < fullBlocks; block++)
        {
            var a = Vector256<int>.Zero;
            nuint at = (nuint)((long)block * stride);
            for (int g = 0; g < groups; g++)
            {
                a = AvxVnni.MultiplyWideningAndAdd(a, query[g], Vector256.LoadUnsafe(ref codes, at + (nuint)(g * 32)));
            }

            nuint item = (nuint)(block * BlockItems);
            Finish(a, item, item - (nuint)first, ref sums, ref scales, ref output, bias, queryScale);
        }

        if (blocks > fullBlocks)
        {
            // The last, partial block: lanes past the range (the padding, or items of the next range) are not written.
            var a = Vector256<int>.Zero;
            nuint at = (nuint)((long)block * stride);
            for (int g = 0; g < groups; g++)
            {
                a = AvxVnni.MultiplyWideningAndAdd(a, query[g], Vector256.LoadUnsafe(ref codes, at + (nuint)(g * 32)));
            }

            for (int lane = 0; lane < end - (block * BlockItems); lane++)
            {
                int j = (block * BlockItems) + lane;
                scores[j - first] = ToScore(a.GetElement(lane) - (128 * _sums[j]), q.Scale, _scales[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<int> accumulator, nuint item, nuint to, ref int sums, ref float scales, ref float output, Vector256<int> bias, Vector256<float> queryScale)
    {
        var dot = accumulator - (bias * Vector256.LoadUnsafe(ref sums, item));
        // The same operation order as ToScore: (s_q · s_j) · dot.
        var score = queryScale * Vector256.LoadUnsafe(ref scales, item) * Vector256.ConvertToSingle(dot);
        score.StoreUnsafe(ref output, to);
    }
}
