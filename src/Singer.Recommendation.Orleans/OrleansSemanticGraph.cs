using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// The exact Enhanced Item-Item Semantic Graph (SPEC §1) built on a Microsoft Orleans cluster: the modality kNN graphs
/// are cut into row block × column shard work items that the silos compute with the single-machine kernel, merged
/// exactly per row, and fused with the co-interaction graph by β as <see cref="SemanticGraph.Build"/> does. The result equals the
/// single-machine build: the same neighbours, ties to the lower index, zero rows without edges, the same float32
/// cosines (up to their last bit where BLAS sums another block shape in another order, as between two block heights
/// on one machine).
/// </summary>
/// <remarks>
/// <para>The silos must reference this package and, for the kernel, a TorchSharp CPU backend; configure them with
/// <c>siloBuilder.AddSingerRecommendationWorkers()</c>. See <c>docs/scale-out.md</c> for the sharding scheme, deployment
/// and capacity figures.</para>
/// <para>The co-interaction graph (SPEC §1.2, <c>O(Σ_u |N_u|²)</c>, seconds at 10⁶ interactions) and the fusion run on
/// the caller's machine.</para>
/// </remarks>
public static class OrleansSemanticGraph
{
    /// <summary>
    /// Builds the semantic graph of <paramref name="data"/> on the cluster: the kNN graph of each feature source on the silos, the
    /// co-interaction graph of the TRAINING interactions and the fusion here.
    /// </summary>
    /// <param name="cluster">A connected cluster client (or a grain factory inside a silo).</param>
    /// <param name="data">The data set: its training split builds the co-interaction graph; its item count must equal each source's rows.</param>
    /// <param name="features">One source per modality (its <see cref="FeatureSource.Name"/> names the modality); null: the data set's own modalities, carried in memory.</param>
    /// <param name="options">The graph options; null takes the defaults (k = 10 cosine, k_c = 10, β = 0.3). <see cref="KnnGraphOptions.Precision"/> must be float32.</param>
    /// <param name="job">How the work is cut and scheduled; null takes the defaults.</param>
    /// <param name="progress">Receives a report after each merged work item of each modality.</param>
    /// <param name="logger">Receives the job's start, re-issues, retired silos and end.</param>
    /// <param name="cancellationToken">Cancels the job; running work items see it between blocks.</param>
    /// <exception cref="GraphOptionsException">The options or the sources do not fit the data set (every problem listed).</exception>
    /// <exception cref="FeatureSourceException">A silo could not read a feature file (missing, truncated, malformed).</exception>
    /// <exception cref="ClusterJobException">The cluster could not finish (no silo left, a work item failed on every attempt).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<SemanticGraph> BuildAsync(
        IGrainFactory cluster,
        InteractionDataset data,
        IReadOnlyList<FeatureSource>? features = null,
        SemanticGraphOptions? options = null,
        ClusterJobOptions? job = null,
        IProgress<ClusterJobProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SemanticGraphOptions();
        job ??= new ClusterJobOptions();
        logger ??= NullLogger.Instance;
        features ??= data.Modalities.Select(FeatureSource.FromModality).ToArray();

        var shapes = new FeatureShape[features.Count];
        for (int i = 0; i < features.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(features[i], $"{nameof(features)}[{i}]");
            shapes[i] = await JobPlan.DescribeAsync(cluster, features[i], job, cancellationToken).ConfigureAwait(false);
        }

        var problems = new ProblemList();
        int items = data.ItemCount;
        JobPlan.AddKnnProblems(problems, options.Knn, items, $"{nameof(SemanticGraphOptions)}.{nameof(SemanticGraphOptions.Knn)}.");
        if (options.CoInteractionK < 1 || options.CoInteractionK >= Math.Max(1, items))
        {
            problems.Add($"{nameof(SemanticGraphOptions)}.{nameof(SemanticGraphOptions.CoInteractionK)}", $"must be ≥ 1 and < the item count ({items}); got {options.CoInteractionK}.");
        }

