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
public sealed class SingerModel : IRankingScorer, IDisposable
{
    private static readonly string[] TermNames = ["total", "BPR", "perturbation", "anchor", "alignment", "regularization"];

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
        Eisg? prebuiltGraph = null)
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
            Graph = Eisg.Build(selected, options.Graph, device.TorchDevice, graphProgress, logger, cancellationToken);
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

    /// <summary>The EISG of the semantic branch; null for the LightGCN baseline.</summary>
    public Eisg? Graph { get; }

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
    public TrainingReport Fit(IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(null, progress, cancellationToken);

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
        return FitCore(checkpoints, progress, cancellationToken);
    }

    private TrainingReport FitCore(CheckpointOptions? checkpoints, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var options = Options.Training;
        var device = Device;
        var sampler = new TripleSampler(Dataset.Train, onlyInteractedNegatives: Options.Semantic.Enabled && Options.Semantic.ColdItems == ColdItemPolicy.SemanticOnly);
        var epochs = new List<EpochReport>();
        string metricName = $"{options.ValidationMetric}@{options.ValidationK}";
        bool validate = options.EarlyStopping && Dataset.Validation.Count > 0;
        var evaluation = new EvaluationOptions
        {
            Ks = EvaluationOptions.DefaultKs.Append(options.ValidationK).Distinct().Order().ToArray(),
            UserBatchSize = options.EvaluationBatchSize,
        };
        Log.TrainingStarted(_logger, Name, Dataset.Name, sampler.PairCount, options.BatchSize, options.MaxEpochs, ComputeDevice.ToString(), Options.Seed);

        var clock = Stopwatch.StartNew();
        using var optimizer = new AdamOptimizer(_network.parameters(), options.LearningRate);
        Dictionary<string, Tensor>? best = Snapshot();
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        EvaluationResult? bestValidation = null;
        var stop = TrainingStopReason.MaxEpochs;
        int firstEpoch = 1;
        try
        {
            if (checkpoints is { Resume: true } && File.Exists(checkpoints.Path))
            {
                var restored = TrainingCheckpoint.Read(checkpoints.Path, this, device);
                WeightsLayout.Check(_network, restored.BestWeights, checkpoints.Path);
                using (var weights = new MemoryStream(restored.BestWeights))
                {
                    _network.load(weights, strict: true);
                }

                DisposeSnapshot(best);
                best = Snapshot();
                Restore(restored.Current);
                DisposeSnapshot(restored.Current);
                optimizer.Restore(restored.State.AdamSteps, restored.Adam);
                foreach (var t in restored.Adam)
                {
                    t.Dispose();
                }

                epochs.AddRange(restored.Epochs);
                bestEpoch = restored.State.BestEpoch;
                bestScore = restored.State.BestScore;
                sinceBest = restored.State.SinceBest;
                bestValidation = restored.BestValidation;
                firstEpoch = restored.State.Epoch + 1;
                Log.Resumed(_logger, checkpoints.Path, restored.State.Epoch, bestEpoch);
                if (validate && sinceBest >= options.Patience)
                {
                    stop = TrainingStopReason.EarlyStopping;
                    firstEpoch = int.MaxValue;
                }
            }

            for (int epoch = firstEpoch; epoch <= options.MaxEpochs; epoch++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    stop = TrainingStopReason.Cancelled;
                    break;
                }

                InvalidateCache();
                var epochClock = Stopwatch.StartNew();
                var (loss, diagnostics, cancelled) = TrainEpoch(sampler, epoch, optimizer, device, cancellationToken);
                double trainSeconds = epochClock.Elapsed.TotalSeconds;
                if (cancelled)
                {
                    Log.Cancelled(_logger, epoch, bestEpoch);
                    stop = TrainingStopReason.Cancelled;
                    break;
                }

                int bad = Array.FindIndex(loss, v => !double.IsFinite(v));
                if (bad >= 0)
                {
                    // Order the report by term: name the first non-finite component (the total only when all parts are finite).
                    int term = Enumerable.Range(1, 5).FirstOrDefault(k => !double.IsFinite(loss[k]), 0);
                    Restore(best);
                    Log.Diverged(_logger, epoch, TermNames[term], loss[term], bestEpoch);
                    var partial = new TrainingReport(epochs, bestEpoch, bestValidation, null, clock.Elapsed, TrainingStopReason.MaxEpochs, Options.Seed, Name, metricName);
                    throw new TrainingDivergedException(epoch, TermNames[term], loss[term], partial);
                }

                var breakdown = new LossBreakdown(loss[0], loss[1], loss[2], loss[3], loss[4], loss[5]);
                EvaluationResult? validation = null;
                double evalSeconds = 0;
                bool isBest = false;
                if (validate && (epoch % options.EvaluateEvery == 0 || epoch == options.MaxEpochs))
                {
                    var evalClock = Stopwatch.StartNew();
                    validation = RankingEvaluator.Evaluate(this, Dataset, DataSplit.Validation, evaluation, cancellationToken);
                    evalSeconds = evalClock.Elapsed.TotalSeconds;
                    double score = validation.Get(options.ValidationMetric, options.ValidationK);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestEpoch = epoch;
                        bestValidation = validation;
                        sinceBest = 0;
                        isBest = true;
                        DisposeSnapshot(best);
                        best = Snapshot();
                    }
                    else
                    {
                        sinceBest++;
                    }

                    Log.EpochCompleted(_logger, epoch, breakdown.Total, breakdown.Bpr, trainSeconds, metricName, score, isBest ? " (best)" : "");
                }
                else
                {
                    Log.EpochTrained(_logger, epoch, breakdown.Total, breakdown.Bpr, trainSeconds);
                    if (!validate)
                    {
                        bestEpoch = epoch;
                    }
                }

                var report = new EpochReport(epoch, breakdown, validation, trainSeconds, evalSeconds, isBest) { Diagnostics = diagnostics };
                if (diagnostics is not null)
                {
                    Log.EpochDiagnostics(_logger, epoch, diagnostics.ToString());
                }

                epochs.Add(report);
                if (checkpoints is not null && (epoch % checkpoints.EveryEpochs == 0 || epoch == options.MaxEpochs))
                {
                    WriteCheckpoint(checkpoints.Path, TrainingCheckpoint.ToState(epoch, bestEpoch, bestScore, sinceBest, optimizer.StepCount, Dataset, epochs), optimizer, validate ? best : null);
                }

                progress?.Report(report);
                if (validate && sinceBest >= options.Patience)
                {
                    Log.EarlyStop(_logger, epoch, metricName, options.Patience, bestEpoch);
                    stop = TrainingStopReason.EarlyStopping;
                    break;
                }
            }

            if (validate && bestEpoch > 0)
            {
                Restore(best);
            }
        }
        finally
        {
            DisposeSnapshot(best);
            InvalidateCache();
        }

        EvaluationResult? test = Dataset.Test.Count > 0 ? RankingEvaluator.Evaluate(this, Dataset, DataSplit.Test, evaluation, CancellationToken.None) : null;
        if (test is not null)
        {
            Log.TrainingFinished(_logger, bestEpoch, metricName, test.Get(options.ValidationMetric, options.ValidationK), clock.Elapsed.TotalSeconds);
        }

        return new TrainingReport(epochs, bestEpoch, bestValidation, test, clock.Elapsed, stop, Options.Seed, Name, metricName);
    }

    /// <summary>Writes a checkpoint: the best parameters as the model's weights, plus the training state, atomically.</summary>
    private void WriteCheckpoint(string path, TrainingCheckpoint.State state, AdamOptimizer optimizer, Dictionary<string, Tensor>? best)
    {
        var current = _network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var extras = TrainingCheckpoint.Entries(TrainingCheckpoint.Extras(state, current, optimizer.State));
        byte[] weights;
        var now = best is null ? null : Snapshot();
        try
        {
            Restore(best);
            using var ms = new MemoryStream();
            _network.save(ms);
            weights = ms.ToArray();
        }
        finally
        {
            Restore(now);
            DisposeSnapshot(now);
        }

        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                ModelFile.Write(stream, this, weights, extras);
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

    /// <summary>Evaluates the model on <paramref name="split"/> with full ranking (the MMRec protocol).</summary>
    public EvaluationResult Evaluate(DataSplit split, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
    /// features, the raw EISG parts and the weights. It is written to a temporary file beside
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
        ModelFile.Write(stream, this, weights.ToArray());
    }

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
        var contents = ModelFile.Read(stream, name);
        SingerModel model;
        try
        {
            model = new SingerModel(contents.Dataset, contents.Options, device, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, null, CancellationToken.None, contents.Graph);
        }
        catch (ArgumentException e)
        {
            throw new IncompatibleModelFileException(name, $"the stored parts do not form a model ({e.Message}).", e);
        }

        try
        {
            WeightsLayout.Check(model._network, contents.Weights, name);
            using var weights = new MemoryStream(contents.Weights);
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

    /// <summary>
    /// The final representations of brand-new items that have no interactions (cold start, <c>docs/serving.md</c>):
    /// for each modality, the items' top-k neighbours among the trained items (SPEC §1.1, same options as the EISG),
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
            rows.Add(NormalizeNewRows(knn, graph.ModalityGraph(name).RowSums(), 1 - graph.Beta));
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

    /// <summary><c>scale · w_ij / √(d_i · d_j)</c> with <c>d_i</c> the new row's sum and <c>d_j</c> the existing item's degree (0 when either is 0).</summary>
    private static SparseGraph NormalizeNewRows(SparseGraph knn, float[] existingDegrees, float scale)
    {
        var offsets = knn.RowOffsets.ToArray();
        var columns = knn.ColumnIndices.ToArray();
        var values = knn.Values.ToArray();
        for (int r = 0; r < knn.RowCount; r++)
        {
            double rowSum = 0;
            for (int p = offsets[r]; p < offsets[r + 1]; p++)
            {
                rowSum += values[p];
            }

            for (int p = offsets[r]; p < offsets[r + 1]; p++)
            {
                double d = rowSum * existingDegrees[columns[p]];
                values[p] = d > 0 ? (float)(scale * values[p] / Math.Sqrt(d)) : 0f;
            }
        }

        return SparseGraph.FromCsr(knn.RowCount, knn.ColumnCount, offsets, columns, values);
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

    private (double[] Loss, EpochDiagnostics? Diagnostics, bool Cancelled) TrainEpoch(TripleSampler sampler, int epoch, AdamOptimizer optimizer, Device device, CancellationToken cancellationToken)
    {
        // Each epoch's randomness (order, negatives, perturbation noise) depends only on the seed and the epoch
        // number, so a run resumed from a checkpoint repeats the uninterrupted run exactly.
        int epochSeed = unchecked((Options.Seed * 1_000_003) + epoch);
        _network.StartEpoch(epochSeed, epoch);
        EpochDiagnostics? diagnostics = null;
        int candidates = Options.Training.NegativeCandidates;
        var (users, pos, neg) = sampler.Epoch(new Random(epochSeed), candidates);
        int batchSize = Options.Training.BatchSize;
        int batches = 0;
        using var sums = zeros(6, dtype: float64, device: device);
        _network.train();
        for (int start = 0; start < users.Length; start += batchSize)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ([], null, true);
            }

            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, users.Length - start);
            if (candidates > 1)
            {
                // Dynamic negative sampling: of each pair's candidates, the one the current model ranks highest.
                _network.ChooseHardNegatives(users, neg, start, count, candidates, device);
            }

            var batch = sampler.Batch(users, pos, neg, start, count, device);
            bool last = start + batchSize >= users.Length;
            var loss = _network.Loss(batch, diagnostics: last && Options.Training.Diagnostics);
            optimizer.ZeroGrad();
            if (last && Options.Training.Diagnostics)
            {
                diagnostics = Diagnose(loss);
            }

            loss.Total.backward();
            optimizer.Step();
            using (no_grad())
            {
                sums.PlusInPlace(stack(new[] { loss.Total, loss.Bpr, loss.Perturbation, loss.Anchor, loss.Alignment, loss.Regularization }).to(float64));
            }

            batches++;
        }

        _network.eval();
        double[] mean;
        using (var host = sums.cpu())
        {
            mean = host.data<double>().ToArray();
        }

        for (int k = 0; k < mean.Length; k++)
        {
            mean[k] /= Math.Max(batches, 1);
        }

        return (mean, diagnostics, false);
    }

    private static readonly string[] DiagnosedTerms = ["BPR", "perturbation", "anchor", "alignment", "regularization"];

    /// <summary>
    /// Each term's value and the norms of its weighted gradient on <c>E_u</c> and <c>E_i</c> (one backward pass per
    /// active term, keeping the graph for the real step), and the behaviour–semantic cosines.
    /// </summary>
    private EpochDiagnostics Diagnose(BatchLosses loss)
    {
        var inputs = new Tensor[] { _network.Behavior.UserEmbedding, _network.Behavior.ItemEmbedding };
        var terms = loss.Terms;
        var result = new List<LossTermDiagnostics>(terms.Length);
        for (int k = 0; k < terms.Length; k++)
        {
            double weight = loss.Weights[k];
            double value = terms[k].ToDouble();
            double userNorm = 0, itemNorm = 0;
            if (weight != 0 && terms[k].requires_grad)
            {
                using var scope = NewDisposeScope();
                // A zero multiple of both tables keeps them in the graph, so a term that does not reach one gets 0, not an error.
                var anchor = inputs[0].sum().Plus(inputs[1].sum()).Times(0.0);
                var weighted = terms[k].Times(weight).Plus(anchor);
                var grads = autograd.grad([weighted], inputs, retain_graph: true);
                userNorm = grads[0].Squared().sum().sqrt().ToDouble();
                itemNorm = grads[1].Squared().sum().sqrt().ToDouble();
            }

            result.Add(new LossTermDiagnostics(DiagnosedTerms[k], value, weight, userNorm, itemNorm));
        }

        return new EpochDiagnostics(result, loss.UserCosine?.ToDouble(), loss.ItemCosine?.ToDouble());
    }

    private Dictionary<string, Tensor> Snapshot()
    {
        var copy = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, p) in _network.named_parameters())
            {
                using var view = p.detach();
                copy[name] = view.clone().DetachFromDisposeScope();
            }
        }

        return copy;
    }

    private void Restore(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        using (no_grad())
        {
            foreach (var (name, p) in _network.named_parameters())
            {
                p.copy_(snapshot[name]);
            }
        }

        InvalidateCache();
    }

    private static void DisposeSnapshot(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        foreach (var t in snapshot.Values)
        {
            t.Dispose();
        }

        snapshot.Clear();
    }

    private void InvalidateCache()
    {
        if (_cache is { } c)
        {
            c.Users.Dispose();
            c.Items.Dispose();
            _cache = null;
        }
    }
}
