using Singer.Recommendation.Core;
using Singer.Recommendation.Losses;

// In the root namespace, so that `using Singer.Recommendation;` brings every builder extension.
namespace Singer.Recommendation;

/// <summary>Fluent registration of the dual representation alignment (SPEC §4) on a model builder.</summary>
/// <remarks>
/// Like every <c>Use*</c> method of the builder, these edit the current options: a setting that is not named keeps
/// its value (from a preset or an earlier call), or the default when nothing set it.
/// </remarks>
public static class LossBuilderExtensions
{
    /// <summary>
    /// Sets the alignment's weights and temperature: <paramref name="anchorWeight"/> λ_a of the anchor-based InfoNCE
    /// (default 0.1), <paramref name="standardWeight"/> λ_s of the standard InfoNCE (default 0), the InfoNCE temperature
    /// τ (<paramref name="temperature"/>, default 0.1) and whether the behaviour anchors receive no gradient
    /// (<paramref name="stopAnchorGradient"/>, default true). A setting left null keeps its current value; every other
    /// alignment option (the contrastive row cap, the warm-up, …) keeps its value too.
    /// </summary>
    public static TBuilder UseAlignment<TBuilder>(
        this TBuilder builder,
        float? anchorWeight = null,
        float? standardWeight = null,
        float? temperature = null,
        bool? stopAnchorGradient = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseAlignment(current => current with
        {
            AnchorWeight = anchorWeight ?? current.AnchorWeight,
            StandardWeight = standardWeight ?? current.StandardWeight,
            Temperature = temperature ?? current.Temperature,
            StopAnchorGradient = stopAnchorGradient ?? current.StopAnchorGradient,
        });
    }

    /// <summary>
    /// Edits the alignment's options, starting from the current ones:
    /// <c>.UseAlignment(a =&gt; a with { ContrastiveRows = 512 })</c>.
    /// </summary>
    public static TBuilder UseAlignment<TBuilder>(this TBuilder builder, Func<AlignmentOptions, AlignmentOptions> configure)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.SetComponent(configure(builder.GetComponent<AlignmentOptions>() ?? new AlignmentOptions()));
        return builder;
    }
}
