using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>How <see cref="PartialTopK"/> scores a (row, column) pair.</summary>
internal enum PartialScore
{
    /// <summary>The cosine of the two feature rows (SPEC §1.1), computed by the single-machine kernel, <see cref="CpuBlockedKnn"/>.</summary>
    Cosine,

    /// <summary>The raw inner product (a recommendation score <c>e_u · e_i</c>); entries excluded per row are never selected.</summary>
    Dot,
}

/// <summary>One partial top-k: rows <c>[RowStart, RowStart + Rows.ItemCount)</c> against columns <c>[ColumnStart, ColumnStart + Columns.ItemCount)</c>.</summary>
internal sealed record PartialTopKRequest
{
    /// <summary>The raw feature rows of the row block.</summary>
    public required ItemModality Rows { get; init; }

    /// <summary>The global index of the first row.</summary>
    public int RowStart { get; init; }

    /// <summary>The raw feature rows of the column shard (same dimension as <see cref="Rows"/>).</summary>
    public required ItemModality Columns { get; init; }

    /// <summary>The global index of the first column.</summary>
    public int ColumnStart { get; init; }

    /// <summary>Entries kept per row (≥ 1); a shard narrower than k yields at most its width.</summary>
    public int K { get; init; }

    /// <summary>The score.</summary>
    public PartialScore Score { get; init; }

    /// <summary>For <see cref="PartialScore.Cosine"/>: cosine weights select only values above 0, binary weights every value (the floor of the single-machine build).</summary>
    public KnnEdgeWeight Weight { get; init; }

    /// <summary>For <see cref="PartialScore.Cosine"/>: skip column <c>i</c> in global row <c>i</c> (an item graph without self loops).</summary>
    public bool ExcludeSelf { get; init; }

    /// <summary>Bytes for one block of scores (sets the block height as in the single-machine build).</summary>
    public long MemoryBudgetBytes { get; init; } = Defaults.MemoryBudgetBytes;

    /// <summary>An explicit block height, or null.</summary>
    public int? BlockRows { get; init; }

    /// <summary>For <see cref="PartialScore.Dot"/>: CSR offsets (rows + 1) into <see cref="ExcludedColumns"/>, or null for no exclusion.</summary>
    public int[]? ExcludedOffsets { get; init; }

    /// <summary>For <see cref="PartialScore.Dot"/>: global column indices that each row must not select (inside this shard).</summary>
    public int[]? ExcludedColumns { get; init; }
}

/// <summary>
/// The result of a <see cref="PartialTopK"/>: up to k (column, value) entries per row, best first (value descending,
/// then column ascending, the library's tie rule), with GLOBAL column indices.
/// </summary>
internal sealed class PartialTopKResult
{
    public PartialTopKResult(int rows, int k)
    {
        Rows = rows;
        K = k;
        Counts = new int[rows];
        Columns = new int[rows * k];
        Values = new float[rows * k];
    }

    public int Rows { get; }

    public int K { get; }

    /// <summary>Entries used in each row (≤ k).</summary>
    public int[] Counts { get; }

    /// <summary>Row r's columns are at <c>[r·K, r·K + Counts[r])</c>.</summary>
    public int[] Columns { get; }

    /// <summary>Aligned with <see cref="Columns"/>.</summary>
    public float[] Values { get; }
}

