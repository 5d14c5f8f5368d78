using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Singer.Recommendation.Core;

/// <summary>
/// Exact running top-k over one row of scores or similarities, in vectorised C#: the order is value descending,
/// then column ascending (ties go to the lower index, SPEC §1.1). The selection of <see cref="BlockedTopK"/>, shared
/// by the kNN graph builder, the recommendation engine and the co-interaction graph.
/// </summary>
/// <remarks>
/// The row is scanned once in increasing column order. The kept entries form a min-heap whose root is the worst one
/// (lowest value; among equal values the highest column). Because columns arrive in increasing order, a candidate
/// enters only when its value is strictly greater than the root's: at an equal value the kept, lower column wins.
/// That root value is a running threshold: blocks of 64 values are compared with it in SIMD registers and skipped
/// when none exceeds it, which is nearly always once the heap is full, so the selection costs about one vector
/// compare per 16 values instead of a sort or a <c>topk</c> kernel.
/// </remarks>
internal static class RowTopK
{
    /// <summary>
    /// Continues a row's running top-k over the next <paramref name="row"/> of values, whose first value is column
    /// <paramref name="firstColumn"/>: only values strictly greater than <paramref name="floor"/> and than the current
    /// heap root enter. Calls for one row must come in increasing column order (that is what sends ties to the lower
    /// column). A masked entry (−∞) never enters.
    /// </summary>
    /// <param name="row">The next values of the row (scores or similarities).</param>
    /// <param name="firstColumn">The column of <c>row[0]</c>.</param>
    /// <param name="k">Entries to keep (≥ 1).</param>
    /// <param name="floor">Only values strictly above this enter (0 for cosine weights, −∞ to keep any finite value).</param>
    /// <param name="values">The row's k slots for the kept values (heap order).</param>
    /// <param name="columns">The row's k slots for the kept columns.</param>
    /// <param name="count">The entries kept so far (0 for a fresh row).</param>
    /// <returns>The number of entries kept now (≤ k).</returns>
    /// <remarks>Compiled fully optimised at once: tier-0 code, which the first calls of a process would otherwise run, does not turn the vector operations into SIMD instructions.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Scan(ReadOnlySpan<float> row, int firstColumn, int k, float floor, Span<float> values, Span<int> columns, int count)
    {
        float threshold = count == k ? values[0] : floor;
        ref float start = ref MemoryMarshal.GetReference(row);
        int n = row.Length;
        int j = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            var thresholdVector = Vector512.Create(threshold);
            for (; j <= n - 64; j += 64)
            {
                var a0 = Vector512.LoadUnsafe(ref start, (nuint)j);
                var a1 = Vector512.LoadUnsafe(ref start, (nuint)(j + 16));
                var a2 = Vector512.LoadUnsafe(ref start, (nuint)(j + 32));
                var a3 = Vector512.LoadUnsafe(ref start, (nuint)(j + 48));
                var max = Vector512.Max(Vector512.Max(a0, a1), Vector512.Max(a2, a3));
                if (!Vector512.GreaterThanAny(max, thresholdVector))
                {
                    continue;
                }

                ulong mask = Vector512.GreaterThan(a0, thresholdVector).ExtractMostSignificantBits()
                    | (Vector512.GreaterThan(a1, thresholdVector).ExtractMostSignificantBits() << 16)
                    | (Vector512.GreaterThan(a2, thresholdVector).ExtractMostSignificantBits() << 32)
                    | (Vector512.GreaterThan(a3, thresholdVector).ExtractMostSignificantBits() << 48);
                ScanMask(ref start, j, firstColumn, mask, k, floor, values, columns, ref count, ref threshold);
                thresholdVector = Vector512.Create(threshold);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var thresholdVector = Vector256.Create(threshold);
            for (; j <= n - 32; j += 32)
            {
                var a0 = Vector256.LoadUnsafe(ref start, (nuint)j);
                var a1 = Vector256.LoadUnsafe(ref start, (nuint)(j + 8));
                var a2 = Vector256.LoadUnsafe(ref start, (nuint)(j + 16));
                var a3 = Vector256.LoadUnsafe(ref start, (nuint)(j + 24));
                var max = Vector256.Max(Vector256.Max(a0, a1), Vector256.Max(a2, a3));
                if (!Vector256.GreaterThanAny(max, thresholdVector))
                {
                    continue;
                }

                ulong mask = Vector256.GreaterThan(a0, thresholdVector).ExtractMostSignificantBits()
                    | ((ulong)Vector256.GreaterThan(a1, thresholdVector).ExtractMostSignificantBits() << 8)
                    | ((ulong)Vector256.GreaterThan(a2, thresholdVector).ExtractMostSignificantBits() << 16)
                    | ((ulong)Vector256.GreaterThan(a3, thresholdVector).ExtractMostSignificantBits() << 24);
                ScanMask(ref start, j, firstColumn, mask, k, floor, values, columns, ref count, ref threshold);
                thresholdVector = Vector256.Create(threshold);
            }
        }

        for (; j < n; j++)
        {
            float v = Unsafe.Add(ref start, j);
            if (v > threshold)
            {
                Offer(v, firstColumn + j, k, floor, values, columns, ref count, ref threshold);
            }
        }

        return count;
    }

