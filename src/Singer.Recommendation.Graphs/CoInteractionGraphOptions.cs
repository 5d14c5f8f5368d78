namespace Singer.Recommendation.Graphs;

/// <summary>Options of <see cref="CoInteractionGraph"/>: the co-interaction graph <c>C</c> of SPEC §1.2.</summary>
public sealed record CoInteractionGraphOptions
{
    /// <summary>Neighbours kept per item, <c>k_c</c>. Default 10. Must be ≥ 1 and &lt; the item count.</summary>
    public int K { get; init; } = Defaults.CoInteractionK;

    /// <summary>How neighbours are ranked and weighted; default <see cref="CoInteractionWeighting.Count"/> (SPEC §1.2).</summary>
    public CoInteractionWeighting Weighting { get; init; } = Defaults.CoInteractionWeighting;

    internal void AddProblems(
        ProblemList problems,
        int itemCount,
        string kOption = nameof(CoInteractionGraphOptions) + "." + nameof(K),
        string weightingOption = nameof(CoInteractionGraphOptions) + "." + nameof(Weighting))
    {
        problems.AddIf(K < 1 || K >= itemCount, kOption, $"must be ≥ 1 and < the item count ({itemCount}); got {K}.");
        problems.AddIf(!Enum.IsDefined(Weighting), weightingOption, $"must be Count, Cosine or Jaccard; got {(int)Weighting}.");
    }
}