/// <summary>
/// The entry point for distributed builds (Singer.Recommendation.Orleans): the partial top-k of rows <c>[r0, r1)</c>
/// against columns <c>[c0, c1)</c>, with global indices. Each row's global top-k is the exact k-way merge of its
/// partial lists over disjoint column shards that cover all columns (the order is total: value descending, then
/// column ascending), so a grid of these calls gives the single-machine graph.
/// </summary>
/// <remarks>
/// <para><see cref="PartialScore.Cosine"/> runs the single-machine CPU kernel itself (<see cref="CpuBlockedKnn.Run"/> on a
/// queries × base job): the same normalisation (each row on its own, in double), the same float32 GEMM and the same
/// vectorised selection, so every similarity is the one <see cref="KnnSimilarityGraph.Build"/> computes. The kernel
/// excludes self by local position, which is not the global one in a shard, so when the shard contains a row's own
/// column the kernel keeps k + 1 and the item itself is removed here: the top k without i are the top k + 1 with i,
/// less i (or the first k when i is not among them).</para>
/// <para><see cref="PartialScore.Dot"/> (the all-users export) runs the serving kernel, <see cref="BlockedTopK.Accumulate"/>,
/// on the shard: inner products without normalisation, each row's excluded columns never selected. The Orleans package
/// reaches both through this one method.</para>
/// </remarks>
internal static class PartialTopK
{
    /// <summary>Computes one partial top-k on the CPU.</summary>
    /// <exception cref="ArgumentException">The dimensions differ, the shard is empty, k &lt; 1, or the exclusion lists are malformed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked between blocks and inside the selection).</exception>
    public static PartialTopKResult Compute(PartialTopKRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        return request.Score == PartialScore.Cosine ? Cosine(request, cancellationToken) : Dot(request, cancellationToken);
    }

    private static void Check(PartialTopKRequest r)
    {
        if (r.Rows.Dimension != r.Columns.Dimension)
        {
            throw new ArgumentException($"The row block is {r.Rows.Dimension}-d but the column shard is {r.Columns.Dimension}-d; both must have the same dimension.", nameof(r));
        }

        if (r.Columns.ItemCount == 0)
        {
            throw new ArgumentException($"The column shard starting at {r.ColumnStart} is empty; every shard needs at least one column.", nameof(r));
        }

        if (r.K < 1)
        {
            throw new ArgumentException($"K = {r.K}: must be ≥ 1.", nameof(r));
        }

        if (r.RowStart < 0 || r.ColumnStart < 0)
        {
            throw new ArgumentException($"The row start ({r.RowStart}) and column start ({r.ColumnStart}) must be ≥ 0.", nameof(r));
        }

        if (r.ExcludedOffsets is { } offsets)
        {
            var columns = r.ExcludedColumns ?? throw new ArgumentException("Exclusion offsets were given without columns.", nameof(r));
            if (offsets.Length != r.Rows.ItemCount + 1 || offsets[0] != 0 || offsets[^1] != columns.Length)
            {
                throw new ArgumentException($"The exclusion lists must have {r.Rows.ItemCount + 1} offsets from 0 to {columns.Length}.", nameof(r));
            }

            foreach (int c in columns)
            {
                if (c < r.ColumnStart || c >= r.ColumnStart + r.Columns.ItemCount)
                {
                    throw new ArgumentException($"Excluded column {c} is outside the shard [{r.ColumnStart}, {r.ColumnStart + r.Columns.ItemCount}).", nameof(r));
                }
            }
        }
    }

    private static PartialTopKResult Cosine(PartialTopKRequest r, CancellationToken cancellationToken)
    {
        int rows = r.Rows.ItemCount, cols = r.Columns.ItemCount;
        bool selfInShard = r.ExcludeSelf && r.RowStart < r.ColumnStart + cols && r.ColumnStart < r.RowStart + rows;
        int kernelK = Math.Min(cols, r.K + (selfInShard ? 1 : 0));
        var result = new PartialTopKResult(rows, r.K);
        if (rows == 0)
        {
            return result;
        }

        var settings = new KnnSettings(kernelK, false, r.Weight, 0, KnnPrecision.Float32, 0, 0f, r.MemoryBudgetBytes);
        settings = settings with { BlockRows = CpuBlockedKnn.BlockRows(r.MemoryBudgetBytes, r.BlockRows, rows, cols) };
        var kernel = new KnnResult(rows, kernelK, settings.Floor);
        CpuBlockedKnn.Run(KnnJob.ForQueries(r.Rows, r.Columns), settings, kernel, _ => { }, cancellationToken);
        Parallel.For(0, rows, new ParallelOptions { CancellationToken = cancellationToken }, row =>
        {
            int self = selfInShard ? r.RowStart + row - r.ColumnStart : -1;
            var values = new float[kernelK];
            var columns = new int[kernelK];
            int count = kernel.Accumulator.CopyRow(row, values, columns);
            Emit(values.AsSpan(0, count), columns.AsSpan(0, count), self, r.ColumnStart, result, row);
        });
        return result;
    }

