using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Core;

/// <summary>Options of <see cref="RankingEvaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The default cut-offs: 5, 10, 20, 50.</summary>
    public static IReadOnlyList<int> DefaultKs { get; } = [5, 10, 20, 50];

    /// <summary>The cut-offs K; default 5, 10, 20, 50.</summary>
    public IReadOnlyList<int> Ks { get; init; } = DefaultKs;

    /// <summary>Users scored at once; memory is <c>UserBatchSize × items</c> floats on the device. Default 1024.</summary>
    public int UserBatchSize { get; init; } = 1024;

    /// <summary>Mask each user's training items out of the ranking (the MMRec protocol). Default true.</summary>
    public bool MaskTrainingItems { get; init; } = true;

    /// <summary>
    /// When set, only these items are ranked and count as relevant (the cold-start protocol, SPEC §6: rank cold
    /// items only). Users with no relevant candidate are not evaluated. Default null: all items.
    /// </summary>
    public IReadOnlyList<int>? CandidateItems { get; init; }
}

/// <summary>
/// Full-ranking evaluation in the MMRec protocol (<c>docs/data.md</c>): every user with at least one
/// interaction in the evaluated split is scored over all items, the user's training items are masked,
/// the top K are taken with ties broken by the lower item index, and Recall, NDCG, Precision, MAP and HitRate
/// at each K are averaged over users.
/// </summary>
/// <remarks>
/// Scoring and the top-K threshold run on the scorer's device in batches of users; only the candidates at or
/// above each row's K-th score come back to the CPU, where ties are ordered exactly.
/// </remarks>
public static class RankingEvaluator
{
    /// <summary>Evaluates <paramref name="scorer"/> on <paramref name="split"/> of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid or the scorer's item count differs from the data set's.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between batches.</exception>
    public static EvaluationResult Evaluate(
        IRankingScorer scorer,
        InteractionDataset dataset,
        DataSplit split,
        EvaluationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new EvaluationOptions();
        Validate(options, dataset.ItemCount);
        if (scorer.ItemCount != dataset.ItemCount)
        {
            throw new ArgumentException($"The scorer ranks {scorer.ItemCount} items but the data set has {dataset.ItemCount}.", nameof(scorer));
        }

        int itemCount = dataset.ItemCount;
        var ks = options.Ks.Distinct().Order().ToArray();
        int kMax = Math.Min(ks[^1], itemCount);
        var truth = dataset.GetSplit(split);
        var train = dataset.Train;

        bool[]? candidate = null;
        long[]? excluded = null;
        if (options.CandidateItems is { } cands)
        {
            candidate = new bool[itemCount];
            foreach (int i in cands)
            {
                candidate[i] = true;
            }

            excluded = Enumerable.Range(0, itemCount).Where(i => !candidate[i]).Select(i => (long)i).ToArray();
        }

        var users = truth.UsersWithInteractions();
        if (candidate is not null)
        {
            users = users.Where(u => HasCandidate(truth.ItemsOf(u), candidate)).ToArray();
        }

        var sums = new double[ks.Length, 5];
        var device = scorer.Device;
        var ranked = new int[kMax];
        var excludedTensor = excluded is { Length: > 0 } ? tensor(excluded, device: device) : null;
        try
        {
            for (int start = 0; start < users.Length; start += options.UserBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(options.UserBatchSize, users.Length - start);
                var batch = users.AsSpan(start, count);
                using var scope = NewDisposeScope();
                using var minusInfinity = float.NegativeInfinity.ToScalar();
                var userTensor = tensor(batch.ToArray().Select(u => (long)u).ToArray(), device: device);
                var scores = scorer.ScoreUsers(userTensor);
                if (scores.shape.Length != 2 || scores.shape[0] != count || scores.shape[1] != itemCount)
                {
                    throw new InvalidOperationException(
                        $"The scorer returned shape [{string.Join(", ", scores.shape)}] for {count} users; expected [{count}, {itemCount}].");
                }

                scores = scores.to_type(ScalarType.Float32).contiguous();
                if (scores.isnan().any().item<bool>())
                {
                    throw new InvalidOperationException(
                        $"The scorer returned NaN scores for users {batch[0]}…{batch[^1]}; a ranking of NaN is undefined (check the model for NaN weights or a division by zero).");
                }

                if (options.MaskTrainingItems)
                {
                    var flat = MaskIndices(train, batch, itemCount);
                    if (flat.Length > 0)
                    {
                        scores.view(-1).index_fill_(0, tensor(flat, device: device), minusInfinity);
                    }
                }

                if (excludedTensor is not null)
                {
                    scores.index_fill_(1, excludedTensor, minusInfinity);
                }

                // Masked and non-candidate items score −∞, so they are never part of a ranking.
                var top = TopK.Select(scores, kMax);
                for (int r = 0; r < count; r++)
                {
                    int user = batch[r];
                    var row = top[r];
                    int n = row.Length;
                    for (int j = 0; j < n; j++)
                    {
                        ranked[j] = row[j].Index;
                    }

                    var relevant = truth.ItemsOf(user);
                    int relevantCount = candidate is null ? relevant.Length : CountCandidates(relevant, candidate);
                    Accumulate(sums, ks, ranked.AsSpan(0, n), relevant, relevantCount);
                }
            }
        }
        finally
        {
            excludedTensor?.Dispose();
        }

        var byK = new RankingMetrics[ks.Length];
        double denominator = Math.Max(users.Length, 1);
        for (int k = 0; k < ks.Length; k++)
        {
            byK[k] = new RankingMetrics(
                ks[k],
                sums[k, 0] / denominator,
                sums[k, 1] / denominator,
                sums[k, 2] / denominator,
                sums[k, 3] / denominator,
                sums[k, 4] / denominator);
        }

        return new EvaluationResult(split, users.Length, byK);
    }

