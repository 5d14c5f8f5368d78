using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation;

/// <summary>The ablations of SPEC §5, each a preset of <see cref="SingerModelBuilder"/>.</summary>
public enum SingerAblation
{
    /// <summary>The full model.</summary>
    None = 0,

    /// <summary>No co-interaction fusion: β = 0.</summary>
    NoCoInteraction,

    /// <summary>No perturbation: λ_p = 0.</summary>
    NoPerturbation,

    /// <summary>No anchor alignment: λ_a = 0.</summary>
    NoAnchorAlignment,

    /// <summary>No standard alignment: λ_s = 0.</summary>
    NoStandardAlignment,

    /// <summary>No semantic branch: the plain LightGCN baseline.</summary>
    NoSemanticBranch,
}

/// <summary>Every option of a model, as <see cref="SingerModelBuilder.Build"/> resolved them.</summary>
/// <param name="Graph">The semantic graph options (SPEC §1).</param>
/// <param name="Behavior">The behaviour branch (SPEC §2).</param>
/// <param name="Semantic">The semantic branch (SPEC §2).</param>
/// <param name="Perturbation">The perturbation (SPEC §3).</param>
/// <param name="Alignment">The alignment (SPEC §4).</param>
/// <param name="Training">Training (SPEC §5).</param>
/// <param name="Seed">The seed of initialisation, sampling and noise.</param>
public sealed record SingerModelOptions(
    SemanticGraphOptions Graph,
    BehaviorEncoderOptions Behavior,
    SemanticEncoderOptions Semantic,
    PerturbationOptions Perturbation,
    AlignmentOptions Alignment,
    TrainingOptions Training,
    int Seed);

/// <summary>
/// Composes a SINGER model fluently:
/// <code>
/// using var model = new SingerModelBuilder()
///     .WithDataset(dataset)
///     .UseSemanticGraph(k: 20, coInteractionK: 10, beta: 0.3f)
///     .UseSemanticEncoder(layers: 2)
///     .WithTraining(t => t.MaxEpochs(1000).Patience(20))
///     .OnDevice(ComputeDevice.Cpu)
///     .WithSeed(42)
///     .Build();
/// </code>
/// Every component left unconfigured takes the library's defaults: the configuration chosen on validation
/// (<c>docs/results.md</c>, <c>docs/algorithm.md</c> "Defaults"), not the specification's first values, which are the
/// <see cref="Paper"/> preset. <see cref="Build"/> validates everything and reports
/// all problems in one <see cref="SingerConfigurationException"/>; it can be called again for an independent model.
/// </summary>
public sealed class SingerModelBuilder : ISingerModelBuilder
{
    private readonly Dictionary<Type, object> _components = [];
    private InteractionDataset? _dataset;
    private TrainingOptions _training = new();
    private ComputeDevice _device = ComputeDevice.Cpu;
    private int _seed = TrainingDefaults.Seed;
    private ILogger _logger = NullLogger.Instance;
    private SemanticGraph? _prebuiltGraph;

    /// <summary>
    /// The LightGCN baseline preset (no semantic branch) with MMRec's LightGCN settings: 2 layers, L2 weight 1e-4,
    /// d = 64, learning rate 1e-3, batch 2048, one uniformly drawn negative per pair.
    /// </summary>
    public static SingerModelBuilder LightGcn(InteractionDataset dataset) =>
        new SingerModelBuilder().WithDataset(dataset).WithoutSemanticBranch().WithTraining(t => t.L2Weight(PaperL2Weight).NegativeCandidates(1));

    /// <summary>
    /// SINGER with the library's defaults (the same as <c>new SingerModelBuilder().WithDataset(dataset)</c>), or one of
    /// the ablations of SPEC §5 on top of them.
    /// </summary>
    public static SingerModelBuilder Singer(InteractionDataset dataset, SingerAblation ablation = SingerAblation.None) =>
        new SingerModelBuilder().WithDataset(dataset).WithAblation(ablation);

