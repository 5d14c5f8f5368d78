using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

/// <summary>
/// A SINGER model (or its LightGCN baseline) bound to a data set and a device: <see cref="Fit(IProgress{EpochReport}?, CancellationToken)"/> trains it with early
/// stopping on validation; as an <see cref="IRankingScorer"/> it scores users against all items. Create it with
/// <see cref="SingerModelBuilder"/>. Owns native memory: dispose it.
/// </summary>
public sealed partial class SingerModel : IRankingScorer, IDisposable
{
    private readonly SingerNetwork _network;
    private readonly ILogger _logger;
    private EncodedRepresentations? _cache;
    private bool _disposed;

    internal SingerModel(
        InteractionDataset dataset,
        SingerModelOptions options,
        ComputeDevice device,
        ILogger logger,
        IProgress<GraphBuildProgress>? graphProgress,
        CancellationToken cancellationToken,
        SemanticGraph? prebuiltGraph = null)
    {
        Dataset = dataset;
        Options = options;
        ComputeDevice = device;
        _logger = logger;
        List<SemanticModalityInput>? inputs = null;
        if (options.Semantic.Enabled && prebuiltGraph is not null)
        {
            Graph = prebuiltGraph;
            inputs = prebuiltGraph.Modalities.Select(n => new SemanticModalityInput(dataset.GetModality(n), prebuiltGraph[n])).ToList();
        }
        else if (options.Semantic.Enabled)
        {
            var names = options.Semantic.Modalities ?? dataset.Modalities.Select(m => m.Name).ToArray();
            var selected = dataset.SelectModalities([.. names]);
            Log.BuildingGraph(logger, names.Count, dataset.ItemCount, device.ToString());
            var clock = Stopwatch.StartNew();
            Graph = SemanticGraph.Build(selected, options.Graph, device.TorchDevice, graphProgress, logger, cancellationToken);
            Log.GraphBuilt(logger, clock.Elapsed.TotalSeconds);
            inputs = names.Select(n => new SemanticModalityInput(selected.GetModality(n), Graph[n])).ToList();
        }

        _network = new SingerNetwork(dataset, inputs, options, device.TorchDevice);
    }

    /// <summary>The data set the model was built for.</summary>
    public InteractionDataset Dataset { get; }

    /// <summary>The resolved options.</summary>
    public SingerModelOptions Options { get; }

    /// <summary>The device of parameters and computation.</summary>
    public ComputeDevice ComputeDevice { get; }

    /// <summary>The semantic graph of the semantic branch; null for the LightGCN baseline.</summary>
    public SemanticGraph? Graph { get; }

    /// <summary>"SINGER", or "LightGCN" when the semantic branch is off.</summary>
    public string Name => _network.Semantic is null ? "LightGCN" : "SINGER";

    /// <inheritdoc />
    public int ItemCount => Dataset.ItemCount;

    /// <inheritdoc />
    public Device Device => ComputeDevice.TorchDevice;

    /// <summary>The number of trainable values.</summary>
    public long ParameterCount => _network.parameters().Sum(p => p.numel());

    /// <summary>
    /// Trains with Adam on BPR plus the weighted SINGER terms (SPEC §5), evaluating on the validation split every
    /// <see cref="TrainingOptions.EvaluateEvery"/> epochs and stopping after <see cref="TrainingOptions.Patience"/>
    /// evaluations without a strictly better validation metric. The model keeps the best-validation parameters, and
    /// the report carries the test metrics at that epoch.
    /// </summary>
    /// <param name="progress">Receives a report after every epoch.</param>
    /// <param name="cancellationToken">Stops between batches; the best model so far is kept and the report says <see cref="TrainingStopReason.Cancelled"/>.</param>
    /// <exception cref="TrainingDivergedException">A loss term became NaN or infinite; the last good parameters are kept.</exception>
    public TrainingReport Fit(IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SingerTrainer(this, _network, _logger).Fit(null, progress, cancellationToken);
    }

