using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

/// <summary>One modality's input to the <see cref="SemanticEncoder"/>: its features and its fused item–item graph.</summary>
/// <param name="Features">The item features <c>F^m</c> (<c>[I, d_m]</c>).</param>
/// <param name="Graph">The modality's EISG <c>Ŝ^m</c> (<c>[I, I]</c>, normalised and fused).</param>
public sealed record SemanticModalityInput(ItemModality Features, SparseGraph Graph);

/// <summary>The semantic branch's output for the requested rows: per modality and fused.</summary>
/// <param name="ModalityUsers">Per modality <c>s^m_u</c> for the requested users.</param>
/// <param name="ModalityItems">Per modality <c>H^m_i</c> for the requested items.</param>
/// <param name="Users">Fused <c>s_u = Σ_m w_m s^m_u</c>.</param>
/// <param name="Items">Fused <c>s_i = Σ_m w_m H^m_i</c>.</param>
public sealed record SemanticRepresentations(IReadOnlyList<Tensor> ModalityUsers, IReadOnlyList<Tensor> ModalityItems, Tensor Users, Tensor Items);

/// <summary>
/// The semantic branch (<c>docs/algorithm.md</c> §2): per modality a trainable projection
/// <c>x^m_i = W_m f^m_i + c_m</c> (<c>d_m → d</c>), <c>L_s</c> propagation layers over the modality's EISG without
/// weights or non-linearity, <c>H^m = (Ŝ^m)^{L_s} X^m</c>, users as the mean of their training items, and the fusion
/// <c>s = Σ_m w_m s^m</c> with equal weights or learnable softmax weights.
/// </summary>
/// <remarks>
/// Propagation is linear and the features are fixed, so <c>H^m = ((Ŝ^m)^{L_s} F^m) W_mᵀ + ((Ŝ^m)^{L_s} 1) c_mᵀ</c>: the
/// encoder propagates the raw features once at construction and each forward pass is a dense projection of
/// the rows it needs. The result equals propagating the projected features (up to float rounding), at a
/// fraction of the cost. Memory: <c>(I + U) × d_m</c> floats per modality.
/// </remarks>
public sealed class SemanticEncoder : nn.Module
{
    private readonly Tensor[] _itemFeatures;   // (Ŝ^m)^L F^m              [I, d_m]
    private readonly Tensor[] _itemOnes;       // (Ŝ^m)^L 1                [I, 1]
    private readonly Tensor[] _userFeatures;   // R_mean (Ŝ^m)^L F^m       [U, d_m]
    private readonly Tensor[] _userOnes;       // R_mean (Ŝ^m)^L 1         [U, 1]
    private readonly Tensor[] _coldFeatures;   // (Ŝ^m)^{L-1} F, for new items' rows [I, d_m] (L ≥ 1)
    private readonly Tensor[] _coldOnes;       // (Ŝ^m)^{L-1} 1             [I, 1]
    private readonly Parameter[] _weights;     // W_m                      [d, d_m]
    private readonly Parameter[] _biases;      // c_m                      [d]
    private readonly Parameter? _fusionLogits; // softmax → w_m            [M]

    /// <summary>Creates the encoder and propagates the features over each modality's graph once.</summary>
    /// <param name="modalities">The modalities, each with its EISG.</param>
    /// <param name="train">The training interactions (user semantics average over them).</param>
    /// <param name="embeddingSize">The output size <c>d</c>.</param>
    /// <param name="layers">The propagation layers <c>L_s</c> ≥ 0.</param>
    /// <param name="learnableFusion">Learn softmax fusion weights instead of equal weights.</param>
    /// <param name="generator">The generator of the initial projection weights.</param>
    /// <param name="device">The device; default CPU.</param>
    public SemanticEncoder(
        IReadOnlyList<SemanticModalityInput> modalities,
        UserItemMatrix train,
        int embeddingSize,
        int layers,
        bool learnableFusion,
        Generator generator,
        Device? device = null)
        : base(nameof(SemanticEncoder))
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(generator);
        if (modalities.Count == 0)
        {
            throw new ArgumentException("The semantic encoder needs at least one modality.", nameof(modalities));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        device ??= CPU;
        int m = modalities.Count;
        Names = modalities.Select(x => x.Features.Name).ToArray();
        Layers = layers;
        _itemFeatures = new Tensor[m];
        _itemOnes = new Tensor[m];
        _userFeatures = new Tensor[m];
        _userOnes = new Tensor[m];
        _coldFeatures = new Tensor[m];
        _coldOnes = new Tensor[m];
        _weights = new Parameter[m];
        _biases = new Parameter[m];
        using var userMean = UserMeanMatrix(train).ToTorchSparse(device);
        for (int k = 0; k < m; k++)
        {
            var (features, graph) = (modalities[k].Features, modalities[k].Graph);
            if (features.ItemCount != train.ItemCount || graph.RowCount != train.ItemCount || graph.ColumnCount != train.ItemCount)
            {
                throw new ArgumentException(
                    $"Modality '{features.Name}': features have {features.ItemCount} rows and the graph is {graph.RowCount} × {graph.ColumnCount}, but there are {train.ItemCount} items.",
                    nameof(modalities));
            }

            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                using var s = graph.ToTorchSparse(device);
                var x = features.ToTensor(device);
                var ones = torch.ones(train.ItemCount, 1, device: device);
                for (int l = 0; l < layers; l++)
                {
                    if (l == layers - 1)
                    {
                        // A new item's row of Ŝ multiplies the (L−1)-times propagated features of the existing items.
                        _coldFeatures[k] = x.contiguous().MoveToOuterDisposeScope();
                        _coldOnes[k] = ones.contiguous().MoveToOuterDisposeScope();
                    }

                    x = s.matmul(x);
                    ones = s.matmul(ones);
                }

                _itemFeatures[k] = x.contiguous().MoveToOuterDisposeScope();
                _itemOnes[k] = ones.contiguous().MoveToOuterDisposeScope();
                _userFeatures[k] = userMean.matmul(x).contiguous().MoveToOuterDisposeScope();
                _userOnes[k] = userMean.matmul(ones).contiguous().MoveToOuterDisposeScope();
            }

            // nn.Linear's default initialisation: U(−1/√d_m, 1/√d_m) for weights and bias.
            double bound = 1.0 / Math.Sqrt(features.Dimension);
            _weights[k] = new Parameter(ParameterInit.Uniform(embeddingSize, features.Dimension, bound, generator, device));
            _biases[k] = new Parameter(ParameterInit.Uniform(embeddingSize, 0, bound, generator, device));
            register_parameter($"projection_{k}_weight", _weights[k]);
            register_parameter($"projection_{k}_bias", _biases[k]);
        }