    /// <summary>
    /// SINGER exactly as the specification's §1–5 describe it (<c>../shared/docs/SINGER-SPEC.md</c>): k = 10,
    /// L_s = 1, ε = 0.1, λ_p = λ_a = λ_s = 0.1, τ = 0.2, λ_r = 1e-4, every batch row in the contrastive terms, one
    /// uniformly drawn negative per pair. Kept
    /// for comparison: on MovieLens-100K it collapses below MostPopular (the standard alignment drags the behaviour
    /// embeddings into the content subspace; <c>docs/results.md</c>). The defaults are what validation chose.
    /// </summary>
    public static SingerModelBuilder Paper(InteractionDataset dataset, SingerAblation ablation = SingerAblation.None)
    {
        var builder = new SingerModelBuilder().WithDataset(dataset);
        builder.SetComponent(new SemanticGraphOptions { Knn = new KnnGraphOptions { K = 10 } });
        builder.SetComponent(new SemanticEncoderOptions { Layers = 1, Combination = LayerCombination.Last, ColdItems = ColdItemPolicy.Standard });
        builder.SetComponent(new PerturbationOptions { Epsilon = 0.1f, Weight = 0.1f });
        builder.SetComponent(new AlignmentOptions { AnchorWeight = 0.1f, StandardWeight = 0.1f, Temperature = 0.2f, ContrastiveRows = null });
        builder.WithTraining(t => t.L2Weight(PaperL2Weight).NegativeCandidates(1));
        return builder.WithAblation(ablation);
    }

    private const double PaperL2Weight = 1e-4;

    /// <summary>The data set to train on (its training split builds the graphs; validation drives early stopping).</summary>
    public SingerModelBuilder WithDataset(InteractionDataset dataset)
    {
        _dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        return this;
    }

    /// <summary>Edits the training options fluently, starting from the current ones.</summary>
    public SingerModelBuilder WithTraining(Func<TrainingOptionsBuilder, TrainingOptionsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _training = configure(new TrainingOptionsBuilder(_training)).Options;
        return this;
    }

    /// <summary>Replaces the training options.</summary>
    public SingerModelBuilder WithTraining(TrainingOptions options)
    {
        _training = options ?? throw new ArgumentNullException(nameof(options));
        return this;
    }

