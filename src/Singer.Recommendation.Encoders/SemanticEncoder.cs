using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

/// <summary>
/// The semantic branch (<c>docs/algorithm.md</c> §2 and §8.1): per modality an input <c>X^m</c> —
/// the projected features <c>F^m W_mᵀ + c_m</c>, the item ID embeddings <c>E</c>, their sum, or the ID embeddings
/// gated by the features <c>E ⊙ σ(F^m W_mᵀ + c_m)</c> (<see cref="SemanticInput"/>) — propagated <c>L_s</c> times
/// over the modality's semantic graph without weights or non-linearity, <c>H^m_l = Ŝ^m H^m_{l−1}</c>, combined as the last layer
/// or the mean of layers 0…L_s (<see cref="LayerCombination"/>); users are the mean of their training items, and the
/// modalities are fused as <c>s = Σ_m w_m s^m</c> with equal or learnable softmax weights.
/// </summary>
/// <remarks>
/// The feature part is linear in the fixed features, so <c>Σ_l a_l (Ŝ^m)^l (F W_mᵀ + 1 c_mᵀ) = (Σ_l a_l (Ŝ^m)^l F) W_mᵀ +
/// (Σ_l a_l (Ŝ^m)^l 1) c_mᵀ</c>: the encoder propagates the raw features once at construction, and each forward pass
/// is a dense projection of the rows it needs (memory <c>(I + U) × d_m</c> floats per modality). The ID part changes
/// with training, so it is propagated on every forward pass with a sparse product that passes gradient to the ID
/// table (<c>O(L_s · nnz(Ŝ^m) · d)</c>, the cost of a LightGCN layer on the item graph).
/// </remarks>
public sealed partial class SemanticEncoder : nn.Module
{
    private readonly SemanticInput _input;
    private readonly double[] _layerWeights;   // a_0 … a_L of the layer combination
    private readonly Tensor?[] _itemFeatures;  // Σ_l a_l Ŝ^l F              [I, d_m]   (feature inputs)
    private readonly Tensor?[] _itemOnes;      // Σ_l a_l Ŝ^l 1              [I, 1]
    private readonly Tensor?[] _userFeatures;  // R_mean Σ_l a_l Ŝ^l F       [U, d_m]
    private readonly Tensor?[] _userOnes;      // R_mean Σ_l a_l Ŝ^l 1       [U, 1]
    private readonly Tensor?[] _coldFeatures;  // Σ_{l≥1} a_l Ŝ^{l−1} F, what a new item's graph row multiplies [I, d_m]
    private readonly Tensor?[] _coldOnes;      // Σ_{l≥1} a_l Ŝ^{l−1} 1      [I, 1]
    private readonly Tensor?[] _rawFeatures;   // F, for the gated input      [I, d_m]
    private readonly SparseOperator?[] _graphs; // Ŝ^m, for the ID-dependent inputs
    private readonly SparseOperator? _userMean; // R_mean, for the ID-dependent inputs
    private readonly Parameter?[] _weights;    // W_m                        [d, d_m]
    private readonly Parameter?[] _biases;     // c_m                        [d]
    private readonly Parameter? _fusionLogits; // softmax → w_m               [M]
    private readonly Parameter? _ownItemIds;   // a separate ID table         [I, d]
    // The behaviour branch's E_i (borrowed). In an array: TorchSharp registers Tensor fields of a module in its state
    // dictionary, and this one belongs to (and is saved by) the behaviour branch.
    private readonly Tensor?[] _sharedItemIds = new Tensor?[1];

    /// <summary>Creates the encoder with the specification's semantic input (projected features, last layer).</summary>
    /// <param name="modalities">The modalities, each with its semantic graph.</param>
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
        : this(modalities, train, embeddingSize, new SemanticEncoderOptions { Layers = layers, LearnableFusion = learnableFusion, Input = SemanticInput.Features, Combination = LayerCombination.Last }, generator, null, device)
    {
    }