        if (learnableFusion)
        {
            _fusionLogits = new Parameter(zeros(m, device: device));
            register_parameter("fusion_logits", _fusionLogits);
        }
    }

    /// <summary>The modality names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The propagation layers <c>L_s</c>.</summary>
    public int Layers { get; }

    /// <summary>The fusion weights <c>w_m</c> (equal, or the softmax of the learned logits).</summary>
    public Tensor FusionWeights()
    {
        if (_fusionLogits is null)
        {
            return ScalarSafe.Filled([Names.Count], 1.0f / Names.Count, _weights[0].device);
        }

        return nn.functional.softmax(_fusionLogits, 0);
    }

    /// <summary>
    /// Computes the semantic representations of the given users and items (all when an index is null).
    /// </summary>
    /// <param name="users">User indices (<c>int64</c>) or null for all users.</param>
    /// <param name="items">Item indices (<c>int64</c>) or null for all items.</param>
    public SemanticRepresentations Forward(Tensor? users = null, Tensor? items = null)
    {
        using var scope = NewDisposeScope();
        int m = Names.Count;
        var modalityUsers = new Tensor[m];
        var modalityItems = new Tensor[m];
        var weights = FusionWeights();
        Tensor? fusedUsers = null, fusedItems = null;
        for (int k = 0; k < m; k++)
        {
            modalityUsers[k] = Project(_userFeatures[k], _userOnes[k], users, k);
            modalityItems[k] = Project(_itemFeatures[k], _itemOnes[k], items, k);
            var wk = weights[k];
            fusedUsers = fusedUsers is null ? modalityUsers[k] * wk : fusedUsers.Plus(modalityUsers[k] * wk);
            fusedItems = fusedItems is null ? modalityItems[k] * wk : fusedItems.Plus(modalityItems[k] * wk);
        }

        foreach (var t in modalityUsers.Concat(modalityItems))
        {
            t.MoveToOuterDisposeScope();
        }

        return new SemanticRepresentations(modalityUsers, modalityItems, fusedUsers!.MoveToOuterDisposeScope(), fusedItems!.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The fused semantic representation of items that were not in the graph (cold-start items), from their rows of
    /// each modality's fused graph against the existing items (<c>[n, I]</c>, normalised like <c>Ŝ^m</c>) and, for
    /// <c>L_s = 0</c>, their own features. With <c>L_s ≥ 1</c> a new item's representation is its graph row times the
    /// existing items' <c>(L_s − 1)</c>-times propagated projection; the existing graph is not changed.
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
        var device = _weights[0].device;
        Tensor? fused = null;
        for (int k = 0; k < Names.Count; k++)
        {
            Tensor f, o;
            if (Layers == 0)
            {
                f = features[k].ToTensor(device);
                o = ones(features[k].ItemCount, 1, device: device);
            }
            else
            {
                using var graph = rows[k].ToTorchSparse(device);
                f = graph.matmul(_coldFeatures[k]);
                o = graph.matmul(_coldOnes[k]);
            }

            var h = f.matmul(_weights[k].t()).Plus(o * _biases[k]);
            fused = fused is null ? h * weights[k] : fused.Plus(h * weights[k]);
        }

        return fused!.MoveToOuterDisposeScope();
    }

    private Tensor Project(Tensor features, Tensor ones, Tensor? index, int k)
    {
        var f = index is null ? features : features.index_select(0, index);
        var o = index is null ? ones : ones.index_select(0, index);
        return f.matmul(_weights[k].t()).Plus(o * _biases[k]);
    }

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

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _itemFeatures.Concat(_itemOnes).Concat(_userFeatures).Concat(_userOnes).Concat(_coldFeatures).Concat(_coldOnes))
            {
                t?.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
