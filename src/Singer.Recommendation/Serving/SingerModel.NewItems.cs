using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

// The serving side of SingerModel: representations of brand-new items (cold start) and the fold-in basis the
// RecommendationEngine uses for new users.
public sealed partial class SingerModel
{
    /// <summary>
    /// The final representations of brand-new items that have no interactions (cold start, <c>docs/serving.md</c>):
    /// for each modality, the items' top-k neighbours among the trained items (SPEC §1.1, same options as the semantic graph),
    /// normalised like <c>Ŝ^m</c> against the existing degrees with no co-interaction part, then the trained
    /// projection, propagation and fusion of the semantic branch. A new item has no behaviour embedding, so its
    /// representation is its semantic one. The model and its graph are not changed.
    /// </summary>
    /// <param name="features">One modality per semantic-branch modality (matched by name), each with one row per new item.</param>
    /// <returns>A new <c>[n, d]</c> tensor on the model's device, owned by the caller.</returns>
    /// <exception cref="InvalidOperationException">The model has no semantic branch (LightGCN).</exception>
    /// <exception cref="ArgumentException">A modality is missing or has the wrong dimension, or the row counts differ.</exception>
    public Tensor EmbedNewItems(IReadOnlyList<ItemModality> features)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(features);
        var semantic = _network.Semantic ?? throw new InvalidOperationException(
            $"{Name} has no semantic branch, so it cannot embed items from their features; train SINGER (SingerModelBuilder.Singer) for cold-start items.");
        var graph = Graph!;
        var ordered = new List<ItemModality>();
        var rows = new List<SparseGraph>();
        int count = -1;
        foreach (string name in semantic.Names)
        {
            var f = features.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException(
                $"New items need features for modality '{name}'; given: {(features.Count == 0 ? "none" : string.Join(", ", features.Select(m => m.Name)))}.", nameof(features));
            var trained = Dataset.GetModality(name);
            if (f.Dimension != trained.Dimension)
            {
                throw new ArgumentException($"Modality '{name}' of the new items is {f.Dimension}-d; the model was trained on {trained.Dimension}-d features.", nameof(features));
            }

            if (count >= 0 && f.ItemCount != count)
            {
                throw new ArgumentException($"Modality '{name}' has {f.ItemCount} rows but another modality has {count}; give one row per new item in every modality.", nameof(features));
            }

            count = f.ItemCount;
            ordered.Add(f);
            var knn = KnnSimilarityGraph.BuildQuery(f, trained, Options.Graph.Knn, Device);
            rows.Add(graph.NewItemRows(name, knn));
        }

        return semantic.EmbedNewItems(rows, ordered);
    }

    /// <summary>
    /// What serving-time fold-in of new users needs (<c>docs/serving.md</c>, "New users without retraining"): the item
    /// rows of the behaviour branch's propagation layers <c>0 … max(L_b, 1) − 1</c>, the users' ID embeddings and
    /// first propagated layer, and the items' fused semantic representations (null for LightGCN), all as host arrays.
    /// </summary>
    internal Serving.FoldInBasis FoldInBasis()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int users = Dataset.UserCount, layers = _network.Behavior.Layers;
        var propagated = _network.Behavior.PropagateLayers(Math.Max(layers, 1));
        var itemLayers = new float[Math.Max(layers, 1)][];
        for (int l = 0; l < itemLayers.Length; l++)
        {
            itemLayers[l] = Host(propagated[l][users..]);
        }

        float[]? semantic = _network.Semantic is { } encoder ? Host(encoder.Forward().Items) : null;
        return new Serving.FoldInBasis(
            layers,
            (int)propagated[0].shape[1],
            itemLayers,
            Host(propagated[0][..users]),
            Host(propagated[1][..users]),
            semantic,
            Dataset.Train.ItemDegrees());

        static float[] Host(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
    }
}
