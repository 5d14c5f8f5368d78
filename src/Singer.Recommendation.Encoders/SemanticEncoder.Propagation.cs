using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

// The propagation of SPEC §2's semantic branch: the user-mean matrix, the layer-combination weights, the features
// propagated once at construction, the ID part propagated per forward pass, and the projection of the rows asked for.
public sealed partial class SemanticEncoder
{
    /// <summary>The row-normalised training matrix <c>R_mean</c> (<c>[U, I]</c>, <c>1/|N_u|</c> per training pair).</summary>
    public static SparseGraph UserMeanMatrix(UserItemMatrix train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var values = new float[train.Count];
        for (int u = 0; u < train.UserCount; u++)
        {
            int n = train.CountOf(u);
            values.AsSpan(train.RowOffsets[u], n).Fill(1f / n);
        }

        return SparseGraph.FromCsr(train.UserCount, train.ItemCount, train.RowOffsets.ToArray(), train.ItemIndices.ToArray(), values);
    }

    /// <summary>The layer-combination weights <c>a_0 … a_L</c>: the last layer, or the mean of layers 0…L.</summary>
    internal static double[] LayerWeights(int layers, LayerCombination combination)
    {
        var a = new double[layers + 1];
        if (combination == LayerCombination.Mean)
        {
            Array.Fill(a, 1.0 / (layers + 1));
        }
        else
        {
            a[layers] = 1.0;
        }

        return a;
    }

    /// <summary>Propagates the raw features (and a column of ones, for the bias) once, combining the layers with a_l.</summary>
    private void PropagateFeatures(int k, ItemModality features, SparseGraph graph, Tensor userMean, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var s = graph.ToTorchSparse(device);
        var x = features.ToTensor(device);
        var one = ones(graph.RowCount, 1, device: device);
        Tensor? sumX = null, sumOnes = null, coldX = null, coldOnes = null;
        for (int l = 0; l <= Layers; l++)
        {
            if (l > 0)
            {
                // A new item's layer l multiplies layer l − 1 of the existing items.
                coldX = Accumulate(coldX, x, _layerWeights[l]);
                coldOnes = Accumulate(coldOnes, one, _layerWeights[l]);
                x = s.matmul(x);
                one = s.matmul(one);
            }

            sumX = Accumulate(sumX, x, _layerWeights[l]);
            sumOnes = Accumulate(sumOnes, one, _layerWeights[l]);
        }

        _itemFeatures[k] = sumX!.contiguous().MoveToOuterDisposeScope();
        _itemOnes[k] = sumOnes!.contiguous().MoveToOuterDisposeScope();
        _userFeatures[k] = userMean.matmul(sumX!).contiguous().MoveToOuterDisposeScope();
        _userOnes[k] = userMean.matmul(sumOnes!).contiguous().MoveToOuterDisposeScope();
        if (coldX is not null)
        {
            _coldFeatures[k] = coldX.contiguous().MoveToOuterDisposeScope();
            _coldOnes[k] = coldOnes!.contiguous().MoveToOuterDisposeScope();
        }
    }

    /// <summary><paramref name="sum"/> + a·x, skipping zero weights (the last-layer combination then keeps the exact product).</summary>
    private static Tensor? Accumulate(Tensor? sum, Tensor x, double a)
    {
        if (a == 0)
        {
            return sum;
        }

        var term = a == 1 ? x : x.Times(a);
        return sum is null ? term : sum.Plus(term);
    }

    /// <summary>
    /// The ID part of modality k's items: <c>Σ_l a_l Ŝ^l X</c> with <c>X = E</c> or <c>E ⊙ σ(F W + c)</c>; with
    /// <paramref name="shifted"/>, <c>Σ_{l≥1} a_l Ŝ^{l−1} X</c> (what a new item's graph row multiplies).
    /// </summary>
    private Tensor CombinedIdLayers(int k, bool shifted = false)
    {
        var x = ItemIdEmbedding!;
        if (_input == SemanticInput.GatedItemIds)
        {
            var gate = _rawFeatures[k]!.matmul(_weights[k]!.t()).Plus(_biases[k]!).sigmoid();
            x = x * gate;
        }

        Tensor? sum = null;
        for (int l = 0; l <= Layers; l++)
        {
            if (l > 0)
            {
                if (shifted)
                {
                    sum = Accumulate(sum, x, _layerWeights[l]);
                }

                x = _graphs[k]!.Multiply(x);
            }

            if (!shifted)
            {
                sum = Accumulate(sum, x, _layerWeights[l]);
            }
        }

        return sum ?? zeros_like(x);
    }

    private Tensor Project(Tensor features, Tensor ones, Tensor? index, int k)
    {
        var f = index is null ? features : features.index_select(0, index);
        var o = index is null ? ones : ones.index_select(0, index);
        return f.matmul(_weights[k]!.t()).Plus(o * _biases[k]!);
    }
}
