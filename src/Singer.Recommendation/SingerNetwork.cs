using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

/// <summary>The loss terms of one batch (scalars), SPEC §5.</summary>
internal readonly record struct BatchLosses(Tensor Total, Tensor Bpr, Tensor Perturbation, Tensor Anchor, Tensor Alignment, Tensor Regularization);

/// <summary>
/// The SINGER network: the behaviour branch, the optional semantic branch, and the objective of SPEC §5
/// (<c>docs/algorithm.md</c> §2–5). Final representations are <c>z = b + s</c> and scores <c>ŷ_ui = z_u · z_i</c>.
/// </summary>
internal sealed class SingerNetwork : nn.Module
{
    private readonly SingerModelOptions _options;
    private readonly Generator _noise;

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
            Semantic = new SemanticEncoder(semanticInputs, dataset.Train, d, options.Semantic.Layers, options.Semantic.LearnableFusion, init, device);
            register_module("semantic", Semantic);
        }

        _noise = new Generator((ulong)options.Seed + 1, CPU);
    }

    public BehaviorEncoder Behavior { get; }

    public SemanticEncoder? Semantic { get; }

    /// <summary>The final representations <c>z = b + s</c> of every user and item (no gradient needed by callers).</summary>
    public EncodedRepresentations Represent()
    {
        using var scope = NewDisposeScope();
        var b = Behavior.Forward();
        if (Semantic is null)
        {
            return new EncodedRepresentations(b.Users.MoveToOuterDisposeScope(), b.Items.MoveToOuterDisposeScope());
        }

        var s = Semantic.Forward();
        return new EncodedRepresentations(b.Users.Plus(s.Users).MoveToOuterDisposeScope(), b.Items.Plus(s.Items).MoveToOuterDisposeScope());
    }

    /// <summary>The loss of one batch of (user, positive, negative) triples. Runs inside the caller's dispose scope.</summary>
    /// <param name="batch">The batch indices on the model's device.</param>
    public BatchLosses Loss(TrainingBatch batch)
    {
        var t = _options.Training;
        var b = Behavior.Forward();
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
        if (Semantic is not null)
        {
            // Semantics of the batch's unique users and items; the triples index into them.
            var s = Semantic.Forward(batch.UniqueUsers, batch.UniqueItems);
            zUsers = bUsers.Plus(s.Users.index_select(0, batch.UserPositions));
            zPos = bPos.Plus(s.Items.index_select(0, batch.PositivePositions));
            zNeg = bNeg.Plus(s.Items.index_select(0, batch.NegativePositions));

            // The contrastive terms see the batch's unique rows, or a random prefix of them when capped.
            var a = _options.Alignment;
            var su = Cap(s.Users, a.ContrastiveRows);
            var si = Cap(s.Items, a.ContrastiveRows);
            var bu = Cap(b.Users.index_select(0, batch.UniqueUsers), a.ContrastiveRows);
            var bi = Cap(b.Items.index_select(0, batch.UniqueItems), a.ContrastiveRows);
            float tau = a.Temperature;

            var p = _options.Perturbation;
            if (p.Weight > 0)
            {
                var u1 = ModulusPerturbation.Perturb(su, p.Epsilon, p.Mode, _noise);
                var u2 = ModulusPerturbation.Perturb(su, p.Epsilon, p.Mode, _noise);
                var i1 = ModulusPerturbation.Perturb(si, p.Epsilon, p.Mode, _noise);
                var i2 = ModulusPerturbation.Perturb(si, p.Epsilon, p.Mode, _noise);
                pert = RecommendationLosses.InfoNce(u1, u2, tau).Plus(RecommendationLosses.InfoNce(i1, i2, tau));
            }

            if (a.AnchorWeight > 0)
            {
                for (int m = 0; m < s.ModalityUsers.Count; m++)
                {
                    anchor = anchor
                        .Plus(RecommendationLosses.AnchorInfoNce(bu, Cap(s.ModalityUsers[m], a.ContrastiveRows), tau, a.StopAnchorGradient))
                        .Plus(RecommendationLosses.AnchorInfoNce(bi, Cap(s.ModalityItems[m], a.ContrastiveRows), tau, a.StopAnchorGradient));
                }
            }

            if (a.StandardWeight > 0)
            {
                align = RecommendationLosses.SymmetricInfoNce(bu, su, tau).Plus(RecommendationLosses.SymmetricInfoNce(bi, si, tau));
            }
        }

        var bpr = RecommendationLosses.Bpr((zUsers * zPos).sum(1), (zUsers * zNeg).sum(1));
        var total = bpr.Plus(reg.Times(t.L2Weight));
        if (Semantic is not null)
        {
            total = total.Plus(pert.Times(_options.Perturbation.Weight)).Plus(anchor.Times(_options.Alignment.AnchorWeight)).Plus(align.Times(_options.Alignment.StandardWeight));
        }

        return new BatchLosses(total, bpr, pert, anchor, align, reg);
    }

    private static Tensor Cap(Tensor rows, int? cap) => cap is { } n && rows.shape[0] > n ? rows[..n] : rows;

    /// <summary>Reseeds the perturbation noise (at the start of every epoch, from the seed and the epoch number).</summary>
    public void SeedNoise(int seed) => _noise.manual_seed(unchecked((long)(uint)seed + 0x3C6EF372FE94F82BL));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _noise.Dispose();
        }

        base.Dispose(disposing);
    }
}
