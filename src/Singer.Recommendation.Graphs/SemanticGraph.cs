using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using TorchSharp;

namespace Singer.Recommendation.Graphs;

/// <summary>
/// The semantic graph (SPEC §1's Enhanced Item-Item Semantic Graph, EISG): for each modality m, the fused, normalised graph
/// <c>Ŝ^m = (1 − β)·norm(S^m) + β·norm(C)</c>, built once and frozen. Immutable.
/// </summary>
/// <remarks>
/// <c>S^m</c> is the modality kNN graph (<see cref="KnnSimilarityGraph"/>, SPEC §1.1), <c>C</c> the co-interaction graph
/// of the training interactions (<see cref="CoInteractionGraph"/>, SPEC §1.2), <c>norm</c> the symmetric normalisation
/// <c>D^{-1/2} A D^{-1/2}</c> with row sums (<see cref="SparseGraph.SymmetricNormalize"/>, SPEC §1.3), each graph on
/// its own. A fused row has at most <c>k + k_c</c> entries. The raw parts are kept so that a model file can store them
/// and <see cref="FromGraphs"/> rebuild the same graph.
/// </remarks>
public sealed class SemanticGraph
{
    private readonly string[] _modalities;
    private readonly Dictionary<string, SparseGraph> _knn;
    private readonly Dictionary<string, SparseGraph> _fused;
    private readonly SparseGraph _normalizedCoInteraction;
    private readonly Dictionary<string, SparseGraph> _normalizedKnn;

    private SemanticGraph(string[] modalities, Dictionary<string, SparseGraph> knn, SparseGraph coInteraction, float beta)
    {
        _modalities = modalities;
        _knn = knn;
        CoInteraction = coInteraction;
        Beta = beta;
        _normalizedCoInteraction = coInteraction.SymmetricNormalize();
        _normalizedKnn = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
        _fused = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
        foreach (string m in modalities)
        {
            var normalized = knn[m].SymmetricNormalize();
            _normalizedKnn[m] = normalized;
            _fused[m] = SparseGraph.Combine(1f - beta, normalized, beta, _normalizedCoInteraction);
        }
    }

