using System.Text.Json;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation;

/// <summary>
/// Options added after a model file was written are absent from its manifest; reading them would give today's
/// defaults, which need not be what the file was trained with. Each such option is set here to the value that
/// reproduces the behaviour of the library that wrote the file (the behaviour before the option existed).
/// </summary>
internal static class LegacyOptions
{
    /// <summary>(part, property, what the option was before it existed).</summary>
    private static readonly (string Part, string Property, Func<SingerModelOptions, SingerModelOptions> Legacy)[] Added =
    [
        ("Graph", nameof(SemanticGraphOptions.CoInteractionWeighting), o => o with { Graph = o.Graph with { CoInteractionWeighting = CoInteractionWeighting.Count } }),
        ("Semantic", nameof(SemanticEncoderOptions.Input), o => o with { Semantic = o.Semantic with { Input = SemanticInput.Features } }),
        ("Semantic", nameof(SemanticEncoderOptions.Combination), o => o with { Semantic = o.Semantic with { Combination = LayerCombination.Last } }),
        ("Semantic", nameof(SemanticEncoderOptions.IdTable), o => o with { Semantic = o.Semantic with { IdTable = SemanticIdTable.Shared } }),
        ("Semantic", nameof(SemanticEncoderOptions.ColdItems), o => o with { Semantic = o.Semantic with { ColdItems = ColdItemPolicy.Standard } }),
        ("Perturbation", nameof(PerturbationOptions.Placement), o => o with { Perturbation = o.Perturbation with { Placement = PerturbationPlacement.Semantic } }),
        ("Perturbation", nameof(PerturbationOptions.Scale), o => o with { Perturbation = o.Perturbation with { Scale = PerturbationScale.Absolute } }),
        ("Alignment", nameof(AlignmentOptions.Rows), o => o with { Alignment = o.Alignment with { Rows = ContrastiveRowSelection.UsersAndItems } }),
        ("Alignment", nameof(AlignmentOptions.Direction), o => o with { Alignment = o.Alignment with { Direction = AlignmentDirection.Symmetric } }),
        ("Alignment", nameof(AlignmentOptions.StandardStopGradient), o => o with { Alignment = o.Alignment with { StandardStopGradient = AlignmentStopGradient.None } }),
        ("Alignment", nameof(AlignmentOptions.WarmupEpochs), o => o with { Alignment = o.Alignment with { WarmupEpochs = 0 } }),
        ("Training", nameof(TrainingOptions.NegativeCandidates), o => o with { Training = o.Training with { NegativeCandidates = 1 } }),
    ];

    /// <summary>Sets every option that <paramref name="manifestJson"/> does not mention to its value before it existed.</summary>
    public static SingerModelOptions Complete(byte[] manifestJson, SingerModelOptions options)
    {
        using var doc = JsonDocument.Parse(manifestJson);
        if (!doc.RootElement.TryGetProperty(nameof(ModelFile.Manifest.Options), out var stored))
        {
            return options;
        }

        foreach (var (part, property, legacy) in Added)
        {
            if (!stored.TryGetProperty(part, out var section) || section.ValueKind != JsonValueKind.Object || !section.TryGetProperty(property, out _))
            {
                options = legacy(options);
            }
        }

        return options;
    }
}
