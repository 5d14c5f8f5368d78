using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

// The training room of SingerModel: the loop of Fit (SPEC §5) with early stopping, divergence checks and
// checkpoints, one epoch, the per-term diagnostics, and the parameter snapshot/restore that keeps the best epoch.
public sealed partial class SingerModel
{
    private static readonly string[] TermNames = ["total", "BPR", "perturbation", "anchor", "alignment", "regularization"];

    /// <summary>When set, the training epochs add the time of each part of their steps to it (the <c>growth</c> benchmark's profile).</summary>
    internal StepProfile? Profile { get; set; }

    private TrainingReport FitCore(CheckpointOptions? checkpoints, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var options = Options.Training;
        using var retention = options.RetainNativeMemory ? NativeMemoryRetention.Enter() : null;
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
        Log.TrainingStarted(_logger, Name, Dataset.Name, sampler.PairCount, options.EffectiveBatchSize(sampler.PairCount), options.MaxEpochs, ComputeDevice.ToString(), Options.Seed);

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

        EvaluationResult? test = Dataset.Test.Count > 0 && Profile?.StopAfter is null or int.MaxValue ? RankingEvaluator.Evaluate(this, Dataset, DataSplit.Test, evaluation, CancellationToken.None) : null;
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

    private (double[] Loss, EpochDiagnostics? Diagnostics, bool Cancelled) TrainEpoch(TripleSampler sampler, int epoch, AdamOptimizer optimizer, Device device, CancellationToken cancellationToken)
    {
        // Each epoch's randomness (order, negatives, perturbation noise) depends only on the seed and the epoch
        // number, so a run resumed from a checkpoint repeats the uninterrupted run exactly.
        int epochSeed = unchecked((Options.Seed * 1_000_003) + epoch);
        _network.StartEpoch(epochSeed, epoch);
        EpochDiagnostics? diagnostics = null;
        int candidates = Options.Training.NegativeCandidates;
        var profile = Profile;
        var lap = profile is null ? null : Stopwatch.StartNew();
        var (users, pos, neg) = sampler.Epoch(new Random(epochSeed), candidates);
        int batchSize = Options.Training.EffectiveBatchSize(users.Length);
        if (profile is not null)
        {
            profile.Epochs++;
            profile.Lap(lap!, 0);
        }

        int batches = 0;
        using var sums = zeros(6, dtype: float64, device: device);
        _network.train();
        for (int start = 0; start < users.Length; start += batchSize)
        {
            // The previous step's scope has been disposed: its tensors' release counts as bookkeeping.
            profile?.Lap(lap!, 7);
            if (cancellationToken.IsCancellationRequested || profile?.Steps >= profile?.StopAfter)
            {
                return ([], null, true);
            }

            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, users.Length - start);
            EncodedRepresentations? behavior = null;
            if (candidates > 1)
            {
                // Dynamic negative sampling: of each pair's candidates, the one the current model ranks highest,
                // scored with the step's own behaviour propagation (the loss reuses it).
                var propagated = _network.PropagateBehavior();
                profile?.Lap(lap!, 1);
                _network.ChooseHardNegatives(propagated, users, neg, start, count, candidates, device);
                profile?.Lap(lap!, 2);
                behavior = propagated;
            }

            var batch = sampler.Batch(users, pos, neg, start, count, device);
            profile?.Lap(lap!, 3);
            bool last = start + batchSize >= users.Length;
            var loss = _network.Loss(batch, diagnostics: last && Options.Training.Diagnostics, behavior);
            optimizer.ZeroGrad();
            if (last && Options.Training.Diagnostics)
            {
                diagnostics = Diagnose(loss);
            }

            profile?.Lap(lap!, 4);
            loss.Total.backward();
            profile?.Lap(lap!, 5);
            optimizer.Step();
            profile?.Lap(lap!, 6);
            using (no_grad())
            {
                sums.PlusInPlace(stack(new[] { loss.Total, loss.Bpr, loss.Perturbation, loss.Anchor, loss.Alignment, loss.Regularization }).to(float64));
            }

            batches++;
            if (profile is not null && ++profile.StepsRun > profile.Warmup)
            {
                profile.Steps++;
            }

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
}
