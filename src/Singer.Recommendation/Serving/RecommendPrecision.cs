using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>How <see cref="RecommendationEngine"/> finds a user's items, in single calls and batches (<c>docs/serving.md</c>, "Single calls").</summary>
public enum RecommendPrecision
{
    /// <summary>
    /// The default: an int8 copy of the item matrix (one scale per item) scores every item approximately; the best
    /// candidates, and every other item whose error bound could reach the k-th exact score, are re-scored in float32.
    /// The list equals the exact one (up to the float32 summation order of the re-scoring) at a quarter of the memory
    /// traffic. Needs AVX-VNNI for its speed (a portable loop computes the same numbers elsewhere); CPU engines only.
    /// </summary>
    Int8Rescored = 0,

    /// <summary>Every item scored in float32 by the fused top-k kernel (<see cref="BlockedTopK"/>), in single calls and batches.</summary>
    Exact = 1,
}
