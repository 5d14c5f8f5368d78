using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

/// <summary>
/// The behaviour branch: LightGCN over the training user–item graph (<c>docs/algorithm.md</c> §2). ID embeddings
/// <c>E_u</c>, <c>E_i</c> (Xavier uniform) are propagated over <c>Â = D^{-1/2} [[0, R], [Rᵀ, 0]] D^{-1/2}</c> for
/// <see cref="Layers"/> layers without weights or non-linearities; the output is the mean of layers 0…L.
/// </summary>
public sealed class BehaviorEncoder : nn.Module
{
    private readonly SparseOperator _adjacency;

    /// <summary>Creates the encoder for the training interactions <paramref name="train"/>.</summary>
    /// <param name="train">The training interactions (only these enter the graph).</param>
    /// <param name="embeddingSize">The embedding size <c>d</c>.</param>
    /// <param name="layers">The number of propagation layers <c>L_b</c> (0 gives plain matrix factorisation).</param>
    /// <param name="generator">The generator of the initial embeddings.</param>
    /// <param name="device">The device of parameters and graph; default CPU.</param>
    public BehaviorEncoder(UserItemMatrix train, int embeddingSize, int layers, Generator generator, Device? device = null)
        : base(nameof(BehaviorEncoder))
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        device ??= CPU;
        UserCount = train.UserCount;
        ItemCount = train.ItemCount;
        Layers = layers;
        UserEmbedding = new Parameter(ParameterInit.XavierUniform(UserCount, embeddingSize, generator, device));
        ItemEmbedding = new Parameter(ParameterInit.XavierUniform(ItemCount, embeddingSize, generator, device));
        register_parameter("user_embedding", UserEmbedding);
        register_parameter("item_embedding", ItemEmbedding);
        _adjacency = new SparseOperator(NormalizedAdjacency(train), device);
    }

    /// <summary>The number of users.</summary>
    public int UserCount { get; }

    /// <summary>The number of items.</summary>
    public int ItemCount { get; }

    /// <summary>The number of propagation layers <c>L_b</c>.</summary>
    public int Layers { get; }

    /// <summary>The user ID embeddings <c>E_u</c> (<c>[U, d]</c>), the ego (layer-0) representations.</summary>
    public Parameter UserEmbedding { get; }

    /// <summary>The item ID embeddings <c>E_i</c> (<c>[I, d]</c>), the ego (layer-0) representations.</summary>
    public Parameter ItemEmbedding { get; }

    /// <summary>Propagates and returns <c>b = mean(layer 0 … L_b)</c> for every user and item.</summary>
    public EncodedRepresentations Forward() => Forward(null);

    /// <summary>
    /// Propagates and returns <c>b = mean(layer 0 … L_b)</c>, applying <paramref name="perturbLayer"/> to every
    /// propagated layer <c>l ≥ 1</c> (all users and items, users first) before it enters the next layer and the mean —
    /// the perturbed views of SimGCL (SPEC §8.2). Null propagates without noise.
    /// </summary>
    /// <param name="perturbLayer">Maps a <c>[U + I, d]</c> layer to its perturbed version; null for none.</param>
    public EncodedRepresentations Forward(Func<Tensor, Tensor>? perturbLayer)
    {
        using var scope = NewDisposeScope();
        var ego = cat(new Tensor[] { UserEmbedding, ItemEmbedding }, 0);
        var sum = ego;
        var layer = ego;
        for (int l = 0; l < Layers; l++)
        {
            layer = _adjacency.Multiply(layer);
            if (perturbLayer is not null)
            {
                layer = perturbLayer(layer);
            }

            sum = sum.Plus(layer);
        }

        var mean = Layers == 0 ? sum : sum.DividedBy((double)(Layers + 1));
        var users = mean[..UserCount];
        var items = mean[UserCount..];
        return new EncodedRepresentations(users.MoveToOuterDisposeScope(), items.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The propagation layers <c>0 … layers</c> of users and items (<c>[U + I, d]</c> each, users first): layer 0 the ID
    /// embeddings, layer <c>l</c> the adjacency times layer <c>l − 1</c>. <see cref="Forward()"/> is their mean for
    /// <c>layers = </c><see cref="Layers"/>; serving-time fold-in of new users reads the item rows of each layer.
    /// </summary>
    /// <param name="layers">How many layers to propagate (≥ 0; may exceed <see cref="Layers"/>).</param>
    public IReadOnlyList<Tensor> PropagateLayers(int layers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        using var scope = NewDisposeScope();
        var result = new Tensor[layers + 1];
        result[0] = cat(new Tensor[] { UserEmbedding, ItemEmbedding }, 0);
        for (int l = 1; l <= layers; l++)
        {
            result[l] = _adjacency.Multiply(result[l - 1]);
        }

        foreach (var t in result)
        {
            t.MoveToOuterDisposeScope();
        }

        return result;
    }

    /// <summary>
    /// The symmetric normalised bipartite adjacency <c>Â</c> of size <c>(U+I) × (U+I)</c>: users first, then items;
    /// <c>Â_ui = 1/√(deg_u · deg_i)</c> for each training pair, in both directions.
    /// </summary>
    public static SparseGraph NormalizedAdjacency(UserItemMatrix train)
    {
        ArgumentNullException.ThrowIfNull(train);
        int users = train.UserCount, items = train.ItemCount, n = users + items, nnz = train.Count;
        var itemDegree = train.ItemDegrees();
        var byItem = train.Transpose();
        var offsets = new int[n + 1];
        var columns = new int[2 * nnz];
        var values = new float[2 * nnz];
        int w = 0;
        for (int u = 0; u < users; u++)
        {
            offsets[u] = w;
            double du = train.CountOf(u);
            foreach (int i in train.ItemsOf(u))
            {
                columns[w] = users + i;
                values[w++] = (float)(1.0 / Math.Sqrt(du * itemDegree[i]));
            }
        }

        for (int i = 0; i < items; i++)
        {
            offsets[users + i] = w;
            double di = itemDegree[i];
            foreach (int u in byItem.ItemsOf(i))
            {
                columns[w] = u;
                values[w++] = (float)(1.0 / Math.Sqrt(di * train.CountOf(u)));
            }
        }

        offsets[n] = w;
        return SparseGraph.FromCsr(n, n, offsets, columns, values);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _adjacency.Dispose();
        }

        base.Dispose(disposing);
    }
}
