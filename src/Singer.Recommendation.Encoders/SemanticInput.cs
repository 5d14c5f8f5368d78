using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>What the semantic branch propagates over each modality's semantic graph (SPEC §8.1).</summary>
public enum SemanticInput
{
    /// <summary>
    /// The projected features <c>x^m_i = W_m f^m_i + c_m</c> (SPEC §2). Content only: there is no per-item trainable
    /// part, so every item's semantics is a linear function of its (neighbours') features.
    /// </summary>
    Features,

    /// <summary>The item ID embeddings, as FREEDOM and LATTICE propagate them over their item–item graphs.</summary>
    ItemIds,

    /// <summary>The sum of the item ID embedding and the projected features, <c>E_i + W_m f^m_i + c_m</c>.</summary>
    Both,

    /// <summary>The item ID embedding gated by the features, <c>E_i ⊙ σ(W_m f^m_i + c_m)</c>, as MGCN does.</summary>
    GatedItemIds,
}
