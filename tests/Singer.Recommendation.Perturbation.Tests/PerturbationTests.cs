using Singer.Recommendation.Perturbation;
using static TorchSharp.torch;

namespace Singer.Recommendation.Perturbation.Tests;

public sealed class PerturbationTests
{
    private static Tensor Sample()
    {
        // Rows of different moduli, one zero row, mixed signs.
        return tensor(new float[]
        {
            1, -2, 0.5f, 3,
            0, 0, 0, 0,
            -0.1f, 0.2f, 0.3f, -0.1f,
            4, 4, -4, 4,
        }, new long[] { 4, 4 });
    }

    [Theory]
    [InlineData(PerturbationMode.Proportional)]
    [InlineData(PerturbationMode.Inverse)]
    [InlineData(PerturbationMode.Uniform)]
    public void Noise_norm_is_epsilon_times_rho_and_zero_rows_are_unchanged(PerturbationMode mode)
    {
        using var scope = NewDisposeScope();
        var e = Sample();
        const float epsilon = 0.25f;
        var perturbed = ModulusPerturbation.Perturb(e, epsilon, mode, new Generator(11));
        var moved = (perturbed - e).norm(1).data<float>().ToArray();
        var norms = e.norm(1).data<float>().ToArray();
        double mean = norms.Average();
        for (int r = 0; r < norms.Length; r++)
        {
            double rho = norms[r] == 0 ? 0 : mode switch
            {
                PerturbationMode.Proportional => norms[r] / mean,
                PerturbationMode.Inverse => mean / norms[r],
                _ => 1,
            };
            // A zero row has sign 0 everywhere: it never moves, whatever ρ.
            moved[r].Should().BeApproximately((float)(epsilon * rho), 1e-5f, $"row {r} in mode {mode}");
        }

        perturbed[1].abs().sum().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Noise_stays_in_the_orthant_of_each_embedding()
    {
        using var scope = NewDisposeScope();
        var e = Sample();
        var noise = ModulusPerturbation.Perturb(e, 0.5f, PerturbationMode.Uniform, new Generator(5)) - e;
        // sign(noise) equals sign(e) wherever e ≠ 0.
        (noise.sign() * e.sign()).ge(0).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Same_generator_seed_gives_the_same_views_and_fresh_draws_differ()
    {
        using var scope = NewDisposeScope();
        var e = Sample();
        var g1 = new Generator(9);
        var g2 = new Generator(9);
        var a = ModulusPerturbation.Perturb(e, 0.1f, PerturbationMode.Proportional, g1);
        var b = ModulusPerturbation.Perturb(e, 0.1f, PerturbationMode.Proportional, g2);
        Same(a, b).Should().BeTrue();
        var c = ModulusPerturbation.Perturb(e, 0.1f, PerturbationMode.Proportional, g1);
        Same(a, c).Should().BeFalse();
    }

    [Fact]
    public void Mean_intensity_is_epsilon_in_proportional_mode()
    {
        using var scope = NewDisposeScope();
        var e = randn(new long[] { 64, 16 }, generator: new Generator(1));
        var rho = ModulusPerturbation.Intensity(e, PerturbationMode.Proportional);
        rho.mean().item<float>().Should().BeApproximately(1f, 1e-5f);
    }

    [Theory]
    [InlineData(1e-30)]
    [InlineData(1e+30)]
    public void Perturbation_stays_finite_for_extreme_magnitudes(double scale)
    {
        using var scope = NewDisposeScope();
        foreach (var mode in Enum.GetValues<PerturbationMode>())
        {
            var e = randn(new long[] { 8, 4 }, generator: new Generator(2)) * scale;
            var p = ModulusPerturbation.Perturb(e, 0.1f, mode, new Generator(3));
            p.isfinite().all().item<bool>().Should().BeTrue($"mode {mode} at scale {scale}");
            ModulusPerturbation.Intensity(e, mode).isfinite().all().item<bool>().Should().BeTrue();
        }
    }

    [Fact]
    public void All_zero_batch_gets_no_noise()
    {
        using var scope = NewDisposeScope();
        var e = zeros(3, 4);
        foreach (var mode in Enum.GetValues<PerturbationMode>())
        {
            Same(ModulusPerturbation.Perturb(e, 0.3f, mode, new Generator(1)), e).Should().BeTrue();
        }
    }

    [Fact]
    public void Gradient_flows_to_the_embeddings_unchanged()
    {
        using var scope = NewDisposeScope();
        var e = Sample().requires_grad_(true);
        ModulusPerturbation.Perturb(e, 0.1f, PerturbationMode.Proportional, new Generator(1)).sum().backward();
        Same(e.grad!, ones_like(e)).Should().BeTrue();
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a - b).abs().max().item<float>() == 0f;

    [Fact]
    public void Rejects_bad_arguments()
    {
        using var e = zeros(2, 2);
        FluentActions.Invoking(() => ModulusPerturbation.Perturb(e, -1f)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ε*");
        FluentActions.Invoking(() => ModulusPerturbation.Perturb(e, float.NaN)).Should().Throw<ArgumentOutOfRangeException>();
        using var v = zeros(3);
        FluentActions.Invoking(() => ModulusPerturbation.Perturb(v)).Should().Throw<ArgumentException>().WithMessage("*[n, d]*");
    }

    [Theory]
    [InlineData(PerturbationMode.Proportional)]
    [InlineData(PerturbationMode.Inverse)]
    [InlineData(PerturbationMode.Uniform)]
    public void Relative_scale_multiplies_the_noise_by_the_mean_modulus(PerturbationMode mode)
    {
        using var scope = NewDisposeScope();
        var e = Sample();
        const float epsilon = 0.25f;
        var absolute = ModulusPerturbation.Perturb(e, epsilon, mode, PerturbationScale.Absolute, new Generator(3));
        var relative = ModulusPerturbation.Perturb(e, epsilon, mode, PerturbationScale.Relative, new Generator(3));
        double mean = e.norm(1).data<float>().ToArray().Average();
        var movedAbsolute = (absolute - e).norm(1).data<float>().ToArray();
        var movedRelative = (relative - e).norm(1).data<float>().ToArray();
        for (int r = 0; r < movedAbsolute.Length; r++)
        {
            movedRelative[r].Should().BeApproximately((float)(movedAbsolute[r] * mean), 1e-4f);
        }

        if (mode == PerturbationMode.Proportional)
        {
            // ε‖e‖ for each row: the angle to the clean row does not depend on the embeddings' scale.
            var norms = e.norm(1).data<float>().ToArray();
            for (int r = 0; r < norms.Length; r++)
            {
                movedRelative[r].Should().BeApproximately(epsilon * norms[r], 1e-4f);
            }

            var scaled = ModulusPerturbation.Perturb(e * 100, epsilon, mode, PerturbationScale.Relative, new Generator(3));
            ((scaled / 100) - relative).abs().max().item<float>().Should().BeLessThan(1e-4f);
        }
    }
}
