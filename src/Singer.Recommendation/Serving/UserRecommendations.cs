using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>One user's recommendations, as <see cref="RecommendationEngine.RecommendAllUsers"/> streams them.</summary>
/// <param name="UserId">The external user id.</param>
/// <param name="UserIndex">The internal user index.</param>
/// <param name="Items">The top items, best first.</param>
public sealed record UserRecommendations(string UserId, int UserIndex, IReadOnlyList<RecommendedItem> Items);