    /// <summary>The device of training and inference; default CPU.</summary>
    public SingerModelBuilder OnDevice(ComputeDevice device)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        return this;
    }

    /// <summary>The seed of initialisation, negative sampling and perturbation noise; default 42.</summary>
    public SingerModelBuilder WithSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>The logger of graph building and training; default none.</summary>
    public SingerModelBuilder WithLogger(ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        return this;
    }

    /// <summary>
    /// Trains on a semantic graph built elsewhere — on an Orleans cluster (<c>OrleansSemanticGraph.BuildAsync</c>, package
    /// Singer.Recommendation.Orleans) or by <see cref="SemanticGraph.Build"/> ahead of time — instead of building it in
    /// <see cref="Build"/>. The graph must have the data set's item count and only modalities of the data set (the
    /// semantic encoder reads their features); its modalities, in its order, are the semantic branch's, and its β is
    /// recorded in the model's options. With the graph <see cref="Build"/> would have built, the model is the same.
    /// Null removes it.
    /// </summary>
    public SingerModelBuilder UsePrebuiltSemanticGraph(SemanticGraph? graph)
    {
        _prebuiltGraph = graph;
        return this;
    }

    /// <summary>Applies an ablation of SPEC §5 on top of the current configuration.</summary>
    public SingerModelBuilder WithAblation(SingerAblation ablation)
    {
        switch (ablation)
        {
            case SingerAblation.None:
                break;
            case SingerAblation.NoCoInteraction:
                SetComponent((GetComponent<SemanticGraphOptions>() ?? new()) with { Beta = 0f });
                break;
            case SingerAblation.NoPerturbation:
                SetComponent((GetComponent<PerturbationOptions>() ?? new()) with { Weight = 0f });
                break;
            case SingerAblation.NoAnchorAlignment:
                SetComponent((GetComponent<AlignmentOptions>() ?? new()) with { AnchorWeight = 0f });
                break;
            case SingerAblation.NoStandardAlignment:
                SetComponent((GetComponent<AlignmentOptions>() ?? new()) with { StandardWeight = 0f });
                break;
            case SingerAblation.NoSemanticBranch:
                this.WithoutSemanticBranch();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(ablation), ablation, "Unknown ablation.");
        }

        return this;
    }

    // The component registry is plumbing for the extension methods of the other assemblies (UseSemanticGraph in
    // Graphs, …): implemented explicitly, so that it is not part of the fluent surface a caller sees.
    void ISingerModelBuilder.SetComponent<TOptions>(TOptions options) => SetComponent(options);

    TOptions? ISingerModelBuilder.GetComponent<TOptions>()
        where TOptions : class => GetComponent<TOptions>();

    internal void SetComponent<TOptions>(TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        _components[typeof(TOptions)] = options;
    }

    internal TOptions? GetComponent<TOptions>()
        where TOptions : class => _components.TryGetValue(typeof(TOptions), out var o) ? (TOptions)o : null;

    /// <summary>The options <see cref="Build"/> would use, with defaults filled in (not validated).</summary>
    public SingerModelOptions ResolveOptions() => new(
        GetComponent<SemanticGraphOptions>() ?? new SemanticGraphOptions(),
        GetComponent<BehaviorEncoderOptions>() ?? new BehaviorEncoderOptions(),
        GetComponent<SemanticEncoderOptions>() ?? new SemanticEncoderOptions(),
        GetComponent<PerturbationOptions>() ?? new PerturbationOptions(),
        GetComponent<AlignmentOptions>() ?? new AlignmentOptions(),
        _training,
        _seed);

    /// <summary>Every problem of the current configuration (empty when <see cref="Build"/> would succeed).</summary>
    public IReadOnlyList<OptionProblem> Validate()
    {
        var o = ResolveOptions();
        var problems = new List<OptionProblem>();
        if (_dataset is null)
        {
            problems.Add(new OptionProblem(nameof(WithDataset), "no data set was given; call WithDataset(dataset)."));
        }
        else if (_dataset.Train.Count == 0)
        {
            problems.Add(new OptionProblem(nameof(WithDataset), $"data set '{_dataset.Name}' has no training interactions."));
        }

        problems.AddRange(o.Training.Validate());
        problems.AddRange(o.Behavior.Validate());
        problems.AddRange(o.Semantic.Validate(_dataset));
        if (o.Semantic.Enabled)
        {
            problems.AddRange(o.Perturbation.Validate());
            problems.AddRange(o.Alignment.Validate());
            if (_dataset is not null)
            {
                int modalityCount = o.Semantic.Modalities?.Count ?? _dataset.Modalities.Count;
                if (modalityCount > 0)
                {
                    // (No modality at all is already reported by the semantic encoder's options.)
                    problems.AddRange(o.Graph.Problems(_dataset.ItemCount, modalityCount, _device.TorchDevice));
                }
            }
        }

        if (_prebuiltGraph is { } graph)
        {
            problems.AddRange(PrebuiltGraphProblems(graph, o));
        }

        return problems;
    }

    /// <summary>
    /// Validates the configuration and creates the model: builds the semantic graph (unless the semantic branch is off) and
    /// initialises the parameters from the seed. Each call returns a new, independent model.
    /// </summary>
    /// <exception cref="SingerConfigurationException">The configuration has problems; all are listed.</exception>
    /// <exception cref="InvalidOperationException">The device is CUDA but CUDA is not available.</exception>
    public SingerModel Build(IProgress<GraphBuildProgress>? graphProgress = null, CancellationToken cancellationToken = default)
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new SingerConfigurationException(problems);
        }

        _device.Initialize();
        var options = ResolveOptions();
        if (_prebuiltGraph is { } graph)
        {
            options = options with { Graph = options.Graph with { Beta = graph.Beta } };
        }

        return new SingerModel(_dataset!, options, _device, _logger, graphProgress, cancellationToken, _prebuiltGraph);
    }

    private IEnumerable<OptionProblem> PrebuiltGraphProblems(SemanticGraph graph, SingerModelOptions o)
    {
        const string Option = nameof(UsePrebuiltSemanticGraph);
        if (!o.Semantic.Enabled)
        {
            yield return new OptionProblem(Option, "a pre-built semantic graph was given but the semantic branch is off (LightGCN); remove one of the two.");
        }

        if (_dataset is not null && graph.ItemCount != _dataset.ItemCount)
        {
            yield return new OptionProblem(Option, $"the graph has {graph.ItemCount} items but data set '{_dataset.Name}' has {_dataset.ItemCount}; build the graph from this data set.");
        }

        foreach (string m in graph.Modalities)
        {
            if (_dataset is not null && !_dataset.Modalities.Any(d => d.Name == m))
            {
                yield return new OptionProblem(Option, $"the graph's modality '{m}' is not in data set '{_dataset.Name}' ({string.Join(", ", _dataset.Modalities.Select(d => d.Name))}).");
            }
        }

        if (o.Semantic.Modalities is { } selected && !selected.SequenceEqual(graph.Modalities))
        {
            yield return new OptionProblem(Option, $"the semantic branch selects modalities {string.Join(", ", selected)} but the graph has {string.Join(", ", graph.Modalities)}; select the graph's modalities or none.");
        }
    }
}
