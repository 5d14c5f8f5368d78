using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Perturbation;

/// <summary>How strongly each embedding is perturbed relative to the batch (SPEC §3, <c>docs/algorithm.md</c> §3).</summary>
public enum PerturbationMode
{
    /// <summary><c>ρ(e) = ‖e‖ / mean_batch ‖e‖</c>: confident, large-modulus embeddings get more noise (the default).</summary>
    Proportional = 0,

    /// <summary><c>ρ(e) = mean_batch ‖e‖ / ‖e‖</c>: uncertain, small-modulus embeddings get more noise.</summary>
    Inverse = 1,

    /// <summary><c>ρ(e) = 1</c>: the same intensity for everyone (SimGCL).</summary>
    Uniform = 2,
}

/// <summary>What ε is measured against (SPEC §8.2).</summary>
public enum PerturbationScale
{
    /// <summary>
    /// ε is an absolute length: the noise of a row is <c>ε·ρ(e)</c> (SPEC §3), so the mean intensity over the batch is
    /// <c>ε</c> whatever the embeddings' scale. At d = 64 with Xavier-initialised embeddings (row norms ≈ 0.1–0.3)
    /// ε = 0.1 is as large as the embeddings themselves.
    /// </summary>
    Absolute,

    /// <summary>
    /// ε is relative to the batch's mean modulus: the noise of a row is <c>ε·ρ(e)·mean_batch‖e‖</c> — for
    /// <see cref="PerturbationMode.Proportional"/> exactly <c>ε‖e‖</c> — so the perturbed view's angle to the clean one,
    /// which is what the cosine of InfoNCE sees, does not depend on the embeddings' scale.
    /// </summary>
    Relative,
}

/// <summary>
/// Modulus-based personalised embedding perturbation:
/// <c>e' = e + ε · ρ(e) · sign(e) ⊙ Δ / ‖Δ‖₂</c>, <c>Δ ~ U(0,1)^d</c> drawn fresh for every call from the given
/// generator, so the noise moves each embedding by exactly <c>ε·ρ(e)</c> within its own orthant.
/// </summary>
/// <remarks>
/// A zero-modulus embedding gets no noise (never NaN): for <see cref="PerturbationMode.Proportional"/> its ρ is 0,
/// and for <see cref="PerturbationMode.Inverse"/> and <see cref="PerturbationMode.Uniform"/> its sign is 0.
/// In <see cref="PerturbationMode.Inverse"/> mode ρ grows without bound as a row's modulus approaches 0 (as the
/// formula says); the noise is still finite for any non-zero row. ρ is computed on detached values: the noise
/// carries no gradient, the perturbed view passes gradient to the embeddings unchanged.
/// </remarks>
public static class ModulusPerturbation
{
    /// <summary>The personalised intensity ρ of each row of <paramref name="embeddings"/> (<c>[n]</c>).</summary>
    public static Tensor Intensity(Tensor embeddings, PerturbationMode mode = PerturbationMode.Proportional)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        using var scope = NewDisposeScope();
        var norms = RowNorms(embeddings);
        var mean = norms.mean();
        var meanPositive = mean.GreaterThan(0);
        var normsPositive = norms.GreaterThan(0);
        Tensor rho = mode switch
        {
            PerturbationMode.Proportional => norms / where(meanPositive, mean, ones_like(mean)),
            PerturbationMode.Inverse => where(normsPositive, mean / where(normsPositive, norms, ones_like(norms)), zeros_like(norms)),
            PerturbationMode.Uniform => ones_like(norms),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown perturbation mode."),
        };
        // All-zero batch: mean 0 → ρ = 0 for everyone (no noise, no NaN).
        rho = where(meanPositive, rho, zeros_like(rho));
        return rho.nan_to_num(0, 0, 0).MoveToOuterDisposeScope();
    }

    /// <summary>One perturbed view of <paramref name="embeddings"/> (<c>[n, d]</c>).</summary>
    /// <param name="embeddings">The embeddings; gradient flows through to them.</param>
    /// <param name="epsilon">The mean intensity ε ≥ 0; default 0.1.</param>
    /// <param name="mode">How ρ is computed; default <see cref="PerturbationMode.Proportional"/>.</param>
    /// <param name="generator">The random generator of Δ (seeded by the caller for reproducibility); null uses TorchSharp's global generator.</param>
    public static Tensor Perturb(Tensor embeddings, float epsilon = Defaults.Epsilon, PerturbationMode mode = PerturbationMode.Proportional, Generator? generator = null) =>
        Perturb(embeddings, epsilon, mode, PerturbationScale.Absolute, generator);

    /// <summary>One perturbed view of <paramref name="embeddings"/> (<c>[n, d]</c>), with ε measured as <paramref name="scale"/> says.</summary>
    /// <param name="embeddings">The embeddings; gradient flows through to them.</param>
    /// <param name="epsilon">The mean intensity ε ≥ 0.</param>
    /// <param name="mode">How ρ is computed.</param>
    /// <param name="scale">Whether ε is an absolute length or relative to the batch's mean modulus.</param>
    /// <param name="generator">The random generator of Δ; null uses TorchSharp's global generator.</param>
    public static Tensor Perturb(Tensor embeddings, float epsilon, PerturbationMode mode, PerturbationScale scale, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (!(epsilon >= 0) || !float.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a finite number ≥ 0.");
        }

        if (embeddings.shape.Length != 2)
        {
            throw new ArgumentException($"Embeddings must be [n, d]; got [{string.Join(", ", embeddings.shape)}].", nameof(embeddings));
        }

        using var scope = NewDisposeScope();
        // Δ is drawn on the CPU generator for reproducibility across devices, then moved.
        var delta = rand(embeddings.shape, dtype: embeddings.dtype, generator: generator);
        if (delta.device.type != embeddings.device.type)
        {
            delta = delta.to(embeddings.device);
        }

        using var tiny = 1e-12.ToScalar();
        var direction = delta / RowNorms(delta).clamp_min(tiny).unsqueeze(1);
        // The noise is a perturbation, not a path for gradient: ρ is computed on detached values.
        using var detached = embeddings.detach();
        var rho = Intensity(detached, mode);
        if (scale == PerturbationScale.Relative)
        {
            rho = rho * RowNorms(detached).mean();
        }

        var noise = rho.Times(epsilon).unsqueeze(1) * embeddings.sign() * direction;
        return embeddings.Plus(noise.detach()).MoveToOuterDisposeScope();
    }

    /// <summary>Row L2 norms that neither overflow for 1e+30 entries nor underflow for 1e-30 entries.</summary>
    private static Tensor RowNorms(Tensor x)
    {
        var scale = x.abs().amax(new long[] { 1 });
        var safeScale = where(scale.GreaterThan(0), scale, ones_like(scale));
        var scaled = x / safeScale.unsqueeze(1);
        return scaled.Squared().sum(1).sqrt() * scale;
    }
}
