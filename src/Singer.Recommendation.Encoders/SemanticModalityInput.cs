using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Encoders;

/// <summary>One modality's input to the <see cref="SemanticEncoder"/>: its features and its fused item–item graph.</summary>
/// <param name="Features">The item features <c>F^m</c> (<c>[I, d_m]</c>).</param>
/// <param name="Graph">The modality's semantic graph <c>Ŝ^m</c> (<c>[I, I]</c>, normalised and fused).</param>
public sealed record SemanticModalityInput(ItemModality Features, SparseGraph Graph);
