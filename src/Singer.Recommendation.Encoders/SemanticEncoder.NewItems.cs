using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

// Cold-start items: the fused semantic representation of items that were not in the graph, from their graph rows
// and their own features (docs/serving.md).
public sealed partial class SemanticEncoder
{
    /// <summary>
    /// The fused semantic representation of items that were not in the graph (cold-start items), from their rows of
    /// each modality's fused graph against the existing items (<c>[n, I]</c>, normalised like <c>Ŝ^m</c>) and their own
    /// features. A new item's layer <c>l ≥ 1</c> is its graph row times layer <c>l − 1</c> of the existing items; its
    /// layer 0 is its own input, which has no ID part (a new item has no ID embedding). The existing graph is not
    /// changed.
    /// </summary>
    /// <param name="rows">Per modality (in <see cref="Names"/> order), the new items' graph rows.</param>
    /// <param name="features">Per modality, the new items' features.</param>
    public Tensor EmbedNewItems(IReadOnlyList<SparseGraph> rows, IReadOnlyList<ItemModality> features)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = FusionWeights();
        var device = Device;
        Tensor? fused = null;
        for (int k = 0; k < Names.Count; k++)
        {
            int n = features[k].ItemCount;
            Tensor? h = null;
            if (_layerWeights[0] != 0 && _input is SemanticInput.Features or SemanticInput.Both)
            {
                // Layer 0: the item's own projected features (an ID-gated input has no ID embedding to gate: 0).
                var own = features[k].ToTensor(device);
                h = own.matmul(_weights[k]!.t()).Plus(ones(n, 1, device: device) * _biases[k]!).Times(_layerWeights[0]);
            }

            if (Layers > 0)
            {
                using var graph = rows[k].ToTorchSparse(device);
                Tensor? below = null;
                if (_coldFeatures[k] is not null)
                {
                    below = graph.matmul(_coldFeatures[k]!).matmul(_weights[k]!.t()).Plus(graph.matmul(_coldOnes[k]!) * _biases[k]!);
                }

                if (_input != SemanticInput.Features)
                {
                    var ids = graph.matmul(CombinedIdLayers(k, shifted: true));
                    below = below is null ? ids : below.Plus(ids);
                }

                h = h is null ? below! : h.Plus(below!);
            }

            h ??= zeros(n, ItemIdEmbedding?.shape[1] ?? _weights[k]!.shape[0], device: device);
            fused = fused is null ? h * weights[k] : fused.Plus(h * weights[k]);
        }

        return fused!.MoveToOuterDisposeScope();
    }
}
