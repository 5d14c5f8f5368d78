using Singer.Recommendation.Core;

namespace Singer.Recommendation.Perturbation;

/// <summary>Options of the modulus-based personalised perturbation (SPEC §3).</summary>
public sealed record PerturbationOptions
{
    /// <summary>The mean intensity ε ≥ 0; default 0.2 (SPEC §3 says 0.1, the <c>Paper</c> preset; 0.2 was chosen on validation).</summary>
    public float Epsilon { get; init; } = ModulusPerturbation.DefaultEpsilon;

    /// <summary>How ρ is personalised; default <see cref="PerturbationMode.Proportional"/>.</summary>
    public PerturbationMode Mode { get; init; } = PerturbationMode.Proportional;

    /// <summary>The loss weight λ_p ≥ 0 of <c>L_pert</c>; default 0.1. 0 turns the perturbation off (an ablation).</summary>
    public float Weight { get; init; } = 0.1f;

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

        if (!Enum.IsDefined(Mode))
        {
            yield return new OptionProblem($"{prefix}.{nameof(Mode)}", $"must be Proportional, Inverse or Uniform; got {(int)Mode}.");
        }
    }
}

/// <summary>Fluent registration of the perturbation on a model builder.</summary>
public static class PerturbationBuilderExtensions
{
    /// <summary>Configures the perturbation: intensity ε (default 0.2), loss weight λ_p (default 0.1) and mode.</summary>
    public static TBuilder UsePerturbation<TBuilder>(
        this TBuilder builder,
        float epsilon = ModulusPerturbation.DefaultEpsilon,
        float weight = 0.1f,
        PerturbationMode mode = PerturbationMode.Proportional)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.SetComponent(new PerturbationOptions { Epsilon = epsilon, Weight = weight, Mode = mode });
        return builder;
    }
}