    /// <summary>
    /// Trains like <see cref="Fit(IProgress{EpochReport}?, CancellationToken)"/> and writes a checkpoint every
    /// <see cref="CheckpointOptions.EveryEpochs"/> epochs: a model file with the best model so far (loadable with
    /// <see cref="Load(string, ComputeDevice?, ILogger?)"/>) plus the training state. When the checkpoint file exists
    /// and <see cref="CheckpointOptions.Resume"/> is true, training continues from it; on the CPU the resumed run ends
    /// with the same metrics as an uninterrupted one. Checkpoints are written to a temporary file and renamed, so an
    /// interrupted write leaves the previous checkpoint intact.
    /// </summary>
    /// <exception cref="IncompatibleModelFileException">The checkpoint belongs to other options or another data set.</exception>
    public TrainingReport Fit(CheckpointOptions checkpoints, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentException.ThrowIfNullOrEmpty(checkpoints.Path, nameof(checkpoints));
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpoints.EveryEpochs, 1, nameof(checkpoints));
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SingerTrainer(this, _network, _logger).Fit(checkpoints, progress, cancellationToken);
    }

    /// <summary>Evaluates the model on <paramref name="split"/> with full ranking (the MMRec protocol).</summary>
    public EvaluationResult Evaluate(DataSplit split, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var retention = Options.Training.RetainNativeMemory ? NativeMemoryRetention.Enter() : null;
        return RankingEvaluator.Evaluate(this, Dataset, split, options, cancellationToken);
    }

    /// <inheritdoc />
    public Tensor ScoreUsers(Tensor users)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(users);
        var z = Representations();
        using var scope = NewDisposeScope();
        return z.Users.index_select(0, users).matmul(z.Items.t()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The final representations <c>z = b + s</c> of all users and items, computed once and cached until the next
    /// training step. The tensors belong to the model: do not dispose them.
    /// </summary>
    public EncodedRepresentations Representations()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_cache is { } cached)
        {
            return cached;
        }

        using (no_grad())
        {
            var z = _network.Represent();
            var users = z.Users.detach().DetachFromDisposeScope();
            var items = z.Items.detach().DetachFromDisposeScope();
            z.Users.Dispose();
            z.Items.Dispose();
            _cache = new EncodedRepresentations(users, items);
        }

        return _cache.Value;
    }

    /// <summary>
    /// Saves the model to one file (<c>docs/serving.md</c>): a zip archive with a manifest (format and library
    /// version, options, modalities, counts, the SHA-256 of every entry), the ids, the training interactions, the
    /// features, the raw semantic graph parts and the weights. It is written to a temporary file beside
    /// <paramref name="path"/> and renamed into place, so a crash never leaves a half-written model.
    /// </summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Save(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes the model file to <paramref name="stream"/> (which stays open).</summary>
    public void Save(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        using var weights = new MemoryStream();
        _network.save(weights);
        ModelFile.Write(stream, ToSnapshot(weights.ToArray()));
    }

    /// <summary>What the model file stores of this model, with <paramref name="weights"/> as its parameters.</summary>
    internal ModelSnapshot ToSnapshot(byte[] weights) => new(Name, Dataset, Options, Graph, weights);

    /// <summary>
    /// Loads a model saved by <see cref="Save(string)"/> onto <paramref name="device"/> (default CPU). Loading reads
    /// numbers and names only — nothing in the file is executed. The loaded model has the training interactions but
    /// no validation or test interactions; it scores, serves and can be fine-tuned with <see cref="Fit(IProgress{EpochReport}?, CancellationToken)"/> only if
    /// given validation data through a new builder.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CorruptModelFileException">Not a model archive, truncated, an entry missing, or a checksum mismatch.</exception>
    /// <exception cref="UnsupportedModelVersionException">The file's format is newer than this library.</exception>
    /// <exception cref="IncompatibleModelFileException">The tables or weights do not have the declared dimensions.</exception>
    public static SingerModel Load(string path, ComputeDevice? device = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file not found: {path}", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, device, logger, path);
    }

    /// <summary>Loads a model from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    public static SingerModel Load(Stream stream, ComputeDevice? device = null, ILogger? logger = null, string name = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        device ??= ComputeDevice.Cpu;
        device.Initialize();
        return FromSnapshot(ModelFile.Read(stream, name).Snapshot, device, logger, name);
    }

    /// <summary>A model rebuilt from a snapshot on <paramref name="device"/>: its data set, options and graph, then its weights (checked first).</summary>
    /// <exception cref="IncompatibleModelFileException">The parts do not form a model, or the weights do not fit it.</exception>
    internal static SingerModel FromSnapshot(ModelSnapshot snapshot, ComputeDevice device, ILogger? logger, string name)
    {
        SingerModel model;
        try
        {
            model = new SingerModel(snapshot.Dataset, snapshot.Options, device, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, null, CancellationToken.None, snapshot.Graph);
        }
        catch (ArgumentException e)
        {
            throw new IncompatibleModelFileException(name, $"the stored parts do not form a model ({e.Message}).", e);
        }

        try
        {
            WeightsLayout.Check(model._network, snapshot.Weights, name);
            using var weights = new MemoryStream(snapshot.Weights);
            model._network.load(weights, strict: true);
        }
        catch (IncompatibleModelFileException)
        {
            model.Dispose();
            throw;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException or NotSupportedException or System.Runtime.InteropServices.ExternalException or OverflowException)
        {
            model.Dispose();
            throw new IncompatibleModelFileException(name, $"weights.bin does not fit the declared model ({e.Message}).", e);
        }

        return model;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        InvalidateCache();
        _network.Dispose();
    }

    /// <summary>When set, the training epochs add the time of each part of their steps to it (the <c>growth-steps</c> benchmark's profile).</summary>
    internal StepProfile? Profile { get; set; }

    /// <summary>Drops the cached representations; the trainer calls it whenever the parameters change.</summary>
    internal void InvalidateCache()
    {
        if (_cache is { } c)
        {
            c.Users.Dispose();
            c.Items.Dispose();
            _cache = null;
        }
    }
}
