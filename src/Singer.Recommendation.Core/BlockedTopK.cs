using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Core;

/// <summary>
/// The fused top-k kernel of the library: the top k columns of every row of <c>Q · Xᵀ</c> without ever holding the
/// whole product. For each tile of columns, one float32 matrix product (libtorch's BLAS) writes <c>rows × tile</c>
/// scores into a reused, cache-sized buffer; the excluded columns are set to −∞; then each row's running top-k (a heap
/// whose root is a threshold that skips 64 values per SIMD compare, <see cref="TopKAccumulator"/>) reads the tile
/// while it is still in cache. Order: value descending, then column ascending (ties to the lower index); only values
/// strictly above the accumulator's floor enter.
/// </summary>
/// <remarks>
/// <para>One kernel, three users: the kNN graph builder (cosine of unit rows, the item itself excluded, floor 0 for
/// cosine weights), <c>RecommendationEngine.RecommendBatch</c> (inner products, the users' seen items excluded) and
/// <c>RecommendationEngine.SimilarItems</c>. Memory: the tile buffer (<c>rows × tile</c> floats, pooled) and the
/// accumulator (<c>rows × k</c>); never <c>rows × N</c> unless the caller asks for full-width tiles.</para>
/// <para><see cref="Accumulate"/> is the entry point for a partial result: a block of rows against a range of columns
/// (a shard), into an accumulator that other ranges' results merge into exactly (<see cref="TopKAccumulator.Merge"/>).</para>
/// <para>CPU tensors only; the CUDA kNN path keeps its selection on the device (<c>docs/graphs.md</c>).</para>
/// </remarks>
public static class BlockedTopK
{
    private const int MinTileColumns = 1024;

    /// <summary>The top <paramref name="k"/> columns of every row of <c>queries · itemsᵀ</c>, best first.</summary>
    /// <param name="queries">The query rows, <c>[rows, d]</c> float32 on the CPU (users, or unit item rows).</param>
    /// <param name="items">The columns as rows, <c>[n, d]</c> float32 on the CPU.</param>
    /// <param name="k">Entries per row (≥ 1); a row yields fewer when fewer columns are above the floor and not excluded.</param>
    /// <param name="exclusions">Columns each row never selects (by query row); null for none.</param>
    /// <param name="floor">Only values strictly above it are selected; −∞ (default) keeps every finite value.</param>
    /// <param name="cancellationToken">Checked between tiles and inside the parallel selection.</param>
    /// <exception cref="ArgumentException">The tensors are not 2-D float32 CPU tensors of the same width.</exception>
    public static ScoredIndex[][] Select(Tensor queries, Tensor items, int k, ColumnExclusions? exclusions = null, float floor = float.NegativeInfinity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var into = new TopKAccumulator(queries.shape.Length == 2 ? (int)queries.shape[0] : 0, k, floor);
        Accumulate(queries, items, 0, into, 0, exclusions, null, cancellationToken);
        return into.SortedRows();
    }

