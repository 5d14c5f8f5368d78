using Singer.Recommendation.Core;

namespace Singer.Recommendation.Encoders;

/// <summary>How the semantic branch combines its propagation layers (SPEC §8.1).</summary>
public enum LayerCombination
{
    /// <summary>The last layer, <c>H = Ŝ^{L_s} X</c> (SPEC §2): an item's own input enters only through self-loops.</summary>
    Last,

    /// <summary>The mean of layers 0…L_s, as LightGCN combines its layers: the item's own input is always part of it.</summary>
    Mean,
}
