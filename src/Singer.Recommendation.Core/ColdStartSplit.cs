namespace Singer.Recommendation.Core;

/// <summary>
/// The cold-start protocol of the specification (<c>docs/algorithm.md</c> §6): a seeded share of the items become
/// cold — all their training interactions are removed, their features, validation and test interactions stay —
/// so that a model can reach them only through their features.
/// </summary>
/// <param name="Dataset">The data set with the cold items' training interactions removed.</param>
/// <param name="ColdItems">The cold items, ascending.</param>
public sealed record ColdStartSplit(InteractionDataset Dataset, IReadOnlyList<int> ColdItems)
{
    /// <summary>
    /// Makes <paramref name="fraction"/> of the items (rounded down, at least one) cold, chosen with <paramref name="seed"/>;
    /// without a fraction, the specification's 20 %.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    public static ColdStartSplit Create(InteractionDataset dataset, double? fraction = null, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        fraction ??= Defaults.ColdItemFraction;
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction.Value, "The share of cold items must be in (0, 1).");
        }

        var items = Enumerable.Range(0, dataset.ItemCount).ToArray();
        new Random(seed).Shuffle(items);
        int count = Math.Max(1, (int)(fraction.Value * dataset.ItemCount));
        var cold = items[..count];
        Array.Sort(cold);
        var isCold = new bool[dataset.ItemCount];
        foreach (int i in cold)
        {
            isCold[i] = true;
        }

        return new ColdStartSplit(dataset.WithTrain(dataset.Train.WithoutItems(isCold)), cold);
    }

    /// <summary>Evaluation options that rank the cold items only (relevance restricted to them).</summary>
    public EvaluationOptions EvaluationOptions(IReadOnlyList<int>? ks = null) =>
        new() { CandidateItems = ColdItems, Ks = ks ?? Core.EvaluationOptions.DefaultKs };
}