    /// <summary>
    /// Adds the columns <c>[firstColumn, firstColumn + n)</c> to the running top-k of accumulator rows
    /// <c>[firstRow, firstRow + rows)</c>: the partial top-k of a row block against a column range. Calls for the same
    /// rows must cover increasing, disjoint column ranges (or go to separate accumulators that are merged).
    /// </summary>
    /// <param name="queries">The block's query rows, <c>[rows, d]</c> float32 on the CPU.</param>
    /// <param name="items">The column range's rows, <c>[n, d]</c> float32 on the CPU.</param>
    /// <param name="firstColumn">The global column index of <c>items[0]</c> (what the accumulator and the exclusions see).</param>
    /// <param name="into">The accumulator; its floor applies.</param>
    /// <param name="firstRow">The accumulator row of <c>queries[0]</c> (also the row the exclusions are looked up by).</param>
    /// <param name="exclusions">Columns each accumulator row never selects; null for none.</param>
    /// <param name="tileColumns">Columns per product; null chooses a tile of about 512 KiB of scores (at least 1,024 columns). The kNN builder asks for full-width tiles.</param>
    /// <param name="cancellationToken">Checked between tiles and inside the parallel selection.</param>
    /// <exception cref="ArgumentException">The tensors are not 2-D float32 CPU tensors of the same width, or the rows do not fit the accumulator.</exception>
    public static void Accumulate(
        Tensor queries,
        Tensor items,
        int firstColumn,
        TopKAccumulator into,
        int firstRow = 0,
        ColumnExclusions? exclusions = null,
        int? tileColumns = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(into);
        Check(queries, nameof(queries));
        Check(items, nameof(items));
        if (queries.shape[1] != items.shape[1])
        {
            throw new ArgumentException($"The queries are {queries.shape[1]}-d but the items are {items.shape[1]}-d; both must have the same width.", nameof(items));
        }

        int rows = (int)queries.shape[0];
        int n = (int)items.shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(firstColumn);
        if (firstRow < 0 || firstRow + rows > into.Rows)
        {
            throw new ArgumentException($"Rows [{firstRow}, {firstRow + rows}) do not fit an accumulator of {into.Rows} rows.", nameof(firstRow));
        }

        if (rows == 0 || n == 0)
        {
            return;
        }

        int tile = TileColumns(rows, n, tileColumns);
        var buffer = AlignedArray.Rent(checked(rows * tile));
        try
        {
            using var scope = NewDisposeScope();
            var q = queries.is_contiguous() ? queries : queries.contiguous();
            var x = items.is_contiguous() ? items : items.contiguous();
            var full = buffer.AsTensor(rows, tile);
            var options = new ParallelOptions { CancellationToken = cancellationToken };
            for (int start = 0; start < n; start += tile)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int width = Math.Min(tile, n - start);
                using (var part = x.narrow(0, start, width))
                using (var partT = part.t())
                {
                    if (width == tile)
                    {
                        // beta = 0: the buffer's old content is ignored, not multiplied.
                        full.addmm_(q, partT, beta: 0f, alpha: 1f);
                    }
                    else
                    {
                        using var last = buffer.AsTensor(rows, width);
                        last.addmm_(q, partT, beta: 0f, alpha: 1f);
                    }
                }

                SelectTile(buffer, rows, width, firstColumn + start, into, firstRow, exclusions, options);
            }
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>Columns per tile: the requested width, or about <see cref="Defaults.TileBytes"/> of scores, a multiple of 64.</summary>
    internal static int TileColumns(int rows, int n, int? requested)
    {
        if (requested is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(r, 1, "tileColumns");
            return Math.Min(r, n);
        }

        long columns = Defaults.TileBytes / (sizeof(float) * (long)Math.Max(1, rows));
        columns = Math.Max(MinTileColumns, columns / 64 * 64);
        return (int)Math.Min(columns, n);
    }

    /// <summary>Masks and selects one tile: rows in parallel when the tile is large enough to pay for the threads.</summary>
    private static void SelectTile(AlignedArray buffer, int rows, int width, int firstColumn, TopKAccumulator into, int firstRow, ColumnExclusions? exclusions, ParallelOptions options)
    {
        var array = buffer.Array;
        int offset = buffer.Offset;
        void Rows(int from, int to)
        {
            for (int r = from; r < to; r++)
            {
                var values = array.AsSpan(offset + (r * width), width);
                exclusions?.Mask(firstRow + r, values, firstColumn);
                into.OfferRun(firstRow + r, values, firstColumn);
            }
        }

        // About 64k values per task: fewer are scanned faster than a task starts.
        int parts = (int)Math.Min(Math.Min(rows, Environment.ProcessorCount * 4), Math.Max(1, (long)rows * width / 65_536));
        if (parts <= 1)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            Rows(0, rows);
            return;
        }

        // A few contiguous row ranges per core: many small interleaved tasks were measured 3–4× slower
        // (the threads' reads interleave and the rows' heaps share cache lines at every task boundary).
        Parallel.For(0, parts, options, part => Rows((int)((long)rows * part / parts), (int)((long)rows * (part + 1) / parts)));
    }

    private static void Check(Tensor t, string name)
    {
        if (t.shape.Length != 2)
        {
            throw new ArgumentException($"{name} must be a 2-D [rows, d] tensor; got [{string.Join(", ", t.shape)}].", name);
        }

        if (t.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"{name} must be float32; got {t.dtype}.", name);
        }

        if (t.device.type != DeviceType.CPU)
        {
            throw new ArgumentException($"{name} is on {t.device}; the blocked top-k runs on the CPU (the CUDA kNN path selects on the device).", name);
        }
    }
}
