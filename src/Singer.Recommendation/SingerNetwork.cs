using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

/// <summary>
/// The loss terms of one batch (scalars, SPEC §5), the weights that multiplied each in <see cref="Total"/> (1 for BPR,
/// 0 for a term that is off) and, when asked for, the mean cosine between the behaviour and the fused semantic
/// representations of the batch's contrastive rows (users, items).
/// </summary>
internal readonly record struct BatchLosses(
    Tensor Total,
    Tensor Bpr,
    Tensor Perturbation,
    Tensor Anchor,
    Tensor Alignment,
    Tensor Regularization,
    double[] Weights,
    Tensor? UserCosine,
    Tensor? ItemCosine)
{
    /// <summary>The unweighted terms in the order of <see cref="Weights"/>: BPR, perturbation, anchor, alignment, regularization.</summary>
    public Tensor[] Terms => [Bpr, Perturbation, Anchor, Alignment, Regularization];
}

/// <summary>
/// The SINGER network: the behaviour branch, the optional semantic branch, and the objective of SPEC §5 with the
/// options of §8 (<c>docs/algorithm.md</c>). Final representations are <c>z = b + s</c> and scores <c>ŷ_ui = z_u · z_i</c>.
/// </summary>
internal sealed class SingerNetwork : nn.Module
{
    private readonly SingerModelOptions _options;
    private readonly Generator _noise;
    private readonly Tensor?[] _interactedItems = new Tensor?[1];   // [I, 1]: 1 for items with training interactions (ColdItemPolicy.SemanticOnly)
    private int _epoch = 1;

    public SingerNetwork(InteractionDataset dataset, IReadOnlyList<SemanticModalityInput>? semanticInputs, SingerModelOptions options, Device device)
        : base(nameof(SingerNetwork))
    {
        _options = options;
        using var init = new Generator((ulong)options.Seed, CPU);
        int d = options.Training.EmbeddingSize;
        Behavior = new BehaviorEncoder(dataset.Train, d, options.Behavior.Layers, init, device);
        register_module("behavior", Behavior);
        if (semanticInputs is { Count: > 0 })
        {
            Semantic = new SemanticEncoder(semanticInputs, dataset.Train, d, options.Semantic, init, Behavior.ItemEmbedding, device);
            register_module("semantic", Semantic);
            var degrees = dataset.Train.ItemDegrees();
            if (options.Semantic.ColdItems == ColdItemPolicy.SemanticOnly && degrees.Any(n => n == 0))
            {
                // In an array: TorchSharp registers Tensor fields of a module in its state dictionary.
                _interactedItems[0] = tensor(degrees.Select(n => n > 0 ? 1f : 0f).ToArray(), new long[] { degrees.Length, 1 }, device: device).DetachFromDisposeScope();
            }
        }

        _noise = new Generator((ulong)options.Seed + 1, CPU);
    }

    public BehaviorEncoder Behavior { get; }

    public SemanticEncoder? Semantic { get; }

    /// <summary>The behaviour branch, with the behaviour part of items without training interactions removed under <see cref="ColdItemPolicy.SemanticOnly"/>.</summary>
    private EncodedRepresentations BehaviorForward(Func<Tensor, Tensor>? perturbLayer = null)
    {
        var b = Behavior.Forward(perturbLayer);
        return _interactedItems[0] is { } mask ? new EncodedRepresentations(b.Users, b.Items * mask) : b;
    }

