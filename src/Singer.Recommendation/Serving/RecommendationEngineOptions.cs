using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>Options of <see cref="RecommendationEngine"/>.</summary>
public sealed record RecommendationEngineOptions
{
    /// <summary>
    /// How the items of a user are found, in single calls, batches and <see cref="RecommendationEngine.RecommendAllUsers"/>;
    /// default <see cref="RecommendPrecision.Int8Rescored"/> (the exact list, up to the float32 summation order, from
    /// int8 candidates; a batch's users are split over libtorch's intra-op threads).
    /// <see cref="RecommendPrecision.Exact"/> scores every item in float32 with the fused top-k kernel.
    /// </summary>
    public RecommendPrecision Precision { get; init; } = RecommendPrecision.Int8Rescored;

    /// <summary>
    /// With <see cref="RecommendPrecision.Int8Rescored"/>, how many approximate candidates are re-scored first: null (the
    /// default) takes <c>max(2k, k + 32)</c>. Only speed depends on it: items the candidates miss are found by the
    /// error bound.
    /// </summary>
    public int? CandidateCount { get; init; }

    /// <summary>
    /// With <see cref="RecommendPrecision.Int8Rescored"/>, how many threads a batch's users are split over (contiguous
    /// ranges, one per thread): null (the default) takes libtorch's intra-op thread count (<c>torch.get_num_threads()</c>,
    /// the threads the exact kernel's products use); 1 keeps a batch on the calling thread, for a service that runs many
    /// calls at once.
    /// </summary>
    public int? BatchThreads { get; init; }

    /// <summary>What to do for an unknown user; default <see cref="UnknownUserPolicy.Throw"/>.</summary>
    public UnknownUserPolicy UnknownUsers { get; init; } = UnknownUserPolicy.Throw;

    /// <summary>The largest k a call may ask for; default 1000.</summary>
    public int MaxK { get; init; } = 1000;
}
