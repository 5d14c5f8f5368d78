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
        var normalizedBase = Scratch.Rent(n * d);
        var normalizedQueries = job.SelfGraph ? normalizedBase : Scratch.Rent(job.QueryRows * d);
        var buffer = Scratch.Rent(blockRows * n);
        try
        {
            // Normalise once (SPEC §1.1: the cosine is the dot product of unit rows).
            KnnJob.Normalize(job.BaseFeatures, normalizedBase);
            if (!job.SelfGraph)
            {
                KnnJob.Normalize(job.QueryFeatures, normalizedQueries);
            }

            RunBlocks(job, settings, result, normalizedBase, normalizedQueries, buffer, blockDone, cancellationToken);
        }
        finally
        {
            Scratch.Return(buffer);
            if (!job.SelfGraph)
            {
                Scratch.Return(normalizedQueries);
            }

            Scratch.Return(normalizedBase);
        }
    }

    private static void RunBlocks(
        KnnJob job, KnnSettings settings, KnnResult result, float[] normalizedBase, float[] normalizedQueries, float[] buffer,
        Action<int> blockDone, CancellationToken cancellationToken)
    {
        int n = job.BaseCount, d = job.Dimension, blockRows = settings.BlockRows;
        using var scope = torch.NewDisposeScope();
        // from_array pins the arrays and wraps them without a copy; every wrapper is disposed before the arrays go back.
        var baseTensor = torch.from_array(normalizedBase).narrow(0, 0, (long)n * d).view(n, d);
        var queries = job.SelfGraph ? baseTensor : torch.from_array(normalizedQueries).narrow(0, 0, (long)job.QueryRows * d).view(job.QueryRows, d);
        var baseTransposed = baseTensor.t();
        var product = torch.from_array(buffer).narrow(0, 0, (long)blockRows * n).view(blockRows, n);
        var options = new ParallelOptions { CancellationToken = cancellationToken };

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

            int first = start;
            const int RowsPerTask = 8;
            Parallel.For(0, (rows + RowsPerTask - 1) / RowsPerTask, options, task =>
            {
                int end = Math.Min(rows, (task + 1) * RowsPerTask);
                for (int r = task * RowsPerTask; r < end; r++)
                {
                    int row = first + r;
                    int self = settings.ExcludeSelf ? row : -1;
                    result.Counts[row] = RowTopK.Select(
                        buffer.AsSpan(r * n, n), settings.K, self, settings.Floor, result.ValueSlots(row), result.ColumnSlots(row));
                }
            });
            blockDone(rows);
        }
    }
}