    /// <summary>Creates the encoder and propagates the features over each modality's graph once.</summary>
    /// <param name="modalities">The modalities, each with its semantic graph.</param>
    /// <param name="train">The training interactions (user semantics average over them).</param>
    /// <param name="embeddingSize">The output size <c>d</c>.</param>
    /// <param name="options">Layers, layer combination, input, ID table and fusion (<see cref="SemanticEncoderOptions"/>).</param>
    /// <param name="generator">The generator of the initial projection weights (and of a separate ID table).</param>
    /// <param name="sharedItemEmbedding">
    /// The behaviour branch's item ID embeddings <c>E_i</c> (<c>[I, d]</c>), borrowed, for an ID-based input with
    /// <see cref="SemanticIdTable.Shared"/>; ignored otherwise.
    /// </param>
    /// <param name="device">The device; default CPU.</param>
    public SemanticEncoder(
        IReadOnlyList<SemanticModalityInput> modalities,
        UserItemMatrix train,
        int embeddingSize,
        SemanticEncoderOptions options,
        Generator generator,
        Tensor? sharedItemEmbedding = null,
        Device? device = null)
        : base(nameof(SemanticEncoder))
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generator);
        if (modalities.Count == 0)
        {
            throw new ArgumentException("The semantic encoder needs at least one modality.", nameof(modalities));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Layers);
        device ??= CPU;
        int m = modalities.Count, layers = options.Layers;
        _input = options.Input;
        Names = modalities.Select(x => x.Features.Name).ToArray();
        Layers = layers;
        Combination = options.Combination;
        _layerWeights = LayerWeights(layers, options.Combination);
        bool linearFeatures = _input is SemanticInput.Features or SemanticInput.Both;
        bool usesIds = _input is not SemanticInput.Features;
        _itemFeatures = new Tensor?[m];
        _itemOnes = new Tensor?[m];
        _userFeatures = new Tensor?[m];
        _userOnes = new Tensor?[m];
        _coldFeatures = new Tensor?[m];
        _coldOnes = new Tensor?[m];
        _rawFeatures = new Tensor?[m];
        _graphs = new SparseOperator?[m];
        _weights = new Parameter?[m];
        _biases = new Parameter?[m];
        using var userMeanGraph = linearFeatures ? UserMeanMatrix(train).ToTorchSparse(device) : null;
        for (int k = 0; k < m; k++)
        {
            var (features, graph) = (modalities[k].Features, modalities[k].Graph);
            if (features.ItemCount != train.ItemCount || graph.RowCount != train.ItemCount || graph.ColumnCount != train.ItemCount)
            {
                throw new ArgumentException(
                    $"Modality '{features.Name}': features have {features.ItemCount} rows and the graph is {graph.RowCount} × {graph.ColumnCount}, but there are {train.ItemCount} items.",
                    nameof(modalities));
            }

            if (linearFeatures)
            {
                PropagateFeatures(k, features, graph, userMeanGraph!, device);
            }

            if (usesIds)
            {
                _graphs[k] = new SparseOperator(graph, device);
            }

            if (_input == SemanticInput.GatedItemIds)
            {
                _rawFeatures[k] = features.ToTensor(device).DetachFromDisposeScope();
            }

            if (_input != SemanticInput.ItemIds)
            {
                // nn.Linear's default initialisation: U(−1/√d_m, 1/√d_m) for weights and bias.
                double bound = 1.0 / Math.Sqrt(features.Dimension);
                var weight = new Parameter(ParameterInit.Uniform(embeddingSize, features.Dimension, bound, generator, device));
                var bias = new Parameter(ParameterInit.Uniform(embeddingSize, 0, bound, generator, device));
                (_weights[k], _biases[k]) = (weight, bias);
                register_parameter($"projection_{k}_weight", weight);
                register_parameter($"projection_{k}_bias", bias);
            }
        }

        if (options.LearnableFusion)
        {
            _fusionLogits = new Parameter(zeros(m, device: device));
            register_parameter("fusion_logits", _fusionLogits);
        }

        if (usesIds)
        {
            _userMean = new SparseOperator(UserMeanMatrix(train), device);
            if (options.IdTable == SemanticIdTable.Separate)
            {
                _ownItemIds = new Parameter(ParameterInit.XavierUniform(train.ItemCount, embeddingSize, generator, device));
                register_parameter("item_id_embedding", _ownItemIds);
            }
            else
            {
                var shared = sharedItemEmbedding ?? throw new ArgumentException(
                    $"The semantic input {_input} with a shared ID table needs the behaviour branch's item embeddings.", nameof(sharedItemEmbedding));
                if (shared.shape.Length != 2 || shared.shape[0] != train.ItemCount || shared.shape[1] != embeddingSize)
                {
                    throw new ArgumentException(
                        $"The shared item embeddings are [{string.Join(", ", shared.shape)}]; expected [{train.ItemCount}, {embeddingSize}].", nameof(sharedItemEmbedding));
                }

                _sharedItemIds[0] = shared;
            }
        }
    }

    /// <summary>The modality names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The propagation layers <c>L_s</c>.</summary>
    public int Layers { get; }

    /// <summary>How the layers are combined.</summary>
    public LayerCombination Combination { get; }

    /// <summary>What each modality propagates.</summary>
    public SemanticInput Input => _input;

    /// <summary>The item ID table of an ID-based input (shared or separate); null for <see cref="SemanticInput.Features"/>.</summary>
    public Tensor? ItemIdEmbedding => (Tensor?)_ownItemIds ?? _sharedItemIds[0];

    /// <summary>The fusion weights <c>w_m</c> (equal, or the softmax of the learned logits).</summary>
    public Tensor FusionWeights()
    {
        if (_fusionLogits is null)
        {
            return ScalarSafe.Filled([Names.Count], 1.0f / Names.Count, Device);
        }

        return nn.functional.softmax(_fusionLogits, 0);
    }

    private Device Device => (_weights.FirstOrDefault(w => w is not null) ?? ItemIdEmbedding)!.device;

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
            Tensor? u = null, i = null;
            if (_itemFeatures[k] is not null)
            {
                u = Project(_userFeatures[k]!, _userOnes[k]!, users, k);
                i = Project(_itemFeatures[k]!, _itemOnes[k]!, items, k);
            }

            if (_input != SemanticInput.Features)
            {
                var h = CombinedIdLayers(k);
                var hu = _userMean!.Multiply(h);
                var hi = items is null ? h : h.index_select(0, items);
                hu = users is null ? hu : hu.index_select(0, users);
                u = u is null ? hu : u.Plus(hu);
                i = i is null ? hi : i.Plus(hi);
            }

            modalityUsers[k] = u!;
            modalityItems[k] = i!;
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

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _itemFeatures.Concat(_itemOnes).Concat(_userFeatures).Concat(_userOnes).Concat(_coldFeatures).Concat(_coldOnes).Concat(_rawFeatures))
            {
                t?.Dispose();
            }

            foreach (var g in _graphs)
            {
                g?.Dispose();
            }

            _userMean?.Dispose();
        }

        base.Dispose(disposing);
    }
}