    /// <summary>
    /// Adds one user's metrics at every K to <paramref name="sums"/> (columns: recall, NDCG, precision, MAP, hit rate).
    /// <paramref name="ranked"/> is the user's ranking, best first; <paramref name="relevant"/> is sorted.
    /// </summary>
    internal static void Accumulate(double[,] sums, int[] ks, ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, int relevantCount)
    {
        int hits = 0, next = 0;
        double dcg = 0, idcg = 0, precisionSum = 0;
        for (int k = 0; k < ks.Length; k++)
        {
            int cut = ks[k];
            for (; next < cut; next++)
            {
                if (next < relevantCount)
                {
                    idcg += 1.0 / Math.Log2(next + 2);
                }

                if (next < ranked.Length && relevant.BinarySearch(ranked[next]) >= 0)
                {
                    hits++;
                    dcg += 1.0 / Math.Log2(next + 2);
                    precisionSum += (double)hits / (next + 1);
                }
            }

            sums[k, 0] += (double)hits / relevantCount;
            sums[k, 1] += dcg / idcg;
            sums[k, 2] += (double)hits / cut;
            sums[k, 3] += precisionSum / Math.Min(relevantCount, cut);
            sums[k, 4] += hits > 0 ? 1 : 0;
        }
    }

    private static long[] MaskIndices(UserItemMatrix train, ReadOnlySpan<int> batch, int itemCount)
    {
        int total = 0;
        foreach (int u in batch)
        {
            total += train.CountOf(u);
        }

        var flat = new long[total];
        int w = 0;
        for (int r = 0; r < batch.Length; r++)
        {
            long rowBase = (long)r * itemCount;
            foreach (int i in train.ItemsOf(batch[r]))
            {
                flat[w++] = rowBase + i;
            }
        }

        return flat;
    }

    private static bool HasCandidate(ReadOnlySpan<int> items, bool[] candidate)
    {
        foreach (int i in items)
        {
            if (candidate[i])
            {
                return true;
            }
        }

        return false;
    }

    private static int CountCandidates(ReadOnlySpan<int> items, bool[] candidate)
    {
        int n = 0;
        foreach (int i in items)
        {
            n += candidate[i] ? 1 : 0;
        }

        return n;
    }

    private static void Validate(EvaluationOptions options, int itemCount)
    {
        var problems = new List<string>();
        if (options.Ks is null || options.Ks.Count == 0)
        {
            problems.Add($"{nameof(EvaluationOptions.Ks)} must name at least one cut-off.");
        }
        else if (options.Ks.Any(k => k < 1))
        {
            problems.Add($"{nameof(EvaluationOptions.Ks)} must be ≥ 1; got {string.Join(", ", options.Ks)}.");
        }

        if (options.UserBatchSize < 1)
        {
            problems.Add($"{nameof(EvaluationOptions.UserBatchSize)} must be ≥ 1; got {options.UserBatchSize}.");
        }

        if (options.CandidateItems is { } c)
        {
            if (c.Count == 0)
            {
                problems.Add($"{nameof(EvaluationOptions.CandidateItems)} is empty.");
            }
            else if (c.Any(i => (uint)i >= (uint)itemCount))
            {
                problems.Add($"{nameof(EvaluationOptions.CandidateItems)} must be item indices in [0, {itemCount}).");
            }
        }

        if (itemCount < 1)
        {
            problems.Add("The data set has no items.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid evaluation options: " + string.Join(" ", problems), nameof(options));
        }
    }
}