        if (!(options.Beta >= 0f && options.Beta <= 1f))
        {
            problems.Add($"{nameof(SemanticGraphOptions)}.{nameof(SemanticGraphOptions.Beta)}", $"must be in [0, 1]; got {options.Beta}.");
        }

        if (features.Count == 0)
        {
            problems.Add(nameof(features), "no feature source was given and the data set has no modality; the semantic graph needs at least one (SPEC §1.1).");
        }

        for (int i = 0; i < features.Count; i++)
        {
            if (shapes[i].Rows != items)
            {
                problems.Add(nameof(features), $"feature source '{features[i].Name}' has {shapes[i].Rows:N0} rows but the data set has {items:N0} items; feature rows must equal the item count.");
            }

            if (features.Take(i).Any(f => f.Name == features[i].Name))
            {
                problems.Add(nameof(features), $"two feature sources are named '{features[i].Name}'; each modality needs its own name.");
            }
        }

        job.AddProblems(problems, items, items);
        problems.ThrowIfAny(nameof(SemanticGraphOptions));

        var coInteraction = CoInteractionGraph.Build(data.Train, new CoInteractionGraphOptions { K = options.CoInteractionK }, cancellationToken);
        var knn = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
        for (int i = 0; i < features.Count; i++)
        {
            knn[features[i].Name] = await RunKnnAsync(cluster, features[i], shapes[i], options.Knn, job, progress, logger, cancellationToken).ConfigureAwait(false);
        }

        return SemanticGraph.FromGraphs(knn, coInteraction, options.Beta);
    }

    /// <summary>
    /// Builds one modality kNN graph <c>S^m</c> (SPEC §1.1) on the cluster: the graph
    /// <see cref="KnnSimilarityGraph.Build"/> gives on one machine.
    /// </summary>
    /// <param name="cluster">A connected cluster client (or a grain factory inside a silo).</param>
    /// <param name="features">The item features.</param>
    /// <param name="options">The kNN options; null takes the defaults (k = 10, cosine weights, self excluded). <see cref="KnnGraphOptions.Precision"/> must be float32.</param>
    /// <param name="job">How the work is cut and scheduled; null takes the defaults.</param>
    /// <param name="progress">Receives a report after each merged work item.</param>
    /// <param name="logger">Receives the job's start, re-issues, retired silos and end.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <exception cref="GraphOptionsException">The options do not fit the features (every problem listed).</exception>
    /// <exception cref="FeatureSourceException">A silo could not read the feature file.</exception>
    /// <exception cref="ClusterJobException">The cluster could not finish.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<SparseGraph> BuildKnnGraphAsync(
        IGrainFactory cluster,
        FeatureSource features,
        KnnGraphOptions? options = null,
        ClusterJobOptions? job = null,
        IProgress<ClusterJobProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(features);
        options ??= new KnnGraphOptions();
        job ??= new ClusterJobOptions();
        var shape = await JobPlan.DescribeAsync(cluster, features, job, cancellationToken).ConfigureAwait(false);
        var problems = new ProblemList();
        JobPlan.AddKnnProblems(problems, options, shape.Rows, $"{nameof(KnnGraphOptions)}.");
        job.AddProblems(problems, shape.Rows, shape.Rows);
        problems.ThrowIfAny(nameof(KnnGraphOptions));
        return await RunKnnAsync(cluster, features, shape, options, job, progress, logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SparseGraph> RunKnnAsync(
        IGrainFactory cluster, FeatureSource features, FeatureShape shape, KnnGraphOptions options, ClusterJobOptions job,
        IProgress<ClusterJobProgress>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        var spec = new JobSpec(
            features.Name, features, shape, features, shape, options.K, DotProduct: false,
            BinaryWeights: options.Weight == KnnEdgeWeight.Binary, ExcludeSelf: !options.IncludeSelf,
            options.MemoryBudgetBytes, options.BlockRows, Exclude: null);
        var merger = await JobPlan.RunAsync(cluster, spec, job, progress, logger, cancellationToken).ConfigureAwait(false);
        return merger.ToGraph(shape.Rows, options.Weight);
    }
}
