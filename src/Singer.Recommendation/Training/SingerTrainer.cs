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
/// The training room of <see cref="SingerModel"/> (SPEC §5): the loop of <see cref="SingerModel.Fit(IProgress{EpochReport}?, CancellationToken)"/>
/// with early stopping on validation, divergence checks and checkpoints; Adam, the triple sampler and the best-epoch
/// parameter snapshot live here for one run. One epoch and its diagnostics are in <c>SingerTrainer.Epoch.cs</c>.
/// The model's parameters belong to the model; the trainer only updates them.
/// </summary>
internal sealed partial class SingerTrainer
{
    private static readonly string[] TermNames = ["total", "BPR", "perturbation", "anchor", "alignment", "regularization"];

    private readonly SingerModel _model;
    private readonly SingerNetwork _network;
    private readonly ILogger _logger;

    /// <summary>A trainer of <paramref name="model"/>, whose network is <paramref name="network"/>.</summary>
    public SingerTrainer(SingerModel model, SingerNetwork network, ILogger logger)
    {
        _model = model;
        _network = network;
        _logger = logger;
    }

    private SingerModelOptions Options => _model.Options;

    private InteractionDataset Dataset => _model.Dataset;

    public TrainingReport Fit(CheckpointOptions? checkpoints, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var options = Options.Training;
        using var retention = options.RetainNativeMemory ? NativeMemoryRetention.Enter() : null;
        var device = _model.Device;
        var sampler = new TripleSampler(Dataset.Train, onlyInteractedNegatives: Options.Semantic.Enabled && Options.Semantic.ColdItems == ColdItemPolicy.SemanticOnly);
        var epochs = new List<EpochReport>();
        string metricName = $"{options.ValidationMetric}@{options.ValidationK}";
        bool validate = options.EarlyStopping && Dataset.Validation.Count > 0;
        var evaluation = new EvaluationOptions
        {
            Ks = EvaluationOptions.DefaultKs.Append(options.ValidationK).Distinct().Order().ToArray(),
            UserBatchSize = options.EvaluationBatchSize,
        };
        Log.TrainingStarted(_logger, _model.Name, Dataset.Name, sampler.PairCount, options.EffectiveBatchSize(sampler.PairCount), options.MaxEpochs, _model.ComputeDevice.ToString(), Options.Seed);

        var clock = Stopwatch.StartNew();
        using var optimizer = new AdamOptimizer(_network.parameters(), options.LearningRate);
        Dictionary<string, Tensor>? best = ParameterSnapshot.Take(_network);
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        EvaluationResult? bestValidation = null;
        var stop = TrainingStopReason.MaxEpochs;
        int firstEpoch = 1;
        try
        {
            if (checkpoints is { Resume: true } && File.Exists(checkpoints.Path))
            {
                var restored = TrainingCheckpoint.Read(checkpoints.Path, _model, device);
                WeightsLayout.Check(_network, restored.BestWeights, checkpoints.Path);
                using (var weights = new MemoryStream(restored.BestWeights))
                {
                    _network.load(weights, strict: true);
                }

                ParameterSnapshot.Dispose(best);
                best = ParameterSnapshot.Take(_network);
                Restore(restored.Current);
                ParameterSnapshot.Dispose(restored.Current);
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

                _model.InvalidateCache();
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
                    var partial = new TrainingReport(epochs, bestEpoch, bestValidation, null, clock.Elapsed, TrainingStopReason.MaxEpochs, Options.Seed, _model.Name, metricName);
                    throw new TrainingDivergedException(epoch, TermNames[term], loss[term], partial);
                }

                var breakdown = new LossBreakdown(loss[0], loss[1], loss[2], loss[3], loss[4], loss[5]);
                EvaluationResult? validation = null;
                double evalSeconds = 0;
                bool isBest = false;
                if (validate && (epoch % options.EvaluateEvery == 0 || epoch == options.MaxEpochs))
                {
                    var evalClock = Stopwatch.StartNew();
                    validation = RankingEvaluator.Evaluate(_model, Dataset, DataSplit.Validation, evaluation, cancellationToken);
                    evalSeconds = evalClock.Elapsed.TotalSeconds;
                    double score = validation.Get(options.ValidationMetric, options.ValidationK);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestEpoch = epoch;
                        bestValidation = validation;
                        sinceBest = 0;
                        isBest = true;
                        ParameterSnapshot.Dispose(best);
                        best = ParameterSnapshot.Take(_network);
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
            ParameterSnapshot.Dispose(best);
            _model.InvalidateCache();
        }

        EvaluationResult? test = Dataset.Test.Count > 0 && _model.Profile?.StopAfter is null or int.MaxValue ? RankingEvaluator.Evaluate(_model, Dataset, DataSplit.Test, evaluation, CancellationToken.None) : null;
        if (test is not null)
        {
            Log.TrainingFinished(_logger, bestEpoch, metricName, test.Get(options.ValidationMetric, options.ValidationK), clock.Elapsed.TotalSeconds);
        }

        return new TrainingReport(epochs, bestEpoch, bestValidation, test, clock.Elapsed, stop, Options.Seed, _model.Name, metricName);
    }

    /// <summary>Copies <paramref name="snapshot"/> into the parameters (nothing when null) and drops the model's cached representations.</summary>
    private void Restore(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        ParameterSnapshot.CopyInto(_network, snapshot);
        _model.InvalidateCache();
    }

    /// <summary>Writes a checkpoint: the best parameters as the model's weights, plus the training state, atomically.</summary>
    private void WriteCheckpoint(string path, TrainingCheckpoint.State state, AdamOptimizer optimizer, Dictionary<string, Tensor>? best)
    {
        var current = _network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var extras = TrainingCheckpoint.Entries(TrainingCheckpoint.Extras(state, current, optimizer.State));
        byte[] weights;
        var now = best is null ? null : ParameterSnapshot.Take(_network);
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
            ParameterSnapshot.Dispose(now);
        }

        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                ModelFile.Write(stream, _model.ToSnapshot(weights), extras);
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
}
