using Singer.Recommendation.Core;
using Singer.Recommendation.Perturbation;

// In the root namespace, so that `using Singer.Recommendation;` brings every builder extension.
namespace Singer.Recommendation;

/// <summary>Fluent registration of the personalised perturbation (SPEC §3) on a model builder.</summary>
/// <remarks>
/// Like every <c>Use*</c> method of the builder, these edit the current options: a setting that is not named keeps
/// its value (from a preset or an earlier call), or the default when nothing set it.
/// </remarks>
public static class PerturbationBuilderExtensions
{
    /// <summary>
    /// Sets the perturbation's mean intensity ε (<paramref name="epsilon"/>, default 0.2), the loss weight λ_p of
    /// <c>L_pert</c> (<paramref name="weight"/>, default 0.1; 0 turns the perturbation off) and how ρ is personalised
    /// (<paramref name="mode"/>, default <see cref="PerturbationMode.Proportional"/>). A setting left null keeps its
    /// current value; every other perturbation option keeps its value too.
    /// </summary>
    public static TBuilder UsePerturbation<TBuilder>(
        this TBuilder builder,
        float? epsilon = null,
        float? weight = null,
        PerturbationMode? mode = null)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UsePerturbation(current => current with
        {
            Epsilon = epsilon ?? current.Epsilon,
            Weight = weight ?? current.Weight,
            Mode = mode ?? current.Mode,
        });
    }

    /// <summary>
    /// Edits the perturbation's options, starting from the current ones:
    /// <c>.UsePerturbation(p =&gt; p with { Placement = PerturbationPlacement.Both })</c>.
    /// </summary>
    public static TBuilder UsePerturbation<TBuilder>(this TBuilder builder, Func<PerturbationOptions, PerturbationOptions> configure)
        where TBuilder : ISingerModelBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.SetComponent(configure(builder.GetComponent<PerturbationOptions>() ?? new PerturbationOptions()));
        return builder;
    }
}