    /// <summary>Sorts the first <paramref name="count"/> kept entries by column (CSR order).</summary>
    public static void SortByColumn(Span<float> values, Span<int> columns, int count) =>
        columns[..count].Sort(values[..count]);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ScanMask(
        ref float start, int offset, int firstColumn, ulong mask, int k, float floor,
        Span<float> values, Span<int> columns, ref int count, ref float threshold)
    {
        while (mask != 0)
        {
            int at = offset + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            float v = Unsafe.Add(ref start, at);
            // The mask was taken against an older threshold: check again.
            if (v > threshold)
            {
                Offer(v, firstColumn + at, k, floor, values, columns, ref count, ref threshold);
            }
        }
    }

    /// <summary>
    /// Offers one candidate to a row's heap. Candidates must arrive in increasing column order, and only those with
    /// <paramref name="v"/> &gt; <paramref name="threshold"/> (the running threshold this method maintains, starting at the floor).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Offer(float v, int column, int k, float floor, Span<float> values, Span<int> columns, ref int count, ref float threshold)
    {
        if (count < k)
        {
            // Sift up (the new entry has the highest column so far, so it is worse than a kept entry of equal value).
            SiftUp(v, column, count++, values, columns);
            threshold = count == k ? values[0] : floor;
            return;
        }

        // Replace the root (the worst kept entry) and sift down.
        SiftDownFromRoot(v, column, k, values, columns);
        threshold = values[0];
    }

    /// <summary>Places a new entry at slot <paramref name="i"/> (the end of the heap) and sifts it up to where it belongs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SiftUp(float v, int column, int i, Span<float> values, Span<int> columns)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!IsWorse(v, column, values[parent], columns[parent]))
            {
                break;
            }

            values[i] = values[parent];
            columns[i] = columns[parent];
            i = parent;
        }

        values[i] = v;
        columns[i] = column;
    }

    /// <summary>
    /// Offers one candidate in any column order (a merge of partial lists): it enters when it ranks above the worst
    /// kept entry (a higher value, or an equal value at a lower column) and above the floor.
    /// </summary>
    internal static void OfferAnyOrder(float v, int column, int k, float floor, Span<float> values, Span<int> columns, ref int count)
    {
        if (!(v > floor))
        {
            return;
        }

        if (count == k && !IsWorse(values[0], columns[0], v, column))
        {
            return;
        }

        if (count < k)
        {
            SiftUp(v, column, count++, values, columns);
            return;
        }

        SiftDownFromRoot(v, column, k, values, columns);
    }

    /// <summary>Replaces the root (the worst kept entry) of a full heap and restores the heap.</summary>
    private static void SiftDownFromRoot(float v, int column, int k, Span<float> values, Span<int> columns)
    {
        int at = 0;
        while (true)
        {
            int left = (2 * at) + 1;
            if (left >= k)
            {
                break;
            }

            int right = left + 1;
            int worst = right < k && IsWorse(values[right], columns[right], values[left], columns[left]) ? right : left;
            if (!IsWorse(values[worst], columns[worst], v, column))
            {
                break;
            }

            values[at] = values[worst];
            columns[at] = columns[worst];
            at = worst;
        }

        values[at] = v;
        columns[at] = column;
    }

    /// <summary>
    /// Sorts a heap of <paramref name="count"/> kept entries (as <see cref="Offer"/> leaves them) best first: value
    /// descending, then column ascending. Heap sort in place: the worst entry (the root) goes to the end each time.
    /// </summary>
    public static void SortBestFirst(Span<float> values, Span<int> columns, int count)
    {
        for (int size = count; size > 1; size--)
        {
            float v = values[size - 1];
            int c = columns[size - 1];
            values[size - 1] = values[0];
            columns[size - 1] = columns[0];
            SiftDownFromRoot(v, c, size - 1, values, columns);
        }
    }

    /// <summary>Puts <paramref name="count"/> arbitrary entries into heap order (worst at the root).</summary>
    public static void Heapify(Span<float> values, Span<int> columns, int count)
    {
        for (int i = 1; i < count; i++)
        {
            float v = values[i];
            int c = columns[i];
            int at = i;
            while (at > 0)
            {
                int parent = (at - 1) >> 1;
                if (!IsWorse(v, c, values[parent], columns[parent]))
                {
                    break;
                }

                values[at] = values[parent];
                columns[at] = columns[parent];
                at = parent;
            }

            values[at] = v;
            columns[at] = c;
        }
    }

    /// <summary>Whether entry a ranks below entry b: a lower value, or an equal value at a higher column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWorse(float va, int ca, float vb, int cb) => va < vb || (va == vb && ca > cb);
}
