using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// The all-users top-k export on a Microsoft Orleans cluster: for every user the k items with the highest score
/// <c>e_u · e_i</c>, best first (ties to the lower item index), leaving out the items the user already has. User blocks ×
/// item shards are computed on the silos and merged per user exactly as the kNN graph is.
/// </summary>
/// <remarks>
/// The embeddings are a trained model's final representations (<c>SingerModel.Representations()</c>: users and items),
/// written to a shared volume as <c>.npy</c> (<c>NpyFile.Write</c>) or carried in memory for small catalogues. The
/// result is what the single-machine engine ranks (see <c>docs/scale-out.md</c> for how the serving export plugs in).
/// </remarks>
public static class OrleansTopK
{
    /// <summary>The top <paramref name="k"/> items of every user.</summary>
    /// <param name="cluster">A connected cluster client (or a grain factory inside a silo).</param>
    /// <param name="users">The user embeddings (one row per user).</param>
    /// <param name="items">The item embeddings (one row per item), of the users' dimension.</param>
    /// <param name="k">Items per user: ≥ 1 and ≤ the item count. A user with fewer than k items left after the exclusion gets fewer.</param>
    /// <param name="exclude">Items never recommended to a user (typically the training interactions), or null; users × items.</param>
    /// <param name="job">How the work is cut and scheduled; null takes the defaults.</param>
    /// <param name="progress">Receives a report after each merged work item.</param>
    /// <param name="logger">Receives the job's start, re-issues, retired silos and end.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <returns>For each user (by index), its items best first with their scores.</returns>
    /// <exception cref="Singer.Recommendation.Graphs.GraphOptionsException">k, the dimensions, the exclusion matrix or the grid do not fit (every problem listed).</exception>
    /// <exception cref="FeatureSourceException">A silo could not read an embedding file.</exception>
    /// <exception cref="ClusterJobException">The cluster could not finish.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<ScoredIndex[][]> RecommendAllAsync(
        IGrainFactory cluster,
        FeatureSource users,
        FeatureSource items,
        int k,
        UserItemMatrix? exclude = null,
        ClusterJobOptions? job = null,
        IProgress<ClusterJobProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        job ??= new ClusterJobOptions();
        var userShape = await JobPlan.DescribeAsync(cluster, users, job, cancellationToken).ConfigureAwait(false);
        var itemShape = await JobPlan.DescribeAsync(cluster, items, job, cancellationToken).ConfigureAwait(false);
        var problems = new ProblemList();
        if (userShape.Dimension != itemShape.Dimension)
        {
            problems.Add(nameof(users), $"the user embeddings '{users.Name}' are {userShape.Dimension}-d but the item embeddings '{items.Name}' are {itemShape.Dimension}-d; both must have the same dimension.");
        }

        if (k < 1 || k > itemShape.Rows)
        {
            problems.Add(nameof(k), $"must be ≥ 1 and ≤ the item count ({itemShape.Rows:N0}); got {k}.");
        }

        if (exclude is not null && (exclude.UserCount != userShape.Rows || exclude.ItemCount != itemShape.Rows))
        {
            problems.Add(nameof(exclude), $"is {exclude.UserCount:N0} users × {exclude.ItemCount:N0} items but the embeddings are {userShape.Rows:N0} users × {itemShape.Rows:N0} items.");
        }

        job.AddProblems(problems, userShape.Rows, itemShape.Rows);
        problems.ThrowIfAny("all-users top-k");

        var spec = new JobSpec(
            "all-users", users, userShape, items, itemShape, k, DotProduct: true, BinaryWeights: false, ExcludeSelf: false,
            new Graphs.KnnGraphOptions().MemoryBudgetBytes, BlockRows: null, exclude);
        var merger = await JobPlan.RunAsync(cluster, spec, job, progress, logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        return merger.ToLists();
    }
}
