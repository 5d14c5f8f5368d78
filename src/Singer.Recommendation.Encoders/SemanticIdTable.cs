using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>Which item ID table an ID-based semantic input propagates.</summary>
public enum SemanticIdTable
{
    /// <summary>The behaviour branch's item embeddings <c>E_i</c> (FREEDOM): both branches train one table.</summary>
    Shared,

    /// <summary>A table of its own, initialised like <c>E_i</c>.</summary>
    Separate,
}
