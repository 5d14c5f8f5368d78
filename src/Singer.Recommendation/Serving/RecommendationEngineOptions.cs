using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>Options of <see cref="RecommendationEngine"/>.</summary>
public sealed record RecommendationEngineOptions
{
    /// <summary>
    /// How a single user's items are found (<see cref="RecommendationEngine.Recommend(string, int, bool)"/> and batches of
    /// one); default <see cref="RecommendPrecision.Int8Rescored"/>. Batches of several users always use the exact fused
    /// kernel, which runs at the machine's matrix-multiply rate.
    /// </summary>
    public RecommendPrecision Precision { get; init; } = RecommendPrecision.Int8Rescored;

    /// <summary>
    /// With <see cref="RecommendPrecision.Int8Rescored"/>, how many approximate candidates are re-scored first: null (the
    /// default) takes <c>max(2k, k + 32)</c>. Only speed depends on it: items the candidates miss are found by the
    /// error bound.
    /// </summary>
    public int? CandidateCount { get; init; }

    /// <summary>What to do for an unknown user; default <see cref="UnknownUserPolicy.Throw"/>.</summary>
    public UnknownUserPolicy UnknownUsers { get; init; } = UnknownUserPolicy.Throw;

    /// <summary>The largest k a call may ask for; default 1000.</summary>
    public int MaxK { get; init; } = 1000;
}
