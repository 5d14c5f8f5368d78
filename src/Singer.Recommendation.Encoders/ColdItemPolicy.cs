using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>How a model treats items that have no training interactions (new, cold items).</summary>
public enum ColdItemPolicy
{
    /// <summary>Like every other item: an ID embedding trained only as a negative, plus the semantics (SPEC §2, §5).</summary>
    Standard,

    /// <summary>
    /// Represented by their semantics alone (<c>z_i = s_i</c>: an untrained ID embedding carries no behaviour) and never
    /// drawn as negatives (an item nobody could interact with is no evidence against anyone). This is what
    /// <c>RecommendationEngine.AddItems</c> does for brand-new items. No effect when every item has a training interaction.
    /// </summary>
    SemanticOnly,
}
