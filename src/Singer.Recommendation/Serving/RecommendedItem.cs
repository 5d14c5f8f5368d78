using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>One recommended (or scored) item.</summary>
/// <param name="ItemId">The external item id.</param>
/// <param name="ItemIndex">The internal item index.</param>
/// <param name="Score">The score <c>z_u · z_i</c> (for <see cref="RecommendationEngine.SimilarItems"/>, the cosine).</param>
public readonly record struct RecommendedItem(string ItemId, int ItemIndex, float Score);
