using TorchSharp;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>
/// The CPU path of the blocked kNN (SPEC §1.1): for each block of B query rows, <c>S_b = Q_b · Xᵀ</c> with one
/// multi-threaded float32 GEMM (libtorch's BLAS) into a reused buffer, then an exact top-k per row in vectorised C#
/// (<see cref="RowTopK"/>), parallel across rows. Memory: the B × N buffer, never N × N.
/// </summary>
internal static class CpuBlockedKnn
{
    /// <summary>
    /// The block height: as many rows of N floats as the budget holds, but no more than
    /// <see cref="Defaults.PreferredCpuBlockRows"/> rows or <see cref="Defaults.PreferredCpuBlockBytes"/>, whichever is
    /// more (at least 1; an explicit height is capped at 1 GiB).
    /// </summary>
    /// <remarks>
    /// The GEMM reaches its full rate at about a thousand rows (or earlier for a small catalogue, where a whole
    /// N × N block is a few MB); a taller block only adds memory, and fresh memory costs a page fault per 4 KiB on first
    /// touch (about 3 ms per MB on a virtual machine).
    /// </remarks>
    public static int BlockRows(long budgetBytes, int? explicitRows, int queryRows, int baseCount)
    {
        long bytesPerRow = 4L * Math.Max(1, baseCount);
        long cap = Math.Max(1, Defaults.MaxCpuBlockBytes / bytesPerRow);
        long preferred = Math.Max(Defaults.PreferredCpuBlockRows, Defaults.PreferredCpuBlockBytes / bytesPerRow);
        long rows = explicitRows ?? Math.Min(preferred, Math.Max(1, budgetBytes / bytesPerRow));
        return (int)Math.Clamp(Math.Min(rows, cap), 1, Math.Max(1, queryRows));
    }

    public static void Run(KnnJob job, KnnSettings settings, KnnResult result, Action<int> blockDone, CancellationToken cancellationToken)
    {
        int n = job.BaseCount, d = job.Dimension, blockRows = settings.BlockRows;
        var normalizedBase = AlignedArray.Rent(n * d);
        var normalizedQueries = job.SelfGraph ? normalizedBase : AlignedArray.Rent(job.QueryRows * d);
        var buffer = AlignedArray.Rent(blockRows * n);
        try
        {
            // Normalise once (SPEC §1.1: the cosine is the dot product of unit rows).
            KnnJob.Normalize(job.BaseFeatures, normalizedBase.Array, normalizedBase.Offset);
            if (!job.SelfGraph)
            {
                KnnJob.Normalize(job.QueryFeatures, normalizedQueries.Array, normalizedQueries.Offset);
            }

            RunBlocks(job, settings, result, normalizedBase, normalizedQueries, buffer, blockDone, cancellationToken);
        }
        finally
        {
            buffer.Return();
            if (!job.SelfGraph)
            {
                normalizedQueries.Return();
            }

            normalizedBase.Return();
        }
    }

    private static void RunBlocks(
        KnnJob job, KnnSettings settings, KnnResult result, AlignedArray normalizedBase, AlignedArray normalizedQueries, AlignedArray buffer,
        Action<int> blockDone, CancellationToken cancellationToken)
    {
        int n = job.BaseCount, d = job.Dimension, blockRows = settings.BlockRows;
        using var scope = torch.NewDisposeScope();
        // The tensors wrap the pinned arrays without a copy; all of them are disposed before the arrays go back.
        var baseTensor = normalizedBase.AsTensor(n, d);
        var queries = job.SelfGraph ? baseTensor : normalizedQueries.AsTensor(job.QueryRows, d);
        var baseTransposed = baseTensor.t();
        var product = buffer.AsTensor(blockRows, n);
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        var array = buffer.Array;
        int offset = buffer.Offset;

        for (int start = 0; start < job.QueryRows; start += blockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(blockRows, job.QueryRows - start);
            using (var target = product.narrow(0, 0, rows))
            using (var block = queries.narrow(0, start, rows))
            {
                // beta = 0: the buffer's old content is ignored, not multiplied.
                target.addmm_(block, baseTransposed, beta: 0f, alpha: 1f);
            }

            // A few contiguous row ranges per core: many small interleaved tasks were measured 3–4× slower
            // (the threads' reads interleave and the rows' heaps share cache lines at every task boundary).
            int first = start;
            int parts = Math.Min(rows, Environment.ProcessorCount * 4);
            Parallel.For(0, parts, options, part =>
            {
                int end = (int)((long)rows * (part + 1) / parts);
                for (int r = (int)((long)rows * part / parts); r < end; r++)
                {
                    int row = first + r;
                    int self = settings.ExcludeSelf ? row : -1;
                    result.Counts[row] = RowTopK.Select(
                        array.AsSpan(offset + (r * n), n), settings.K, self, settings.Floor, result.ValueSlots(row), result.ColumnSlots(row));
                }
            });
            blockDone(rows);
        }
    }
}
