using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>The item id is not known to the engine.</summary>
public sealed class UnknownItemException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="itemId"/>.</summary>
    public UnknownItemException(string itemId)
        : base($"Item '{itemId}' is not known to the model; add new items with RecommendationEngine.AddItems.")
    {
        ItemId = itemId;
    }

    /// <summary>The unknown id.</summary>
    public string ItemId { get; }
}
