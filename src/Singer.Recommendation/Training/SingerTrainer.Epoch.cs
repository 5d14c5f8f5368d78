using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

// One training epoch (SPEC §5: shuffled triples, dynamic negatives, the batch objective, an Adam step per batch) and
// the per-term gradient diagnostics of its last batch.
internal sealed partial class SingerTrainer
{
    private (double[] Loss, EpochDiagnostics? Diagnostics, bool Cancelled) TrainEpoch(TripleSampler sampler, int epoch, AdamOptimizer optimizer, Device device, CancellationToken cancellationToken)
    {
        // Each epoch's randomness (order, negatives, perturbation noise) depends only on the seed and the epoch
        // number, so a run resumed from a checkpoint repeats the uninterrupted run exactly.
        int epochSeed = unchecked((Options.Seed * 1_000_003) + epoch);
        _network.StartEpoch(epochSeed, epoch);
        EpochDiagnostics? diagnostics = null;
        int candidates = Options.Training.NegativeCandidates;
        var profile = _model.Profile;
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
