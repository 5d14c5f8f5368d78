using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs.Knn;

namespace Singer.Recommendation.Graphs;

/// <summary>
/// Builds the co-interaction graph <c>C</c> of SPEC §1.2 from the TRAINING interactions only:
/// <c>c_ij</c> = the number of training users who interacted with both item i and item j (<c>RᵀR</c> with a zero
/// diagonal), keeping the top-<c>k_c</c> items per item by weight, ties to the lower index. The weight is the count,
/// or a normalised co-occurrence (<see cref="CoInteractionWeighting"/>, SPEC §8.4).
/// Items without training interactions (cold items) have no edges, and no item points to them.
/// </summary>
/// <remarks>
/// The dense I × I matrix is never formed: for each item i the counts are accumulated through its users' item lists
/// (a sparse × sparse product row by row, parallel across items, one I-long counter per thread). Time
/// <c>O(Σ_u |N_u|²)</c>, memory <c>O(nnz(R) + threads·I + I·k_c)</c>.
/// </remarks>
public static class CoInteractionGraph
{
    /// <summary>Builds <c>C</c> from <paramref name="train"/> (pass the training split, <see cref="InteractionDataset.Train"/>).</summary>
    /// <param name="train">The training user × item matrix.</param>
    /// <param name="options">The options; null takes the default k_c = 10.</param>
    /// <param name="cancellationToken">Checked inside the parallel loop.</param>
    /// <exception cref="GraphOptionsException">k_c is not in [1, item count).</exception>
    public static SparseGraph Build(UserItemMatrix train, CoInteractionGraphOptions? options = null, CancellationToken cancellationToken = default) =>
        Build(train, options, null, null, cancellationToken);

    /// <summary>Builds <c>C</c> from <paramref name="train"/>, reporting progress and logging the result.</summary>
    /// <param name="train">The training user × item matrix.</param>
    /// <param name="options">The options; null takes the default k_c = 10.</param>
    /// <param name="progress">Receives one report per 1,024 items.</param>
    /// <param name="logger">Receives the summary message.</param>
    /// <param name="cancellationToken">Checked inside the parallel loop.</param>
    /// <exception cref="GraphOptionsException">k_c is not in [1, item count).</exception>
    public static SparseGraph Build(
        UserItemMatrix train,
        CoInteractionGraphOptions? options,
        IProgress<GraphBuildProgress>? progress,
        ILogger? logger,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new CoInteractionGraphOptions();
        var problems = new ProblemList();
        options.AddProblems(problems, train.ItemCount);
        problems.ThrowIfAny(nameof(CoInteractionGraphOptions));

        var clock = Stopwatch.StartNew();
        int items = train.ItemCount, k = options.K;
        var byItem = train.Transpose();
        var weighting = options.Weighting;
        var result = new TopKAccumulator(items, k, 0f);
        const int ItemsPerTask = 1024;
        int tasks = (items + ItemsPerTask - 1) / ItemsPerTask;
        long done = 0;
        var progressLock = new object();
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, tasks, parallel, () => (Counts: new int[items], Touched: new List<int>()), (task, _, state) =>
        {
            var (counts, touched) = state;
            int end = Math.Min(items, (task + 1) * ItemsPerTask);
            for (int i = task * ItemsPerTask; i < end; i++)
            {
                foreach (int u in byItem.ItemsOf(i))
                {
                    foreach (int j in train.ItemsOf(u))
                    {
                        if (counts[j]++ == 0)
                        {
                            touched.Add(j);
                        }
                    }
                }

                // Increasing column order makes the heap's strict '>' send ties to the lower index.
                var touchedSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(touched);
                touchedSpan.Sort();
                float threshold = 0f;
                double ni = byItem.CountOf(i);
                foreach (int j in touchedSpan)
                {
                    int c = counts[j];
                    counts[j] = 0;
                    float w = Weight(weighting, c, ni, byItem.CountOf(j));
                    if (j != i && w > threshold)
                    {
                        result.Offer(i, w, j);
                        threshold = result.Threshold(i);
                    }
                }

                touched.Clear();
            }

            if (progress is not null)
            {
                // One report at a time, in increasing order: IProgress implementations need not be thread-safe.
                lock (progressLock)
                {
                    done += end - (task * ItemsPerTask);
                    progress.Report(new GraphBuildProgress(GraphBuildStage.CoInteraction, null, done, items, clock.Elapsed));
                }
            }

            return state;
        }, _ => { });

        var graph = KnnResult.ToGraph(result, items, KnnEdgeWeight.Cosine);
        if (logger is not null)
        {
            Log.CoInteractionFinished(logger, items, train.UserCount, train.Count, k, clock.Elapsed.TotalSeconds, graph.NonZeroCount);
        }

        return graph;
    }

    /// <summary>The weight of a pair with <paramref name="count"/> common users and item degrees <paramref name="ni"/>, <paramref name="nj"/> (all &gt; 0).</summary>
    internal static float Weight(CoInteractionWeighting weighting, int count, double ni, double nj) => weighting switch
    {
        CoInteractionWeighting.Cosine => (float)(count / Math.Sqrt(ni * nj)),
        CoInteractionWeighting.Jaccard => (float)(count / (ni + nj - count)),
        _ => count,
    };
}
