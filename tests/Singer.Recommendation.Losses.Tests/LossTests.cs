using Singer.Recommendation.Losses;
using static TorchSharp.torch;

namespace Singer.Recommendation.Losses.Tests;

public sealed class LossTests
{
    [Fact]
    public void Bpr_equals_the_hand_computed_value()
    {
        using var pos = tensor(new[] { 2.0, 0.5 });
        using var neg = tensor(new[] { 1.0, 1.5 });
        using var loss = RecommendationLosses.Bpr(pos, neg);
        // −mean log σ(pos − neg) = mean [log(1 + e^{−1}), log(1 + e^{1})]
        double expected = (Math.Log(1 + Math.Exp(-1)) + Math.Log(1 + Math.Exp(1))) / 2;
        loss.item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Bpr_does_not_overflow_for_huge_margins()
    {
        using var pos = tensor(new[] { -1e30f, 1e30f });
        using var neg = tensor(new[] { 1e30f, -1e30f });
        using var loss = RecommendationLosses.Bpr(pos, neg);
        float.IsFinite(loss.item<float>()).Should().BeTrue();
        loss.item<float>().Should().BeApproximately(1e30f, 1e25f); // mean of 2e30 and 0
    }

    [Fact]
    public void InfoNce_equals_the_hand_computed_value()
    {
        // a = [(1,0), (0,1)], b = [(1,0), (1,1)/√2·2]: cosines: a0·b0 = 1, a0·b1 = 1/√2, a1·b0 = 0, a1·b1 = 1/√2.
        using var a = tensor(new[] { 1.0, 0.0, 0.0, 3.0 }, new long[] { 2, 2 });
        using var b = tensor(new[] { 2.0, 0.0, 2.0, 2.0 }, new long[] { 2, 2 });
        const double tau = 0.5;
        using var loss = RecommendationLosses.InfoNce(a, b, (float)tau);
        double s = 1 / Math.Sqrt(2);
        double row0 = -Math.Log(Math.Exp(1 / tau) / (Math.Exp(1 / tau) + Math.Exp(s / tau)));
        double row1 = -Math.Log(Math.Exp(s / tau) / (Math.Exp(0 / tau) + Math.Exp(s / tau)));
        loss.item<double>().Should().BeApproximately((row0 + row1) / 2, 1e-6);
    }

    [Fact]
    public void AnchorInfoNce_gives_no_gradient_to_the_anchors_by_default()
    {
        using var anchors = randn(new long[] { 4, 3 }, dtype: float64, generator: new Generator(1)).requires_grad_(true);
        using var others = randn(new long[] { 4, 3 }, dtype: float64, generator: new Generator(2)).requires_grad_(true);
        using var loss = RecommendationLosses.AnchorInfoNce(anchors, others, 0.2f);
        loss.backward();
        anchors.grad.Should().BeNull();
        others.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);

        using var anchors2 = anchors.detach().clone().requires_grad_(true);
        using var loss2 = RecommendationLosses.AnchorInfoNce(anchors2, others.detach(), 0.2f, stopAnchorGradient: false);
        loss2.backward();
        anchors2.grad!.abs().sum().item<double>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void EmbeddingL2_is_the_sum_of_squares_over_the_batch_size()
    {
        using var u = tensor(new[] { 1.0, 2.0 }, new long[] { 1, 2 });
        using var p = tensor(new[] { 3.0, 0.0 }, new long[] { 1, 2 });
        using var n = tensor(new[] { 0.0, -1.0 }, new long[] { 1, 2 });
        using var loss = RecommendationLosses.EmbeddingL2(2, u, p, n);
        loss.item<double>().Should().BeApproximately((1 + 4 + 9 + 1) / 2.0, 1e-12);
    }

    public static TheoryData<string> LossNames => new() { "bpr", "infonce", "anchor", "l2" };

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Gradients_match_central_finite_differences(string name)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var x = randn(new long[] { 5, 4 }, dtype: float64, generator: gen).requires_grad_(true);
        var y = randn(new long[] { 5, 4 }, dtype: float64, generator: gen);
        Func<Tensor, Tensor> f = name switch
        {
            "bpr" => t => RecommendationLosses.Bpr(t.sum(1), (t * y).sum(1)),
            "infonce" => t => RecommendationLosses.InfoNce(t, y, 0.3f),
            "anchor" => t => RecommendationLosses.AnchorInfoNce(y, t, 0.3f),
            "l2" => t => RecommendationLosses.EmbeddingL2(3, t, y),
            _ => throw new ArgumentException(name),
        };
        f(x).backward();
        var analytic = x.grad!.clone();
        const double h = 1e-6;
        using (no_grad())
        {
            var flat = x.view(-1);
            for (int k = 0; k < flat.shape[0]; k++)
            {
                double original = flat[k].item<double>();
                flat[k] = original + h;
                double up = f(x).item<double>();
                flat[k] = original - h;
                double down = f(x).item<double>();
                flat[k] = original;
                double numeric = (up - down) / (2 * h);
                analytic.view(-1)[k].item<double>().Should().BeApproximately(numeric, 1e-6, $"element {k} of {name}");
            }
        }
    }

    [Theory]
    [InlineData(1e-30)]
    [InlineData(1e+30)]
    [InlineData(0.0)]
    public void InfoNce_stays_finite_for_any_scale(double scale)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(3);
        var a = (randn(new long[] { 6, 8 }, generator: gen) * scale).requires_grad_(true);
        var b = randn(new long[] { 6, 8 }, generator: gen) * scale;
        var loss = RecommendationLosses.InfoNce(a, b, 0.2f);
        float.IsFinite(loss.item<float>()).Should().BeTrue();
        loss.backward();
        a.grad!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void InfoNce_rejects_bad_arguments()
    {
        using var a = zeros(2, 3);
        using var b = zeros(3, 3);
        FluentActions.Invoking(() => RecommendationLosses.InfoNce(a, b)).Should().Throw<ArgumentException>().WithMessage("*same shape*");
        FluentActions.Invoking(() => RecommendationLosses.InfoNce(a, a, 0f)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*temperature*");
    }
}

public sealed class SymmetricInfoNceTests
{
    [Fact]
    public void Symmetric_InfoNce_equals_the_sum_of_both_directions()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(4);
        var a = randn(new long[] { 7, 5 }, dtype: float64, generator: gen);
        var b = randn(new long[] { 7, 5 }, dtype: float64, generator: gen);
        double expected = RecommendationLosses.InfoNce(a, b, 0.3f).item<double>() + RecommendationLosses.InfoNce(b, a, 0.3f).item<double>();
        RecommendationLosses.SymmetricInfoNce(a, b, 0.3f).item<double>().Should().BeApproximately(expected, 1e-9);
    }
}
