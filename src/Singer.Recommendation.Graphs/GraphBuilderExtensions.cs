using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>Fluent registration of the Enhanced Item-Item Semantic Graph on a model builder.</summary>
public static class GraphBuilderExtensions
{
    /// <summary>
    /// Configures the EISG (SPEC §1): <paramref name="k"/> modality neighbours per item (default 20),
    /// <paramref name="coInteractionK"/> co-interaction neighbours (default 10) and the fusion weight
    /// <paramref name="beta"/> (default 0.3). Other kNN settings keep their values (or defaults).
    /// </summary>
    public static TBuilder UseSemanticGraph<TBuilder>(
        this TBuilder builder,
        int k = Defaults.KnnK,
        int coInteractionK = Defaults.CoInteractionK,
        float beta = Defaults.Beta)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var current = builder.GetComponent<EisgOptions>() ?? new EisgOptions();
        builder.SetComponent(current with { Knn = (current.Knn ?? new KnnGraphOptions()) with { K = k }, CoInteractionK = coInteractionK, Beta = beta });
        return builder;
    }

    /// <summary>Configures the EISG with complete options (kNN weighting, self loops, memory budget, precision, …).</summary>
    public static TBuilder UseSemanticGraph<TBuilder>(this TBuilder builder, EisgOptions options)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.SetComponent(options);
        return builder;
    }

    /// <summary>Every problem of <paramref name="options"/> for a data set with <paramref name="itemCount"/> items and <paramref name="modalityCount"/> modalities, without throwing.</summary>
    public static IReadOnlyList<OptionProblem> Problems(this EisgOptions options, int itemCount, int modalityCount, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate(itemCount, modalityCount, device ?? torch.CPU);
            return [];
        }
        catch (GraphOptionsException e)
        {
            return e.Problems.Select(p => new OptionProblem(nameof(EisgOptions), p)).ToArray();
        }
    }
}
