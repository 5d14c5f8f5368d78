using Microsoft.Extensions.Logging;
using Orleans;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans;

/// <summary>What a job computes, before it is cut into work items.</summary>
internal sealed record JobSpec(
    string Name,
    FeatureSource Rows,
    FeatureShape RowShape,
    FeatureSource Columns,
    FeatureShape ColumnShape,
    int K,
    bool DotProduct,
    bool BinaryWeights,
    bool ExcludeSelf,
    long MemoryBudgetBytes,
    int? BlockRows,
    UserItemMatrix? Exclude);

/// <summary>Cuts a job into a grid of work items, runs them and merges the results.</summary>
internal static class JobPlan
{
    /// <summary>Row block × column shard work items: blocks and shards as even as integer division allows, none empty.</summary>
    public static TopKWorkItem[] Items(JobSpec spec, Guid jobId, int rowBlocks, int columnShards)
    {
        int rows = spec.RowShape.Rows, columns = spec.ColumnShape.Rows;
        var items = new TopKWorkItem[rowBlocks * columnShards];
        for (int b = 0; b < rowBlocks; b++)
        {
            int r0 = (int)((long)rows * b / rowBlocks), r1 = (int)((long)rows * (b + 1) / rowBlocks);
            var rowSlice = spec.Rows.Slice(r0, r1 - r0);
            for (int s = 0; s < columnShards; s++)
            {
                int c0 = (int)((long)columns * s / columnShards), c1 = (int)((long)columns * (s + 1) / columnShards);
                bool sameSlice = ReferenceEquals(spec.Rows, spec.Columns) && r0 == c0 && r1 == c1;
                var (offsets, excluded) = Exclusions(spec.Exclude, r0, r1, c0, c1);
                items[(b * columnShards) + s] = new TopKWorkItem
                {
                    JobId = jobId,
                    Id = (b * columnShards) + s,
                    RowBlock = b,
                    ColumnShard = s,
                    Rows = rowSlice,
                    RowStart = r0,
                    RowCount = r1 - r0,
                    Columns = sameSlice ? rowSlice : spec.Columns.Slice(c0, c1 - c0),
                    ColumnStart = c0,
                    ColumnCount = c1 - c0,
                    Dimension = spec.RowShape.Dimension,
                    K = spec.K,
                    DotProduct = spec.DotProduct,
                    BinaryWeights = spec.BinaryWeights,
                    ExcludeSelf = spec.ExcludeSelf,
                    MemoryBudgetBytes = spec.MemoryBudgetBytes,
                    BlockRows = spec.BlockRows,
                    ExcludedOffsets = offsets,
                    ExcludedColumns = excluded,
                };
            }
        }

        return items;
    }

    /// <summary>Runs a validated job; the merger holds the result.</summary>
    public static async Task<TopKMerger> RunAsync(
        IGrainFactory cluster, JobSpec spec, ClusterJobOptions job, IProgress<ClusterJobProgress>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        var silos = await WorkItemCoordinator.ActiveSilosAsync(cluster, cancellationToken).ConfigureAwait(false);
        if (silos.Count == 0)
        {
            throw new ClusterJobException($"Job '{spec.Name}': the cluster has no active silo.");
        }

        int rows = spec.RowShape.Rows, columns = spec.ColumnShape.Rows;
        var (rowBlocks, columnShards) = job.Grid(rows, columns, spec.RowShape.Dimension, silos.Count * job.WorkItemsPerSilo);
        var jobId = Guid.NewGuid();
        var merger = new TopKMerger(rows, spec.K);
        if (rows == 0)
        {
            return merger;
        }

        var items = Items(spec, jobId, rowBlocks, columnShards);
        Log.JobStarted(logger, jobId, spec.Name, items.Length, rowBlocks, columnShards, rows, columns, spec.RowShape.Dimension, spec.K, silos.Count, job.WorkItemsPerSilo);
        var coordinator = new WorkItemCoordinator(cluster, spec.Name, items, merger.Merge, job, progress, logger);
        await coordinator.RunAsync(silos, cancellationToken).ConfigureAwait(false);
        if (merger.MergedCount != items.Length)
        {
            throw new InvalidOperationException($"Job '{spec.Name}' merged {merger.MergedCount} of {items.Length} work items.");
        }

        return merger;
    }

