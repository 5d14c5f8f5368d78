using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>
/// The CPU path of the blocked kNN (SPEC §1.1): for each block of B query rows, the library's fused top-k kernel
/// (<see cref="BlockedTopK"/>, shared with serving): <c>S_b = Q_b · Xᵀ</c> with one multi-threaded float32 GEMM
/// (libtorch's BLAS) into a reused buffer, then an exact top-k per row in vectorised C#, parallel across rows, the item
/// itself masked. Memory: the B × N buffer, never N × N.
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
        int n = job.BaseCount, d = job.Dimension;
        var normalizedBase = Scratch.Rent(n * d);
        var normalizedQueries = job.SelfGraph ? normalizedBase : Scratch.Rent(job.QueryRows * d);
        try
        {
            // Normalise once (SPEC §1.1: the cosine is the dot product of unit rows).
            KnnJob.Normalize(job.BaseFeatures, normalizedBase, 0);
            if (!job.SelfGraph)
            {
                KnnJob.Normalize(job.QueryFeatures, normalizedQueries, 0);
            }

            RunBlocks(job, settings, result, normalizedBase, normalizedQueries, blockDone, cancellationToken);
        }
        finally
        {
            if (!job.SelfGraph)
            {
                Scratch.Return(normalizedQueries);
            }

            Scratch.Return(normalizedBase);
        }
    }

    private static void RunBlocks(
        KnnJob job, KnnSettings settings, KnnResult result, float[] normalizedBase, float[] normalizedQueries,
        Action<int> blockDone, CancellationToken cancellationToken)
    {
        int n = job.BaseCount, d = job.Dimension, blockRows = settings.BlockRows;
        using var scope = torch.NewDisposeScope();
        // The tensors wrap the pooled arrays without a copy; all of them are disposed before the arrays go back.
        var baseTensor = Wrap(normalizedBase, n, d);
        var queries = job.SelfGraph ? baseTensor : Wrap(normalizedQueries, job.QueryRows, d);
        var exclusions = settings.ExcludeSelf ? ColumnExclusions.Diagonal() : null;
        for (int start = 0; start < job.QueryRows; start += blockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(blockRows, job.QueryRows - start);
            using (var block = queries.narrow(0, start, rows))
            {
                // Full-width tiles: at d in the hundreds the product dominates, and one GEMM per block reaches the BLAS
                // rate (the serving calls, at d = 64, use cache-sized tiles instead).
                BlockedTopK.Accumulate(block, baseTensor, 0, result.Accumulator, start, exclusions, tileColumns: n, cancellationToken);
            }

            blockDone(rows);
        }
    }

    private static torch.Tensor Wrap(float[] array, long rows, long columns)
    {
        using var flat = torch.from_array(array);
        using var part = flat.narrow(0, 0, rows * columns);
        return part.view(rows, columns);
    }
}
