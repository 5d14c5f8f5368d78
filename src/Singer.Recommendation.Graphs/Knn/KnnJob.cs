using System.Runtime.Intrinsics;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>One kNN computation: query rows against base rows (the same modality for an item graph).</summary>
internal sealed class KnnJob
{
    private KnnJob(ItemModality queries, ItemModality baseItems, bool selfGraph)
    {
        QueryFeatures = queries;
        BaseFeatures = baseItems;
        SelfGraph = selfGraph;
    }

    /// <summary>The modality name, for logs and progress.</summary>
    public string Name => BaseFeatures.Name;

    /// <summary>The raw query rows (graph rows).</summary>
    public ItemModality QueryFeatures { get; }

    /// <summary>The raw base rows (graph columns); the same object as <see cref="QueryFeatures"/> for an item graph.</summary>
    public ItemModality BaseFeatures { get; }

    /// <summary>Number of query rows (graph rows).</summary>
    public int QueryRows => QueryFeatures.ItemCount;

    /// <summary>Number of base rows (graph columns).</summary>
    public int BaseCount => BaseFeatures.ItemCount;

    /// <summary>The feature dimension.</summary>
    public int Dimension => BaseFeatures.Dimension;

    /// <summary>True for an item × item graph, where row i is column i (self exclusion applies).</summary>
    public bool SelfGraph { get; }

    public static KnnJob ForItems(ItemModality features) => new(features, features, true);

    public static KnnJob ForQueries(ItemModality queries, ItemModality baseItems) => new(queries, baseItems, false);

    /// <summary>
    /// Writes each row divided by its L2 norm (accumulated in double) into <paramref name="normalized"/> from <paramref name="offset"/> on, so that a dot product is the cosine (SPEC §1.1). A zero
    /// row stays zero, so its similarity with everything is exactly 0, never NaN.
    /// </summary>
    internal static void Normalize(ItemModality features, float[] normalized, int offset)
    {
        int rows = features.ItemCount, dim = features.Dimension;
        if (normalized.Length - offset < rows * dim)
        {
            throw new ArgumentException($"The target holds {normalized.Length - offset} floats; {rows * dim} are needed.", nameof(normalized));
        }

        Parallel.For(0, (rows + 255) / 256, chunk =>
        {
            var source = features.Values;
            int end = Math.Min(rows, (chunk + 1) * 256);
            for (int r = chunk * 256; r < end; r++)
            {
                NormalizeRow(source.Slice(r * dim, dim), normalized.AsSpan(offset + (r * dim), dim));
            }
        });
    }

    /// <summary>One row: the sum of squares and the scaling in double (4 lanes at a time), each value rounded to float once.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeRow(ReadOnlySpan<float> row, Span<float> target)
    {
        int dim = row.Length, c = 0;
        double sumSquares = 0;
        if (Vector256.IsHardwareAccelerated && dim >= 8)
        {
            var accumulator = Vector256<double>.Zero;
            for (; c <= dim - 8; c += 8)
            {
                var v = Vector256.Create(row.Slice(c, 8));
                var (low, high) = Vector256.Widen(v);
                accumulator = Vector256.FusedMultiplyAdd(low, low, accumulator);
                accumulator = Vector256.FusedMultiplyAdd(high, high, accumulator);
            }

            sumSquares = Vector256.Sum(accumulator);
        }

        for (; c < dim; c++)
        {
            sumSquares += (double)row[c] * row[c];
        }

        if (sumSquares == 0)
        {
            target.Clear();
            return;
        }

        double inverse = 1.0 / Math.Sqrt(sumSquares);
        c = 0;
        if (Vector256.IsHardwareAccelerated && dim >= 8)
        {
            var scale = Vector256.Create(inverse);
            for (; c <= dim - 8; c += 8)
            {
                var (low, high) = Vector256.Widen(Vector256.Create(row.Slice(c, 8)));
                Vector256.Narrow(low * scale, high * scale).CopyTo(target.Slice(c, 8));
            }
        }

        for (; c < dim; c++)
        {
            target[c] = (float)(row[c] * inverse);
        }
    }
}

/// <summary>The resolved settings of one kNN run.</summary>
internal readonly record struct KnnSettings(
    int K,
    bool ExcludeSelf,
    KnnEdgeWeight Weight,
    int BlockRows,
    KnnPrecision Precision,
    int ExtraCandidates,
    float Tolerance,
    long MemoryBudgetBytes)
{
    /// <summary>Only similarities strictly above the floor become edges: 0 for cosine weights (SPEC: edges with cosine ≤ 0 are dropped), -∞ for binary.</summary>
    public float Floor => Weight == KnnEdgeWeight.Cosine ? 0f : float.NegativeInfinity;

    public bool Reduced => Precision != KnnPrecision.Float32;
}

/// <summary>Per-row results: the running top-k of each row (<see cref="TopKAccumulator"/>, shared with serving).</summary>
internal sealed class KnnResult
{
    public KnnResult(int rows, int k, float floor = float.NegativeInfinity)
    {
        if ((long)rows * k > Array.MaxLength)
        {
            throw new InvalidOperationException($"{rows:N0} rows × k = {k} exceeds the largest array; use a smaller k.");
        }

        Accumulator = new TopKAccumulator(rows, k, floor);
    }

    public TopKAccumulator Accumulator { get; }

    public int Rows => Accumulator.Rows;

    public int K => Accumulator.K;

    /// <summary>The CSR graph: each row's entries sorted by column; binary edges get weight 1.</summary>
    public SparseGraph ToGraph(int columnCount, KnnEdgeWeight weight) => ToGraph(Accumulator, columnCount, weight);

    /// <summary>The CSR graph of an accumulator's rows: each row's entries sorted by column; binary edges get weight 1.</summary>
    public static SparseGraph ToGraph(TopKAccumulator accumulator, int columnCount, KnnEdgeWeight weight)
    {
        int rowCount = accumulator.Rows;
        var offsets = new int[rowCount + 1];
        for (int r = 0; r < rowCount; r++)
        {
            offsets[r + 1] = offsets[r] + accumulator.Count(r);
        }

        int nnz = offsets[rowCount];
        var cols = new int[nnz];
        var vals = new float[nnz];
        Parallel.For(0, (rowCount + 1023) / 1024, chunk =>
        {
            int end = Math.Min(rowCount, (chunk + 1) * 1024);
            for (int r = chunk * 1024; r < end; r++)
            {
                int n = accumulator.Count(r);
                var c = cols.AsSpan(offsets[r], n);
                var v = vals.AsSpan(offsets[r], n);
                accumulator.CopyRow(r, v, c);
                c.Sort(v);
                if (weight == KnnEdgeWeight.Binary)
                {
                    v.Fill(1f);
                }
            }
        });
        return SparseGraph.CreateUnchecked(rowCount, columnCount, offsets, cols, vals);
    }
}
