using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>What <see cref="RecommendationEngine"/> does for a user id it does not know.</summary>
public enum UnknownUserPolicy
{
    /// <summary>Throw <see cref="UnknownUserException"/> (the default).</summary>
    Throw = 0,

    /// <summary>Return the most popular items (by training popularity, ties to the lower index), scored by popularity.</summary>
    MostPopular = 1,

    /// <summary>
    /// Fold the user in from the items recorded for the id with <see cref="RecommendationEngine.RecordInteractions"/>,
    /// the way the model builds its users (<c>docs/serving.md</c>, "New users without retraining"); while none are
    /// recorded, the most popular items as with <see cref="MostPopular"/>.
    /// </summary>
    FoldIn = 2,
}