    /// <summary>The final representations <c>z = b + s</c> of every user and item (no gradient needed by callers).</summary>
    public EncodedRepresentations Represent()
    {
        using var scope = NewDisposeScope();
        var b = BehaviorForward();
        if (Semantic is null)
        {
            return new EncodedRepresentations(b.Users.MoveToOuterDisposeScope(), b.Items.MoveToOuterDisposeScope());
        }

        var s = Semantic.Forward();
        return new EncodedRepresentations(b.Users.Plus(s.Users).MoveToOuterDisposeScope(), b.Items.Plus(s.Items).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The loss of one batch of (user, positive, negative) triples. Runs inside the caller's dispose scope.
    /// </summary>
    /// <param name="batch">The batch indices on the model's device.</param>
    /// <param name="diagnostics">Also compute the behaviour–semantic cosines of the contrastive rows.</param>
    /// <param name="behavior">
    /// This step's behaviour propagation (<see cref="PropagateBehavior"/>) when the caller already ran it to choose
    /// the negatives; null propagates here.
    /// </param>
    public BatchLosses Loss(TrainingBatch batch, bool diagnostics = false, EncodedRepresentations? behavior = null)
    {
        var t = _options.Training;
        var p = _options.Perturbation;
        var a = _options.Alignment;
        var b = behavior ?? BehaviorForward();
        var bUsers = b.Users.index_select(0, batch.Users);
        var bPos = b.Items.index_select(0, batch.Positives);
        var bNeg = b.Items.index_select(0, batch.Negatives);

        var reg = RecommendationLosses.EmbeddingL2(
            batch.Size,
            Behavior.UserEmbedding.index_select(0, batch.Users),
            Behavior.ItemEmbedding.index_select(0, batch.Positives),
            Behavior.ItemEmbedding.index_select(0, batch.Negatives));

        Tensor zUsers = bUsers, zPos = bPos, zNeg = bNeg;
        var zero = zeros(1, device: bUsers.device).squeeze();
        Tensor pert = zero, anchor = zero, align = zero;
        Tensor? userCosine = null, itemCosine = null;
        double ramp = a.WarmupEpochs > 0 ? Math.Min(1.0, _epoch / (double)a.WarmupEpochs) : 1.0;
        double lambdaP = 0, lambdaA = 0, lambdaS = 0;
        if (Semantic is not null)
        {
            // Semantics of the batch's unique users and items; the triples index into them.
            var s = Semantic.Forward(batch.UniqueUsers, batch.UniqueItems);
            zUsers = bUsers.Plus(s.Users.index_select(0, batch.UserPositions));
            zPos = bPos.Plus(s.Items.index_select(0, batch.PositivePositions));
            zNeg = bNeg.Plus(s.Items.index_select(0, batch.NegativePositions));

            // The contrastive rows (SPEC §8.3): positions among the unique users / items, capped at random.
            var userRows = CappedRows(Range(batch.UniqueUsers.shape[0], bUsers.device), a.ContrastiveRows);
            var itemRows = CappedRows(
                a.Rows == ContrastiveRowSelection.UsersAndPositives ? batch.PositiveSlots : Range(batch.UniqueItems.shape[0], bUsers.device),
                a.ContrastiveRows);
            var userIds = batch.UniqueUsers.index_select(0, userRows);
            var itemIds = batch.UniqueItems.index_select(0, itemRows);
            var su = s.Users.index_select(0, userRows);
            var si = s.Items.index_select(0, itemRows);
            var bu = b.Users.index_select(0, userIds);
            var bi = b.Items.index_select(0, itemIds);
            float tau = a.Temperature;

            if (p.Weight > 0)
            {
                lambdaP = p.Weight * ramp;
                if (p.Placement.HasFlag(PerturbationPlacement.Semantic))
                {
                    pert = pert.Plus(TwoViews(su, p, tau)).Plus(TwoViews(si, p, tau));
                }

                if (p.Placement.HasFlag(PerturbationPlacement.Behavior) && Behavior.Layers > 0)
                {
                    // SimGCL: two propagations with noise at every layer; the views of the same rows are contrasted.
                    Tensor Noisy(Tensor layer) => ModulusPerturbation.Perturb(layer, p.Epsilon, p.Mode, p.Scale, _noise);
                    var v1 = BehaviorForward(Noisy);
                    var v2 = BehaviorForward(Noisy);
                    pert = pert
                        .Plus(RecommendationLosses.InfoNce(v1.Users.index_select(0, userIds), v2.Users.index_select(0, userIds), tau))
                        .Plus(RecommendationLosses.InfoNce(v1.Items.index_select(0, itemIds), v2.Items.index_select(0, itemIds), tau));
                }
            }

            if (a.AnchorWeight > 0)
            {
                lambdaA = a.AnchorWeight * ramp;
                for (int m = 0; m < s.ModalityUsers.Count; m++)
                {
                    anchor = anchor
                        .Plus(RecommendationLosses.AnchorInfoNce(bu, s.ModalityUsers[m].index_select(0, userRows), tau, a.StopAnchorGradient))
                        .Plus(RecommendationLosses.AnchorInfoNce(bi, s.ModalityItems[m].index_select(0, itemRows), tau, a.StopAnchorGradient));
                }
            }

            if (a.StandardWeight > 0)
            {
                lambdaS = a.StandardWeight * ramp;
                align = StandardAlignment(bu, su, a).Plus(StandardAlignment(bi, si, a));
            }

            if (diagnostics)
            {
                using (no_grad())
                {
                    userCosine = RecommendationLosses.MeanCosine(bu, su);
                    itemCosine = RecommendationLosses.MeanCosine(bi, si);
                }
            }
        }

        var bpr = RecommendationLosses.Bpr((zUsers * zPos).sum(1), (zUsers * zNeg).sum(1));
        var total = bpr.Plus(reg.Times(t.L2Weight));
        if (Semantic is not null)
        {
            total = total.Plus(pert.Times(lambdaP)).Plus(anchor.Times(lambdaA)).Plus(align.Times(lambdaS));
        }

        return new BatchLosses(total, bpr, pert, anchor, align, reg, [1.0, lambdaP, lambdaA, lambdaS, t.L2Weight], userCosine, itemCosine);
    }

    /// <summary>
    /// The behaviour propagation of a training step (with gradient), for a caller that needs it before
    /// <see cref="Loss"/>: <see cref="ChooseHardNegatives"/> scores the candidates with it and <see cref="Loss"/> reuses it,
    /// so a step propagates the user–item graph once.
    /// </summary>
    public EncodedRepresentations PropagateBehavior() => BehaviorForward();

    /// <summary>
    /// For the pairs <c>[start, start + count)</c>, moves the candidate with the highest current score
    /// <c>z_u · z_j</c> (no gradient) to the front of each pair's <paramref name="candidates"/> slots, then compacts
    /// the chosen negatives into <c>negatives[start … start + count)</c>, where the batch reads them. The scores use
    /// this step's behaviour propagation <paramref name="behavior"/> (<see cref="PropagateBehavior"/>; only its values
    /// are read) plus the semantic view.
    /// </summary>
    public void ChooseHardNegatives(EncodedRepresentations behavior, int[] users, int[] negatives, int start, int count, int candidates, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = behavior;
        if (Semantic is not null)
        {
            var s = Semantic.Forward();
            z = new EncodedRepresentations(behavior.Users.Plus(s.Users), behavior.Items.Plus(s.Items));
        }

        var u = new long[count];
        var c = new long[count * candidates];
        for (int k = 0; k < count; k++)
        {
            u[k] = users[start + k];
            for (int m = 0; m < candidates; m++)
            {
                c[(k * candidates) + m] = negatives[((start + k) * candidates) + m];
            }
        }

        var zu = z.Users.index_select(0, tensor(u, device: device)).unsqueeze(1);
        var zc = z.Items.index_select(0, tensor(c, device: device)).reshape(count, candidates, -1);
        var best = (zu * zc).sum(2).argmax(1).cpu().data<long>().ToArray();
        for (int k = 0; k < count; k++)
        {
            // The batch reads negatives[start + k]; the candidates of later pairs sit beyond start + count·m ≥ start + count.
            negatives[start + k] = (int)c[(k * candidates) + best[k]];
        }
    }

    /// <summary>InfoNCE between two perturbed views of <paramref name="rows"/> (SPEC §3).</summary>
    private Tensor TwoViews(Tensor rows, PerturbationOptions p, float tau)
    {
        var v1 = ModulusPerturbation.Perturb(rows, p.Epsilon, p.Mode, p.Scale, _noise);
        var v2 = ModulusPerturbation.Perturb(rows, p.Epsilon, p.Mode, p.Scale, _noise);
        return RecommendationLosses.InfoNce(v1, v2, tau);
    }

    /// <summary>The standard InfoNCE between behaviour and fused semantics, in the configured directions and with the configured stop-gradient.</summary>
    private static Tensor StandardAlignment(Tensor behavior, Tensor semantic, AlignmentOptions a)
    {
        var bb = a.StandardStopGradient == AlignmentStopGradient.Behavior ? behavior.detach() : behavior;
        var ss = a.StandardStopGradient == AlignmentStopGradient.Semantic ? semantic.detach() : semantic;
        return a.Direction switch
        {
            AlignmentDirection.BehaviorToSemantic => RecommendationLosses.InfoNce(bb, ss, a.Temperature),
            AlignmentDirection.SemanticToBehavior => RecommendationLosses.InfoNce(ss, bb, a.Temperature),
            _ => RecommendationLosses.SymmetricInfoNce(bb, ss, a.Temperature),
        };
    }

    /// <summary>0, 1, …, n − 1 as int64, made on the host (TorchSharp's arange makes implicit Scalars; see ScalarSafe).</summary>
    private static Tensor Range(long n, Device device)
    {
        var values = new long[n];
        for (long k = 0; k < n; k++)
        {
            values[k] = k;
        }

        return tensor(values, device: device);
    }

    /// <summary>All of <paramref name="rows"/>, or a random <paramref name="cap"/> of them drawn from the noise stream.</summary>
    private Tensor CappedRows(Tensor rows, int? cap) => CappedRows(rows, cap, _noise);

    /// <summary>All of <paramref name="rows"/>, or a random <paramref name="cap"/> of them (without repetition) drawn from <paramref name="generator"/>.</summary>
    internal static Tensor CappedRows(Tensor rows, int? cap, Generator generator)
    {
        long n = rows.shape[0];
        if (cap is not { } c || n <= c)
        {
            return rows;
        }

        var pick = randperm(n, generator: generator, dtype: int64)[..c];
        if (pick.device.type != rows.device.type)
        {
            pick = pick.to(rows.device);
        }

        return rows.index_select(0, pick);
    }

    /// <summary>
    /// Reseeds the perturbation noise (at the start of every epoch, from the seed and the epoch number) and sets the
    /// epoch that the contrastive warm-up reads.
    /// </summary>
    public void StartEpoch(int seed, int epoch)
    {
        _noise.manual_seed(unchecked((long)(uint)seed + 0x3C6EF372FE94F82BL));
        _epoch = epoch;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _noise.Dispose();
            _interactedItems[0]?.Dispose();
        }

        base.Dispose(disposing);
    }
}
