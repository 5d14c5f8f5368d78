using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;

// In the root namespace, so that `using Singer.Recommendation;` brings every builder extension.
namespace Singer.Recommendation;

/// <summary>Fluent registration of the encoders (SPEC §2) on a model builder.</summary>
/// <remarks>
/// Like every <c>Use*</c> method of the builder, these edit the current options: a setting that is not named keeps
/// its value (from a preset or an earlier call), or the default when nothing set it.
/// </remarks>
public static class EncoderBuilderExtensions
{
    /// <summary>
    /// Sets the LightGCN behaviour branch's propagation layers <c>L_b</c> (<paramref name="layers"/>, default 2). Null
    /// keeps the current value.
    /// </summary>
    public static TBuilder UseBehaviorEncoder<TBuilder>(this TBuilder builder, int? layers = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseBehaviorEncoder(current => current with { Layers = layers ?? current.Layers });
    }

    /// <summary>Edits the behaviour branch's options, starting from the current ones.</summary>
    public static TBuilder UseBehaviorEncoder<TBuilder>(this TBuilder builder, Func<BehaviorEncoderOptions, BehaviorEncoderOptions> configure)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.SetComponent(configure(builder.GetComponent<BehaviorEncoderOptions>() ?? new BehaviorEncoderOptions()));
        return builder;
    }

    /// <summary>
    /// Sets the semantic branch's propagation layers <c>L_s</c> over the semantic graph (<paramref name="layers"/>,
    /// default 2), learnable fusion weights over modalities (<paramref name="learnableFusion"/>, default false) and the
    /// modalities it uses (<paramref name="modalities"/>, default all). A setting left null keeps its current value;
    /// every other option of the branch (input, layer combination, cold items, …) keeps its value too.
    /// </summary>
    public static TBuilder UseSemanticEncoder<TBuilder>(
        this TBuilder builder,
        int? layers = null,
        bool? learnableFusion = null,
        IReadOnlyList<string>? modalities = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSemanticEncoder(current => current with
        {
            Layers = layers ?? current.Layers,
            LearnableFusion = learnableFusion ?? current.LearnableFusion,
            Modalities = modalities ?? current.Modalities,
        });
    }

    /// <summary>
    /// Edits the semantic branch's options, starting from the current ones:
    /// <c>.UseSemanticEncoder(s =&gt; s with { Input = SemanticInput.ItemIds })</c>.
    /// </summary>
    public static TBuilder UseSemanticEncoder<TBuilder>(this TBuilder builder, Func<SemanticEncoderOptions, SemanticEncoderOptions> configure)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.SetComponent(configure(builder.GetComponent<SemanticEncoderOptions>() ?? new SemanticEncoderOptions()));
        return builder;
    }

    /// <summary>Turns the semantic branch off (every other semantic option keeps its value): the model is the plain LightGCN baseline.</summary>
    public static TBuilder WithoutSemanticBranch<TBuilder>(this TBuilder builder)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSemanticEncoder(current => current with { Enabled = false });
    }
}
