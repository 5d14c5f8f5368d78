namespace Singer.Recommendation.Perturbation;

/// <summary>
/// The default of every perturbation option, in one place: the options record and the short overloads read them from
/// here, and the XML docs quote them (SPEC §3). Internal, so that callers' builds do not bake them in.
/// </summary>
internal static class Defaults
{
    /// <summary>The mean intensity ε: 0.2 (SPEC §3 says 0.1, the <c>Paper</c> preset; 0.2 was chosen on validation).</summary>
    public const float Epsilon = 0.2f;

    /// <summary>The loss weight λ_p of <c>L_pert</c>: 0.1 (SPEC §3).</summary>
    public const float Weight = 0.1f;

    /// <summary>How ρ is personalised: proportional to the modulus (SPEC §3).</summary>
    public const PerturbationMode Mode = PerturbationMode.Proportional;
}