    /// <summary>The shape of a source: known in memory, otherwise from a silo (which also checks the file).</summary>
    public static async Task<FeatureShape> DescribeAsync(IGrainFactory cluster, FeatureSource source, ClusterJobOptions job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.KnownShape is { } known)
        {
            return known;
        }

        var grain = cluster.GetGrain<ITopKWorkerGrain>($"describe/{Guid.NewGuid():N}");
        try
        {
            var timeout = job.WorkItemTimeout < TimeSpan.FromMinutes(1) ? job.WorkItemTimeout : TimeSpan.FromMinutes(1);
            return await grain.DescribeAsync(source, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (FeatureSourceException or OperationCanceledException or ArgumentException))
        {
            throw new ClusterJobException($"No silo could describe the feature source '{source.Name}' ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    /// <summary>The problems of kNN options for <paramref name="items"/> items on the cluster (the rules of <see cref="KnnGraphOptions"/>; CPU, float32).</summary>
    public static void AddKnnProblems(ProblemList problems, KnnGraphOptions? knn, int items, string prefix)
    {
        if (knn is null)
        {
            problems.Add(prefix.TrimEnd('.'), $"is null; use new {nameof(KnnGraphOptions)}() for the defaults.");
            return;
        }

        int maxK = knn.IncludeSelf ? items : items - 1;
        string limit = knn.IncludeSelf ? $"≤ the item count ({items}) with {nameof(KnnGraphOptions.IncludeSelf)}" : $"< the item count ({items})";
        if (knn.K < 1 || knn.K > maxK)
        {
            problems.Add($"{prefix}{nameof(KnnGraphOptions.K)}", $"must be ≥ 1 and {limit}; got {knn.K}.");
        }

        if (knn.MemoryBudgetBytes <= 0)
        {
            problems.Add($"{prefix}{nameof(KnnGraphOptions.MemoryBudgetBytes)}", $"must be > 0 bytes; got {knn.MemoryBudgetBytes}.");
        }

        if (knn.BlockRows is < 1)
        {
            problems.Add($"{prefix}{nameof(KnnGraphOptions.BlockRows)}", $"must be ≥ 1 when set (null sizes blocks from {nameof(KnnGraphOptions.MemoryBudgetBytes)}); got {knn.BlockRows}.");
        }

        if (!Enum.IsDefined(knn.Weight))
        {
            problems.Add($"{prefix}{nameof(KnnGraphOptions.Weight)}", $"must be {nameof(KnnEdgeWeight.Cosine)} or {nameof(KnnEdgeWeight.Binary)}; got {(int)knn.Weight}.");
        }

        if (knn.Precision != KnnPrecision.Float32)
        {
            problems.Add($"{prefix}{nameof(KnnGraphOptions.Precision)}", $"is {knn.Precision}, but the cluster build runs on the silos' CPUs in {nameof(KnnPrecision.Float32)}; reduced precision is for a single CUDA device.");
        }
    }

    private static (int[]? Offsets, int[]? Columns) Exclusions(UserItemMatrix? exclude, int r0, int r1, int c0, int c1)
    {
        if (exclude is null)
        {
            return (null, null);
        }

        var offsets = new int[r1 - r0 + 1];
        var columns = new List<int>();
        for (int u = r0; u < r1; u++)
        {
            foreach (int i in exclude.ItemsOf(u))
            {
                if (i >= c0 && i < c1)
                {
                    columns.Add(i);
                }
            }

            offsets[u - r0 + 1] = columns.Count;
        }

        return (offsets, columns.ToArray());
    }
}
