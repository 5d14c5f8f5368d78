using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>Options of the semantic branch (GCN over each modality's semantic graph).</summary>
public sealed record SemanticEncoderOptions
{
    /// <summary>Whether the semantic branch is used; default true. False gives the LightGCN baseline.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Propagation layers <c>L_s</c> over the semantic graph; default 2 (SPEC §2 says 1, the <c>Paper</c> preset; 2 was chosen on validation).</summary>
    public int Layers { get; init; } = Defaults.SemanticLayers;

    /// <summary>What each modality propagates; default <see cref="SemanticInput.Features"/> (SPEC §2).</summary>
    public SemanticInput Input { get; init; } = Defaults.Input;

    /// <summary>
    /// How the propagation layers are combined; default <see cref="LayerCombination.Mean"/>: an item's own features are
    /// always part of its semantic representation (with <see cref="LayerCombination.Last"/>, SPEC §2 and the
    /// <c>Paper</c> preset, they enter only through 2-hop paths). Chosen 2026-11-28: equal warm validation Recall@20 on
    /// ml100k (2 seeds), cold-item Recall@20 0.081 → 0.170 with <see cref="ColdItems"/> (docs/results.md).
    /// </summary>
    public LayerCombination Combination { get; init; } = Defaults.Combination;

    /// <summary>The ID table of an ID-based <see cref="Input"/>; default <see cref="SemanticIdTable.Shared"/>. Ignored for <see cref="SemanticInput.Features"/>.</summary>
    public SemanticIdTable IdTable { get; init; } = Defaults.IdTable;

    /// <summary>
    /// How items without training interactions are represented and sampled; default <see cref="ColdItemPolicy.SemanticOnly"/>
    /// (their untrained ID embedding is left out, as for items added after training); <see cref="ColdItemPolicy.Standard"/>
    /// is SPEC §2, §5 and the <c>Paper</c> preset. No effect when every item has a training interaction.
    /// </summary>
    public ColdItemPolicy ColdItems { get; init; } = Defaults.ColdItems;

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

        if (!Enum.IsDefined(Input))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Input)}", $"must be Features, ItemIds, Both or GatedItemIds; got {(int)Input}.");
        }

        if (!Enum.IsDefined(Combination))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Combination)}", $"must be Last or Mean; got {(int)Combination}.");
        }

        if (!Enum.IsDefined(ColdItems))
        {
            yield return new OptionProblem($"{prefix}.{nameof(ColdItems)}", $"must be Standard or SemanticOnly; got {(int)ColdItems}.");
        }

        if (!Enum.IsDefined(IdTable))
        {
            yield return new OptionProblem($"{prefix}.{nameof(IdTable)}", $"must be Shared or Separate; got {(int)IdTable}.");
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