    /// <summary>
    /// Builds the semantic graph of every modality of <paramref name="data"/> from its features and its TRAINING interactions
    /// (validation and test interactions never enter a graph).
    /// </summary>
    /// <param name="data">The data set; every modality gets a graph, in the data set's order.</param>
    /// <param name="options">The options; null takes the defaults (k = 10 cosine, k_c = 10, β = 0.3).</param>
    /// <param name="device">Where the kNN products run; null for the CPU.</param>
    /// <param name="progress">Receives the kNN, co-interaction and fusion progress.</param>
    /// <param name="logger">Receives each builder's messages and the statistics of each fused graph.</param>
    /// <param name="cancellationToken">Checked between blocks.</param>
    /// <exception cref="GraphOptionsException">The options are invalid for this data set (every problem listed).</exception>
    public static SemanticGraph Build(
        InteractionDataset data,
        SemanticGraphOptions? options = null,
        torch.Device? device = null,
        IProgress<GraphBuildProgress>? progress = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SemanticGraphOptions();
        device ??= torch.CPU;
        options.Validate(data.ItemCount, data.Modalities.Count, device);
        var problems = new ProblemList();
        foreach (var m in data.Modalities)
        {
            problems.AddIf(m.ItemCount != data.ItemCount, nameof(data),
                $"modality '{m.Name}' has {m.ItemCount} rows but the data set has {data.ItemCount} items; feature rows must equal the item count.");
        }

        problems.ThrowIfAny(nameof(SemanticGraphOptions));

        var coInteraction = CoInteractionGraph.Build(data.Train, new CoInteractionGraphOptions { K = options.CoInteractionK, Weighting = options.CoInteractionWeighting }, progress, logger, cancellationToken);
        var knn = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
        foreach (var modality in data.Modalities)
        {
            knn[modality.Name] = KnnSimilarityGraph.Build(modality, options.Knn, device, progress, logger, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        var semanticGraph = new SemanticGraph(data.Modalities.Select(m => m.Name).ToArray(), knn, coInteraction, options.Beta);
        progress?.Report(new GraphBuildProgress(GraphBuildStage.Fusion, null, semanticGraph._modalities.Length, semanticGraph._modalities.Length, clock.Elapsed));
        if (logger is not null)
        {
            foreach (string m in semanticGraph._modalities)
            {
                Log.SemanticGraphModality(logger, m, semanticGraph.Beta, semanticGraph.Statistics(m).ToString());
            }
        }

        return semanticGraph;
    }

    /// <summary>
    /// Rebuilds a semantic graph from its stored raw parts (for example from a model file): the kNN graph of each modality, the
    /// co-interaction graph and β. Normalisation and fusion are recomputed, so the result equals the one
    /// <see cref="Build"/> gave.
    /// </summary>
    /// <param name="modalityKnn">The raw kNN graph <c>S^m</c> of each modality, by name (the enumeration order is kept).</param>
    /// <param name="coInteraction">The raw co-interaction graph <c>C</c>.</param>
    /// <param name="beta">The fusion weight, in [0, 1].</param>
    /// <exception cref="GraphOptionsException">β is outside [0, 1], there is no modality, or a graph is not square with the item count of the others.</exception>
    public static SemanticGraph FromGraphs(IReadOnlyDictionary<string, SparseGraph> modalityKnn, SparseGraph coInteraction, float beta)
    {
        ArgumentNullException.ThrowIfNull(modalityKnn);
        ArgumentNullException.ThrowIfNull(coInteraction);
        var problems = new ProblemList();
        SemanticGraphOptions.AddBetaProblem(problems, beta, nameof(beta));
        problems.AddIf(modalityKnn.Count == 0, nameof(modalityKnn), "is empty; the semantic graph needs at least one modality graph.");
        int items = coInteraction.RowCount;
        problems.AddIf(coInteraction.RowCount != coInteraction.ColumnCount, nameof(coInteraction),
            $"the co-interaction graph is {coInteraction.RowCount} × {coInteraction.ColumnCount}; it must be square (items × items).");
        foreach (var (name, graph) in modalityKnn)
        {
            if (graph is null)
            {
                problems.Add(nameof(modalityKnn), $"the graph of modality '{name}' is null.");
                continue;
            }

            problems.AddIf(graph.RowCount != items || graph.ColumnCount != items, nameof(modalityKnn),
                $"the graph of modality '{name}' is {graph.RowCount} × {graph.ColumnCount}; it must be {items} × {items} like the co-interaction graph.");
        }

        problems.ThrowIfAny("semantic graph parts");
        var names = modalityKnn.Keys.ToArray();
        return new SemanticGraph(names, modalityKnn.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), coInteraction, beta);
    }

    /// <summary>The modality names, in build order.</summary>
    public IReadOnlyList<string> Modalities => _modalities;

    /// <summary>The number of items (rows and columns of every graph).</summary>
    public int ItemCount => CoInteraction.RowCount;

    /// <summary>The fusion weight β of the co-interaction graph.</summary>
    public float Beta { get; }

    /// <summary>The raw co-interaction graph <c>C</c> (top-k_c counts, SPEC §1.2).</summary>
    public SparseGraph CoInteraction { get; }

    /// <summary>The fused, normalised graph <c>Ŝ^m = (1 − β)·norm(S^m) + β·norm(C)</c> of <paramref name="modality"/>.</summary>
    /// <exception cref="KeyNotFoundException">No modality has that name; the message lists the names there are.</exception>
    public SparseGraph this[string modality] => Lookup(_fused, modality);

    /// <summary>The raw kNN graph <c>S^m</c> of <paramref name="modality"/> (SPEC §1.1).</summary>
    /// <exception cref="KeyNotFoundException">No modality has that name.</exception>
    public SparseGraph ModalityGraph(string modality) => Lookup(_knn, modality);

    /// <summary>
    /// The rows that new items — items outside the graph, such as cold-start items added at serving time — have in the
    /// kNN side of <c>Ŝ^m</c>: their kNN rows over the graph's items (<see cref="KnnSimilarityGraph.BuildQuery"/>),
    /// normalised against the existing items' degrees in <c>S^m</c> exactly as <see cref="SparseGraph.SymmetricNormalize"/>
    /// normalises the graph's own rows, and weighted by <c>1 − β</c> (SPEC §1.3–1.4). New items have no
    /// co-interactions, so this is their whole row of <c>Ŝ^m</c>.
    /// </summary>
    /// <param name="modality">The modality whose graph the rows join.</param>
    /// <param name="knnRows">One row per new item, <see cref="ItemCount"/> columns, raw similarities.</param>
    /// <exception cref="KeyNotFoundException">No modality has that name.</exception>
    /// <exception cref="ArgumentException">The rows do not have one column per item of the graph.</exception>
    public SparseGraph NewItemRows(string modality, SparseGraph knnRows)
    {
        ArgumentNullException.ThrowIfNull(knnRows);
        var knn = ModalityGraph(modality);
        if (knnRows.ColumnCount != ItemCount)
        {
            throw new ArgumentException(
                $"The new items' rows have {knnRows.ColumnCount} columns; the semantic graph has {ItemCount} items.", nameof(knnRows));
        }

        return SparseGraph.NormalizeRowsAgainst(knnRows, knn.RowSums(), 1 - Beta);
    }

    /// <summary>
    /// Counts that describe the fused graph of <paramref name="modality"/>: entries, degree histogram, the share of
    /// entries (and of weight) that comes from each side, isolated items.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No modality has that name.</exception>
    public SemanticGraphStatistics Statistics(string modality)
    {
        var fused = Lookup(_fused, modality);
        var knn = _normalizedKnn[modality];
        var co = _normalizedCoInteraction;
        int fromKnn = 0, fromCo = 0, both = 0;
        double knnWeight = 0, coWeight = 0;
        float wk = 1f - Beta, wc = Beta;
        for (int r = 0; r < fused.RowCount; r++)
        {
            var knnCols = knn.ColumnsOf(r);
            var knnVals = knn.ValuesOf(r);
            var coCols = co.ColumnsOf(r);
            var coVals = co.ValuesOf(r);
            foreach (int c in fused.ColumnsOf(r))
            {
                int a = wk != 0f ? knnCols.BinarySearch(c) : -1;
                int b = wc != 0f ? coCols.BinarySearch(c) : -1;
                if (a >= 0)
                {
                    knnWeight += Math.Abs(wk * knnVals[a]);
                }

                if (b >= 0)
                {
                    coWeight += Math.Abs(wc * coVals[b]);
                }

                if (a >= 0 && b >= 0)
                {
                    both++;
                }
                else if (a >= 0)
                {
                    fromKnn++;
                }
                else
                {
                    fromCo++;
                }
            }
        }

        var degrees = fused.Degrees();
        int maxDegree = degrees.Length == 0 ? 0 : degrees.Max();
        var histogram = new int[maxDegree + 1];
        foreach (int d in degrees)
        {
            histogram[d]++;
        }

        double totalWeight = knnWeight + coWeight;
        return new SemanticGraphStatistics(
            modality,
            fused.RowCount,
            Beta,
            _knn[modality].NonZeroCount,
            CoInteraction.NonZeroCount,
            fused.NonZeroCount,
            fromKnn,
            fromCo,
            both,
            totalWeight == 0 ? 0 : knnWeight / totalWeight,
            totalWeight == 0 ? 0 : coWeight / totalWeight,
            histogram[0],
            histogram);
    }

    private SparseGraph Lookup(Dictionary<string, SparseGraph> graphs, string modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        return graphs.TryGetValue(modality, out var graph)
            ? graph
            : throw new KeyNotFoundException($"The semantic graph has no modality '{modality}'. Modalities: {string.Join(", ", _modalities)}.");
    }
}
