using Singer.Recommendation.Core;

namespace Singer.Recommendation.Losses;

/// <summary>Options of the dual representation alignment (SPEC §4) and the shared InfoNCE temperature.</summary>
public sealed record AlignmentOptions
{
    /// <summary>λ_a ≥ 0, the weight of the anchor-based InfoNCE; default 0.1. 0 is the "no anchor alignment" ablation.</summary>
    public float AnchorWeight { get; init; } = 0.1f;

    /// <summary>
    /// λ_s ≥ 0, the weight of the standard InfoNCE between behaviour and fused semantics; default 0 (off). The
    /// specification's 0.1 (the <c>Paper</c> preset) collapsed training on MovieLens-100K below MostPopular
    /// (docs/results.md).
    /// </summary>
    public float StandardWeight { get; init; }

    /// <summary>The InfoNCE temperature τ &gt; 0 used by every contrastive term; default 0.1 (SPEC §3 says 0.2, the <c>Paper</c> preset).</summary>
    public float Temperature { get; init; } = RecommendationLosses.DefaultTemperature;

    /// <summary>Whether the behaviour anchors receive no gradient from the anchor term; default true.</summary>
    public bool StopAnchorGradient { get; init; } = true;

    /// <summary>
    /// The most unique users (and, separately, items) of a batch that enter the contrastive terms (perturbation,
    /// anchor and standard InfoNCE); default 256 (null uses all of them, as the specification says). A cap of
    /// <c>n</c> keeps a random <c>n</c> of them (the batch order is random), which bounds the <c>n × n</c>
    /// similarity matrices: useful for large batches over large catalogues. BPR always uses the whole batch.
    /// </summary>
    public int? ContrastiveRows { get; init; } = 256;

    /// <summary>Every problem with these options.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        const string prefix = nameof(AlignmentOptions);
        if (!(AnchorWeight >= 0 && float.IsFinite(AnchorWeight)))
        {
            yield return new OptionProblem($"{prefix}.{nameof(AnchorWeight)}", $"must be a finite number ≥ 0; got {AnchorWeight}.");
        }

        if (!(StandardWeight >= 0 && float.IsFinite(StandardWeight)))
        {
            yield return new OptionProblem($"{prefix}.{nameof(StandardWeight)}", $"must be a finite number ≥ 0; got {StandardWeight}.");
        }

        if (ContrastiveRows is < 2)
        {
            yield return new OptionProblem($"{prefix}.{nameof(ContrastiveRows)}", $"must be ≥ 2 when set (null uses every row); got {ContrastiveRows}.");
        }

        if (!(Temperature >= 0.01f && Temperature <= 100f))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Temperature)}", $"must be in [0.01, 100]; got {Temperature}.");
        }
    }
}

/// <summary>Fluent registration of the alignment losses on a model builder.</summary>
public static class LossBuilderExtensions
{
    /// <summary>
    /// Configures the alignment: anchor weight λ_a (default 0.1), standard weight λ_s (default 0) and temperature τ
    /// (default 0.1). The row cap keeps its current value.
    /// </summary>
    public static TBuilder UseAlignment<TBuilder>(
        this TBuilder builder,
        float anchor = 0.1f,
        float standard = 0f,
        float temperature = RecommendationLosses.DefaultTemperature,
        bool stopAnchorGradient = true)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetComponent((builder.GetComponent<AlignmentOptions>() ?? new()) with { AnchorWeight = anchor, StandardWeight = standard, Temperature = temperature, StopAnchorGradient = stopAnchorGradient });
        return builder;
    }
}
