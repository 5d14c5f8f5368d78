using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

// In the root namespace, so that `using Singer.Recommendation;` brings every builder extension (as
// Microsoft.Extensions.DependencyInjection puts AddLogging where callers already are).
namespace Singer.Recommendation;

/// <summary>Fluent registration of the semantic graph (the EISG, SPEC §1) on a model builder.</summary>
/// <remarks>
/// Like every <c>Use*</c> method of the builder, these edit the current options: a setting that is not named keeps
/// its value (from a preset or an earlier call), or the default when nothing set it.
/// </remarks>
public static class GraphBuilderExtensions
{
    /// <summary>
    /// Sets the semantic graph's (SPEC §1) modality neighbours per item <paramref name="k"/> (default 20), co-interaction
    /// neighbours <paramref name="coInteractionK"/> (default 10) and fusion weight <paramref name="beta"/> (default 0.3).
    /// A setting left null keeps its current value; every other graph option keeps its value too.
    /// </summary>
    public static TBuilder UseSemanticGraph<TBuilder>(
        this TBuilder builder,
        int? k = null,
        int? coInteractionK = null,
        float? beta = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSemanticGraph(current =>
        {
            var knn = current.Knn ?? new KnnGraphOptions();
            return current with
            {
                Knn = knn with { K = k ?? knn.K },
                CoInteractionK = coInteractionK ?? current.CoInteractionK,
                Beta = beta ?? current.Beta,
            };
        });
    }

    /// <summary>
    /// Edits the semantic graph's options, starting from the current ones:
    /// <c>.UseSemanticGraph(g =&gt; g with { CoInteractionWeighting = CoInteractionWeighting.Cosine })</c>.
    /// </summary>
    public static TBuilder UseSemanticGraph<TBuilder>(this TBuilder builder, Func<SemanticGraphOptions, SemanticGraphOptions> configure)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.SetComponent(configure(builder.GetComponent<SemanticGraphOptions>() ?? new SemanticGraphOptions()));
        return builder;
    }

    /// <summary>Replaces the semantic graph's options with complete ones (kNN weighting, self loops, memory budget, precision, …).</summary>
    public static TBuilder UseSemanticGraph<TBuilder>(this TBuilder builder, SemanticGraphOptions options)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.SetComponent(options);
        return builder;
    }
}
