namespace Singer.Recommendation.Losses;

/// <summary>
/// The default of every loss option, in one place: the options record and the short overloads read them from here,
/// and the XML docs quote them (SPEC §3–4). Internal, so that callers' builds do not bake them in.
/// </summary>
internal static class Defaults
{
    /// <summary>The InfoNCE temperature τ: 0.1 (SPEC §3 says 0.2, the <c>Paper</c> preset).</summary>
    public const float Temperature = 0.1f;

    /// <summary>λ_a, the weight of the anchor-based InfoNCE: 0.1 (SPEC §4).</summary>
    public const float AnchorWeight = 0.1f;

    /// <summary>λ_s, the weight of the standard InfoNCE: 0, off (SPEC §4 says 0.1, which collapsed on MovieLens-100K).</summary>
    public const float StandardWeight = 0f;

    /// <summary>The most unique users (and items) of a batch in the contrastive terms: 256.</summary>
    public const int ContrastiveRows = 256;
}