    private static PartialTopKResult Dot(PartialTopKRequest r, CancellationToken cancellationToken)
    {
        int rows = r.Rows.ItemCount, cols = r.Columns.ItemCount, d = r.Rows.Dimension, k = Math.Min(cols, r.K);
        var result = new PartialTopKResult(rows, r.K);
        if (rows == 0)
        {
            return result;
        }

        ColumnExclusions? exclusions = null;
        if (r.ExcludedOffsets is { } excludedOffsets)
        {
            // The fused kernel wants each row's excluded columns ascending (global columns, as the accumulator sees them).
            var sorted = (int[])r.ExcludedColumns!.Clone();
            for (int row = 0; row < rows; row++)
            {
                Array.Sort(sorted, excludedOffsets[row], excludedOffsets[row + 1] - excludedOffsets[row]);
            }

            exclusions = ColumnExclusions.FromSortedRows(excludedOffsets, sorted);
        }

        // The serving kernel (blocked products + running top-k, excluded entries never selected: −∞ never enters).
        var accumulator = new TopKAccumulator(rows, k);
        using (var scope = torch.NewDisposeScope())
        {
            var queries = torch.tensor(r.Rows.Values.ToArray(), new long[] { rows, d });
            var items = torch.tensor(r.Columns.Values.ToArray(), new long[] { cols, d });
            BlockedTopK.Accumulate(queries, items, r.ColumnStart, accumulator, 0, exclusions, null, cancellationToken);
        }

        Parallel.For(0, rows, new ParallelOptions { CancellationToken = cancellationToken }, row =>
        {
            var values = new float[k];
            var columns = new int[k];
            int count = accumulator.CopyRow(row, values, columns);
            Emit(values.AsSpan(0, count), columns.AsSpan(0, count), -1, 0, result, row);
        });
        return result;
    }

    /// <summary>Orders one row's kept entries best first, drops the local column <paramref name="self"/>, keeps at most k, and writes them with global columns.</summary>
    private static void Emit(ReadOnlySpan<float> values, ReadOnlySpan<int> columns, int self, int columnStart, PartialTopKResult result, int row)
    {
        int n = values.Length;
        Span<ulong> keys = n <= 256 ? stackalloc ulong[n] : new ulong[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = OrderKey(values[i], columns[i]);
        }

        // Ascending keys = value descending, then column ascending (the tie rule).
        keys.Sort();
        int at = row * result.K, count = 0;
        for (int i = 0; i < n && count < result.K; i++)
        {
            int column = (int)(uint)keys[i];
            if (column == self)
            {
                continue;
            }

            result.Columns[at + count] = columnStart + column;
            result.Values[at + count] = ValueOf(keys[i]);
            count++;
        }

        result.Counts[row] = count;
    }

    /// <summary>
    /// A key whose unsigned order is the value descending, then the column ascending: the float's bits mapped to an
    /// order-preserving unsigned integer, complemented, above the column. −0 and +0 are one value, as in a float comparison.
    /// </summary>
    private static ulong OrderKey(float value, int column)
    {
        int bits = BitConverter.SingleToInt32Bits(value == 0f ? 0f : value);
        uint ascending = bits < 0 ? ~(uint)bits : (uint)bits | 0x8000_0000u;
        return ((ulong)~ascending << 32) | (uint)column;
    }

    private static float ValueOf(ulong key)
    {
        uint ascending = ~(uint)(key >> 32);
        int bits = (ascending & 0x8000_0000u) != 0 ? (int)(ascending & 0x7FFF_FFFFu) : (int)~ascending;
        return BitConverter.Int32BitsToSingle(bits);
    }
}
