using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>Options of the behaviour branch (LightGCN).</summary>
public sealed record BehaviorEncoderOptions
{
    /// <summary>Propagation layers <c>L_b</c>; default 2 (SPEC §2). 0 is plain matrix factorisation.</summary>
    public int Layers { get; init; } = EncoderDefaults.BehaviorLayers;

    /// <summary>Every problem with these options.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        if (Layers is < 0 or > 8)
        {
            yield return new OptionProblem($"{nameof(BehaviorEncoderOptions)}.{nameof(Layers)}", $"must be in [0, 8]; got {Layers}.");
        }
    }
}

/// <summary>Options of the semantic branch (GCN over each modality's EISG).</summary>
public sealed record SemanticEncoderOptions
{
    /// <summary>Whether the semantic branch is used; default true. False gives the LightGCN baseline.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Propagation layers <c>L_s</c> over the EISG; default 2 (SPEC §2 says 1, the <c>Paper</c> preset; 2 was chosen on validation).</summary>
    public int Layers { get; init; } = EncoderDefaults.SemanticLayers;

    /// <summary>Learn softmax fusion weights over modalities instead of equal weights; default false.</summary>
    public bool LearnableFusion { get; init; }

    /// <summary>The modalities to use, by name; null (the default) uses every modality of the data set.</summary>
    public IReadOnlyList<string>? Modalities { get; init; }

    /// <summary>Every problem with these options, given the data set's modalities.</summary>
    public IEnumerable<OptionProblem> Validate(InteractionDataset? dataset)
    {
        const string prefix = nameof(SemanticEncoderOptions);
        if (Layers is < 0 or > 8)
        {
            yield return new OptionProblem($"{prefix}.{nameof(Layers)}", $"must be in [0, 8]; got {Layers}.");
        }

        if (!Enabled || dataset is null)
        {
            yield break;
        }

        if (Modalities is { Count: 0 })
        {
            yield return new OptionProblem($"{prefix}.{nameof(Modalities)}", "is empty; name at least one modality, or leave it null to use all.");
        }

        foreach (string name in Modalities ?? [])
        {
            if (!dataset.Modalities.Any(m => m.Name == name))
            {
                yield return new OptionProblem($"{prefix}.{nameof(Modalities)}",
                    $"'{name}' is not a modality of data set '{dataset.Name}' (it has: {(dataset.Modalities.Count == 0 ? "none" : string.Join(", ", dataset.Modalities.Select(m => m.Name)))}).");
            }
        }

        if (Modalities is null && dataset.Modalities.Count == 0)
        {
            yield return new OptionProblem(prefix,
                $"the semantic branch needs item features, but data set '{dataset.Name}' has no modality; add one (InteractionDataset.WithModality) or use the LightGCN preset.");
        }
    }
}

/// <summary>The defaults of the encoders, in one place (SPEC §2).</summary>
internal static class EncoderDefaults
{
    public const int BehaviorLayers = 2;
    public const int SemanticLayers = 2;
}

/// <summary>Fluent registration of the encoders on a model builder.</summary>
public static class EncoderBuilderExtensions
{
    /// <summary>Configures the LightGCN behaviour branch: <paramref name="layers"/> propagation layers (default 2).</summary>
    public static TBuilder UseBehaviorEncoder<TBuilder>(this TBuilder builder, int layers = EncoderDefaults.BehaviorLayers)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetComponent((builder.GetComponent<BehaviorEncoderOptions>() ?? new()) with { Layers = layers });
        return builder;
    }

    /// <summary>
    /// Configures the semantic branch: <paramref name="layers"/> propagation layers over the EISG (default 2),
    /// optional learnable fusion weights, and optionally a subset of modalities (default all).
    /// </summary>
    public static TBuilder UseSemanticEncoder<TBuilder>(
        this TBuilder builder,
        int layers = EncoderDefaults.SemanticLayers,
        bool learnableFusion = false,
        IReadOnlyList<string>? modalities = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetComponent(new SemanticEncoderOptions { Layers = layers, LearnableFusion = learnableFusion, Modalities = modalities });
        return builder;
    }

    /// <summary>Turns the semantic branch off: the model is the plain LightGCN baseline.</summary>
    public static TBuilder WithoutSemanticBranch<TBuilder>(this TBuilder builder)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetComponent((builder.GetComponent<SemanticEncoderOptions>() ?? new()) with { Enabled = false });
        return builder;
    }
}
