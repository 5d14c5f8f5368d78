using Singer.Recommendation.Core;

namespace Singer.Recommendation.Losses;

/// <summary>Which rows of a batch enter the contrastive terms (SPEC §8.3).</summary>
public enum ContrastiveRowSelection
{
    /// <summary>The batch's unique users and unique items, sampled negatives included (SPEC §3–4).</summary>
    UsersAndItems,

    /// <summary>The batch's unique users and unique positive items, no negatives (SGL, SimGCL, MGCN).</summary>
    UsersAndPositives,
}

/// <summary>Which directions of the standard InfoNCE are computed (SPEC §8.3).</summary>
public enum AlignmentDirection
{
    /// <summary><c>InfoNCE(b, s) + InfoNCE(s, b)</c> (SPEC §4).</summary>
    Symmetric,

    /// <summary><c>InfoNCE(b, s)</c> only: behaviour rows are the anchors, the semantic rows their candidates.</summary>
    BehaviorToSemantic,

    /// <summary><c>InfoNCE(s, b)</c> only: semantic rows are the anchors.</summary>
    SemanticToBehavior,
}

/// <summary>Which side of the standard InfoNCE receives no gradient (SPEC §8.3).</summary>
public enum AlignmentStopGradient
{
    /// <summary>Both sides learn from the term (SPEC §4).</summary>
    None,

    /// <summary>The behaviour representations are held fixed: only the semantic side moves.</summary>
    Behavior,

    /// <summary>The semantic representations are held fixed: only the behaviour side moves.</summary>
    Semantic,
}

/// <summary>Options of the dual representation alignment (SPEC §4) and the shared InfoNCE temperature.</summary>
public sealed record AlignmentOptions
{
    /// <summary>λ_a ≥ 0, the weight of the anchor-based InfoNCE; default 0.1. 0 is the "no anchor alignment" ablation.</summary>
    public float AnchorWeight { get; init; } = Defaults.AnchorWeight;

    /// <summary>
    /// λ_s ≥ 0, the weight of the standard InfoNCE between behaviour and fused semantics; default 0 (off). The
    /// specification's 0.1 (the <c>Paper</c> preset) collapsed training on MovieLens-100K below MostPopular
    /// (docs/results.md).
    /// </summary>
    public float StandardWeight { get; init; } = Defaults.StandardWeight;

    /// <summary>The InfoNCE temperature τ &gt; 0 used by every contrastive term; default 0.1 (SPEC §3 says 0.2, the <c>Paper</c> preset).</summary>
    public float Temperature { get; init; } = Defaults.Temperature;

    /// <summary>Whether the behaviour anchors receive no gradient from the anchor term; default true.</summary>
    public bool StopAnchorGradient { get; init; } = true;

    /// <summary>
    /// The most unique users (and, separately, items) of a batch that enter the contrastive terms (perturbation,
    /// anchor and standard InfoNCE); default 256 (null uses all of them, as the specification says). A cap of
    /// <c>n</c> keeps <c>n</c> of them drawn at random from the model's seeded noise stream, which bounds the
    /// <c>n × n</c> similarity matrices: useful for large batches over large catalogues. BPR always uses the whole batch.
    /// </summary>
    public int? ContrastiveRows { get; init; } = Defaults.ContrastiveRows;

    /// <summary>Which rows of a batch the contrastive terms see; default <see cref="ContrastiveRowSelection.UsersAndItems"/> (SPEC §3–4).</summary>
    public ContrastiveRowSelection Rows { get; init; } = ContrastiveRowSelection.UsersAndItems;

    /// <summary>The directions of the standard InfoNCE; default <see cref="AlignmentDirection.Symmetric"/> (SPEC §4).</summary>
    public AlignmentDirection Direction { get; init; } = AlignmentDirection.Symmetric;

    /// <summary>The side of the standard InfoNCE that receives no gradient; default <see cref="AlignmentStopGradient.None"/> (SPEC §4).</summary>
    public AlignmentStopGradient StandardStopGradient { get; init; } = AlignmentStopGradient.None;

    /// <summary>
    /// Epochs over which the weights of every contrastive term (λ_p, λ_a, λ_s) rise linearly from 0 to their values,
    /// <c>λ · min(1, epoch / W)</c>, so that BPR shapes the embeddings first; default 0 (no warm-up).
    /// </summary>
    public int WarmupEpochs { get; init; }

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

        if (!Enum.IsDefined(Rows))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Rows)}", $"must be UsersAndItems or UsersAndPositives; got {(int)Rows}.");
        }

        if (!Enum.IsDefined(Direction))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Direction)}", $"must be Symmetric, BehaviorToSemantic or SemanticToBehavior; got {(int)Direction}.");
        }

        if (!Enum.IsDefined(StandardStopGradient))
        {
            yield return new OptionProblem($"{prefix}.{nameof(StandardStopGradient)}", $"must be None, Behavior or Semantic; got {(int)StandardStopGradient}.");
        }

        if (WarmupEpochs is < 0 or > 100_000)
        {
            yield return new OptionProblem($"{prefix}.{nameof(WarmupEpochs)}", $"must be in [0, 100000]; got {WarmupEpochs}.");
        }

        if (!(Temperature >= 0.01f && Temperature <= 100f))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Temperature)}", $"must be in [0.01, 100]; got {Temperature}.");
        }
    }
}
