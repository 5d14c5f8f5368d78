using Singer.Recommendation.Core;

namespace Singer.Recommendation.Perturbation;

/// <summary>Which representations the perturbation views are made of (SPEC §8.2).</summary>
[Flags]
public enum PerturbationPlacement
{
    /// <summary>
    /// The fused semantic representations of the batch's users and items (SPEC §3). With the
    /// projected-features semantic input this reaches only the projection <c>W_m, c_m</c>.
    /// </summary>
    Semantic = 1,

    /// <summary>
    /// The behaviour branch: noise is added to the propagated embeddings at every LightGCN layer, in two independent
    /// views (SimGCL), and InfoNCE contrasts the two views of the batch's users and items.
    /// </summary>
    Behavior = 2,

    /// <summary>Both placements, each with its own InfoNCE term.</summary>
    Both = Semantic | Behavior,
}

/// <summary>Options of the modulus-based personalised perturbation (SPEC §3).</summary>
public sealed record PerturbationOptions
{
    /// <summary>The mean intensity ε ≥ 0; default 0.2 (SPEC §3 says 0.1, the <c>Paper</c> preset; 0.2 was chosen on validation).</summary>
    public float Epsilon { get; init; } = Defaults.Epsilon;

    /// <summary>How ρ is personalised; default <see cref="PerturbationMode.Proportional"/>.</summary>
    public PerturbationMode Mode { get; init; } = Defaults.Mode;

    /// <summary>Where the views are made; default <see cref="PerturbationPlacement.Semantic"/> (SPEC §3).</summary>
    public PerturbationPlacement Placement { get; init; } = PerturbationPlacement.Semantic;

    /// <summary>Whether ε is an absolute length (default, SPEC §3) or relative to the batch's mean modulus.</summary>
    public PerturbationScale Scale { get; init; } = PerturbationScale.Absolute;

    /// <summary>The loss weight λ_p ≥ 0 of <c>L_pert</c>; default 0.1. 0 turns the perturbation off (an ablation).</summary>
    public float Weight { get; init; } = Defaults.Weight;

    /// <summary>Every problem with these options.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        const string prefix = nameof(PerturbationOptions);
        if (!(Epsilon >= 0 && Epsilon <= 10))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Epsilon)}", $"must be in [0, 10]; got {Epsilon}.");
        }

        if (!(Weight >= 0 && float.IsFinite(Weight)))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Weight)}", $"must be a finite number ≥ 0; got {Weight}.");
        }

        if (Placement is not (PerturbationPlacement.Semantic or PerturbationPlacement.Behavior or PerturbationPlacement.Both))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Placement)}", $"must be Semantic, Behavior or Both; got {(int)Placement}.");
        }

        if (!Enum.IsDefined(Scale))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Scale)}", $"must be Absolute or Relative; got {(int)Scale}.");
        }

        if (!Enum.IsDefined(Mode))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Mode)}", $"must be Proportional, Inverse or Uniform; got {(int)Mode}.");
        }
    }
}
