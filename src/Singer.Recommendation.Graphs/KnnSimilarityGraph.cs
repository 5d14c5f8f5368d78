using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs.Knn;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>
/// Builds the modality kNN graph <c>S^m</c> of SPEC §1.1 in row blocks, in memory that grows linearly with the
/// item count, on the CPU or a CUDA device.
/// </summary>
/// <remarks>
/// <para><c>s_ij = cos(f_i, f_j)</c>; each item keeps its top-k items (default 10) by similarity, <c>j ≠ i</c> unless
/// <see cref="KnnGraphOptions.IncludeSelf"/>. Ties go to the lower item index, so the graph is deterministic. A zero
/// feature row has similarity 0 with everything, never NaN. With <see cref="KnnEdgeWeight.Cosine"/> weights (the
/// default) the weight is the cosine and edges with cosine ≤ 0 are dropped (normalisation then never meets a negative
/// row sum); with <see cref="KnnEdgeWeight.Binary"/> every item keeps exactly k edges of weight 1 (FREEDOM parity).</para>
/// <para>The features are L2-normalised once; then, for each block of B rows, <c>S_b = X_b · Xᵀ</c> (B × N) is computed
/// and reduced to its top k per row. B comes from <see cref="KnnGraphOptions.MemoryBudgetBytes"/>. Memory:
/// <c>O(B·N + N·d + N·k)</c>; time: <c>O(N²·d)</c> for the products plus <c>O(N²)</c> for the selection, which on the
/// CPU is a vectorised threshold scan in C# and on CUDA a chunked selection that stays on the device
/// (see <c>docs/graphs.md</c>).</para>
/// </remarks>
public static class KnnSimilarityGraph
{
    /// <summary>Builds the kNN graph of one modality: an item × item graph with up to k entries per row.</summary>
    /// <param name="features">The modality's item features (one row per item).</param>
    /// <param name="options">The options; null takes the defaults (k = 10, cosine weights, self excluded, 256 MiB blocks).</param>
    /// <param name="device">Where the products run; null for the CPU.</param>
    /// <param name="progress">Receives a report after each block.</param>
    /// <param name="logger">Receives start, progress (every 10 s) and end messages.</param>
    /// <param name="cancellationToken">Checked between blocks and inside the parallel selection.</param>
    /// <exception cref="GraphOptionsException">The options are invalid for this modality (every problem listed).</exception>
    /// <exception cref="OperationCanceledException">The build was cancelled.</exception>
    public static SparseGraph Build(
        ItemModality features,
        KnnGraphOptions? options = null,
        torch.Device? device = null,
        IProgress<GraphBuildProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        options ??= new KnnGraphOptions();
        device ??= torch.CPU;
        options.Validate(features.ItemCount, selfGraph: true, device);
        var job = KnnJob.ForItems(features);
        return Run(job, options, device, progress, logger ?? NullLogger.Instance, cancellationToken);
    }

    /// <summary>
    /// The top-k base items of each query row (for example the features of new, cold-start items), with the same
    /// cosine, tie and weighting rules as <see cref="Build"/>: a <c>queries × baseItems</c> graph. No column is excluded
    /// (a query is not a base item); <see cref="KnnGraphOptions.IncludeSelf"/> has no effect.
    /// </summary>
    /// <param name="queries">The query feature rows.</param>
    /// <param name="baseItems">The existing items' features, the graph's columns; same dimension as the queries.</param>
    /// <param name="options">The options; null takes the defaults. k must be ≤ the base item count.</param>
    /// <param name="device">Where the products run; null for the CPU.</param>
    /// <param name="cancellationToken">Checked between blocks.</param>
    /// <exception cref="GraphOptionsException">The options are invalid, or the dimensions differ (every problem listed).</exception>
    public static SparseGraph BuildQuery(
        ItemModality queries,
        ItemModality baseItems,
        KnnGraphOptions? options = null,
        torch.Device? device = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(baseItems);
        options ??= new KnnGraphOptions();
        device ??= torch.CPU;
        var problems = new ProblemList();
        options.AddProblems(problems, baseItems.ItemCount, selfGraph: false, device, $"{nameof(KnnGraphOptions)}.");
        problems.AddIf(queries.Dimension != baseItems.Dimension, nameof(queries),
            $"the query features are {queries.Dimension}-d but the base items' are {baseItems.Dimension}-d; both must have the same dimension.");
        problems.ThrowIfAny(nameof(KnnGraphOptions));
        if (queries.ItemCount == 0)
        {
            return SparseGraph.Empty(0, baseItems.ItemCount);
        }

        var job = KnnJob.ForQueries(queries, baseItems);
        return Run(job, options, device, null, NullLogger.Instance, cancellationToken);
    }

    private static SparseGraph Run(KnnJob job, KnnGraphOptions options, torch.Device device, IProgress<GraphBuildProgress>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        bool devicePath = options.UsesDevicePath(device);
        var settings = new KnnSettings(
            options.K,
            job.SelfGraph && !options.IncludeSelf,
            options.Weight,
            0,
            options.Precision,
            options.ReducedPrecisionExtraCandidates,
            options.ReducedPrecisionTolerance ?? DeviceBlockedKnn.WorstCaseTolerance(options.Precision, job.Dimension),
            options.MemoryBudgetBytes);
        int blockRows = devicePath
            ? DeviceBlockedKnn.BlockRows(options.MemoryBudgetBytes, options.BlockRows, settings, job.QueryRows, job.BaseCount, job.Dimension)
            : CpuBlockedKnn.BlockRows(options.MemoryBudgetBytes, options.BlockRows, job.QueryRows, job.BaseCount);
        settings = settings with { BlockRows = blockRows };
        var result = new KnnResult(job.QueryRows, options.K, settings.Floor);
        int blocks = (job.QueryRows + blockRows - 1) / blockRows;
        Log.KnnStarted(logger, job.Name, job.QueryRows, job.BaseCount, job.Dimension, options.K, options.Weight,
            !job.SelfGraph ? "n/a" : options.IncludeSelf ? "included" : "excluded",
            devicePath ? "device-selection" : "CPU-selection", device.ToString(), options.Precision, blocks, blockRows);

        var clock = Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        long done = 0, uncertified = 0;
        void BlockDone(int rows, int redone)
        {
            done += rows;
            uncertified += redone;
            progress?.Report(new GraphBuildProgress(GraphBuildStage.Similarity, job.Name, done, job.QueryRows, clock.Elapsed));
            Log.KnnBlock(logger, job.Name, rows, done, job.QueryRows, redone);
            if (clock.Elapsed - lastLog >= TimeSpan.FromSeconds(10) && done < job.QueryRows)
            {
                lastLog = clock.Elapsed;
                Log.KnnProgress(logger, job.Name, done, job.QueryRows, 100.0 * done / job.QueryRows, clock.Elapsed.TotalSeconds);
            }
        }

        if (devicePath)
        {
            DeviceBlockedKnn.Run(job, settings, device, result, BlockDone, cancellationToken);
        }
        else
        {
            CpuBlockedKnn.Run(job, settings, result, rows => BlockDone(rows, 0), cancellationToken);
        }

        var graph = result.ToGraph(job.BaseCount, options.Weight);
        Log.KnnFinished(logger, job.Name, clock.Elapsed.TotalSeconds, graph.NonZeroCount, uncertified);
        return graph;
    }
}
